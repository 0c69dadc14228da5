import Foundation
import Logging
@testable import SimpulAPI
import SimpulBus
import SimpulDelivery
import SimpulServer
import SimpulTestSupport

/// A bus and its HTTP API on 127.0.0.1 (port chosen by the system), with one token of
/// each kind, for end-to-end tests.
final class LiveAPI: @unchecked Sendable {
    let directory: TemporaryDirectory
    let bus: Bus
    let server: HTTPServer
    let port: Int
    let router: Router
    let admin: String
    let publisher: String
    let otherPublisher: String
    let consumer: String
    /// Every log line the server wrote, at trace level.
    let logLines = CapturingLogHandler.Lines()

    init(directory: TemporaryDirectory? = nil, bodyBytesMax: Int = 8 << 20,
         receiver: any AsyncDeliveryTransport = AcceptingTransport()) async throws {
        self.directory = try directory ?? TemporaryDirectory("api")
        var settings = BusSettings(dataDirectory: self.directory.path + "/data", adaptersDirectory: RepositoryPaths.adapters)
        settings.schemasDirectory = RepositoryPaths.root() + "/schemas"
        settings.log.freeBytesFloor = 0
        let bus = try Bus.open(settings)
        self.bus = bus
        var delivery = DeliverySettings()
        delivery.addressPolicy = AddressPolicy(allowPrivateNetworks: true)
        _ = try await bus.startDelivery(sender: receiver, settings: delivery)
        let root = self.directory.path
        func token(_ kind: PrincipalKind, _ name: String, sources: [String] = [], topics: [String] = [], redact: [String] = []) throws -> String {
            if let existing = bus.tokens.all.first(where: { $0.name == name }) {
                return try String(contentsOfFile: root + "/\(existing.id).token", encoding: .utf8)
            }
            let created = try bus.tokens.create(kind: kind, name: name, sources: sources, topics: topics, redact: redact)
            try created.token.write(toFile: root + "/\(created.record.id).token", atomically: true, encoding: .utf8)
            return created.token
        }
        admin = try token(.admin, "admin")
        publisher = try token(.publisher, "siak", sources: ["population"])
        otherPublisher = try token(.publisher, "eoffice", sources: ["eoffice"])
        consumer = try token(.consumer, "portal", topics: ["city.population.person"], redact: ["data.nik", "data.familyCardNumber"])
        var configuration = HTTPServerConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.bodyBytesMax = bodyBytesMax
        configuration.threadCount = 1
        router = APIRouter.make(bus: bus, probes: Probes())
        let lines = logLines
        var logger = Logger(label: "simpul.test") { _ in CapturingLogHandler(lines: lines) }
        logger.logLevel = .trace
        server = HTTPServer(configuration: configuration, handler: router, logger: logger)
        port = try await server.start()
    }

    func stop() async {
        await server.shutdown()
        await bus.close()
    }

    /// One request on a fresh connection.
    func request(_ method: String, _ target: String, token: String? = nil, headers: [(String, String)] = [],
                 body: [UInt8] = []) throws -> RawHTTPClient.Response {
        let client = try RawHTTPClient(port: port, readTimeoutSeconds: 10)
        var all = headers
        if let token { all.append(("Authorization", "Bearer \(token)")) }
        guard let response = client.request(method, target, headers: all, body: body) else {
            throw RawHTTPClient.Failure(description: "no response to \(method) \(target)")
        }
        return response
    }

    func json(_ response: RawHTTPClient.Response) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
    }
}
