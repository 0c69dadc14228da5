import Foundation
import Logging
import SimpulAPI
import SimpulBus
import SimpulDelivery
import SimpulJetStream
import SimpulServer
import SimpulTestSupport
import XCTest

/// The bus of a config file (either log backend), served on 127.0.0.1 with an admin token,
/// delivering through libcurl like `simpul serve`.
final class ServedBus: @unchecked Sendable {
    let bus: Bus
    let server: HTTPServer
    let sender: CurlMultiSender
    let port: Int
    let admin: String
    /// Delivery shared with the cluster's other nodes, as `simpul serve` runs it.
    let shared: JetStreamSharedDelivery?

    init(configFile: String) async throws {
        let configuration = try ServeConfiguration.load(file: configFile)
        bus = try await configuration.openBus()
        sender = try CurlMultiSender()
        var delivery = DeliverySettings()
        delivery.addressPolicy = AddressPolicy(allowPrivateNetworks: true)
        if let jetStream = configuration.jetStream {
            shared = try await JetStreamSharedDelivery(settings: jetStream, holder: JetStreamSharedDelivery.uniqueHolder(),
                                                       leaseTtl: configuration.deliveryLeaseTtl)
        } else {
            shared = nil
        }
        _ = try await bus.startDelivery(sender: sender, settings: delivery, shared: shared?.delivery)
        admin = try bus.tokens.create(kind: .admin, name: "admin-\(UUID().uuidString.prefix(8))").token
        var http = HTTPServerConfiguration(host: "127.0.0.1", port: 0)
        http.threadCount = 1
        var logger = Logger(label: "simpul.test")
        logger.logLevel = .critical
        server = HTTPServer(configuration: http, handler: APIRouter.make(bus: bus, probes: Probes()), logger: logger)
        port = try await server.start()
    }

    func stop() async {
        await server.shutdown()
        await bus.close()
        await shared?.close()
        sender.shutdown()
    }

    func request(_ method: String, _ target: String, body: [UInt8] = [], contentType: String = "application/json",
                 headers extra: [(String, String)] = []) throws -> RawHTTPClient.Response {
        let client = try RawHTTPClient(port: port, readTimeoutSeconds: 10)
        var headers = [("Authorization", "Bearer \(admin)")] + extra
        if !body.isEmpty { headers.append(("Content-Type", contentType)) }
        guard let response = client.request(method, target, headers: headers, body: body) else {
            throw RawHTTPClient.Failure(description: "no response to \(method) \(target)")
        }
        return response
    }

    /// Canonical business events (topic `city.business.business`), in one request.
    func publish(_ ids: [String]) throws -> RawHTTPClient.Response {
        let events = ids.map {
            #"{"specversion":"1.0","id":"\#($0)","source":"/balikpapan/dpmptsp/oss","type":"city.business.business.upserted","#
                + #""dataschema":"schemas/business.v1.json","subject":"business/9120001234567","#
                + #""data":{"nib":"9120001234567","name":"CV \#($0)","kbli":[{"code":"47111","title":"Perdagangan eceran"}]}}"#
        }
        return try request("POST", "/v1/events", body: Array("[\(events.joined(separator: ","))]".utf8),
                           contentType: "application/cloudevents-batch+json")
    }

    func readIDs() throws -> [String] {
        let response = try request("GET", "/v1/topics/city.business.business/events?from=0&limit=100")
        guard response.status == 200,
              let page = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
              let records = page["records"] as? [[String: Any]] else {
            throw RawHTTPClient.Failure(description: "read answered \(response.status): \(response.bodyText)")
        }
        return records.compactMap { ($0["event"] as? [String: Any])?["id"] as? String }
    }

    func waitForReadiness(_ status: Int, timeout: Duration) async throws -> RawHTTPClient.Response {
        let deadline = ContinuousClock.now + timeout
        while true {
            let response = try request("GET", "/readyz")
            if response.status == status || ContinuousClock.now >= deadline {
                XCTAssertEqual(response.status, status, response.bodyText)
                return response
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}
