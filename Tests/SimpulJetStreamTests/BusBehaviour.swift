import Foundation
import SimpulTestSupport
import XCTest

/// The bus as a user sees it over HTTP (issue 8: one behaviour suite for both backends):
/// publish, idempotency, quarantine, reads, delivery, the DLQ and its replay, stats and
/// probes, each checked against `docs/openapi.yaml` and `docs/delivery.md`. A test case per
/// backend gives the config's `log` section (BusBehaviourTests.swift); each behaviour opens
/// its own node — a bus with a fresh data directory opened by `ServeConfiguration` as
/// `simpul serve` does, served on 127.0.0.1 — and stops it.
///
/// Left out because the backends differ on purpose: backups (`POST /v1/admin/backup` copies
/// the data directory, which on JetStream holds no topics), retention and `410
/// offset.expired` (JetStream streams have their own limits), readiness on a full disk (the
/// embedded log's free-bytes floor) and a cluster outage (ServeOnJetStreamTests), and
/// sharing between nodes (SharedPublishTests, SharedDeliveryTests). Delivery is at least
/// once; a healthy receiver of one node gets each event once on both backends, which is
/// what is checked here (a takeover's repeats are the cluster tests'). This suite found a
/// fresh subscription on JetStream sending its first events twice, one run in five
/// (fixed; SharedDeliveryRestartTests).
struct BusBehaviour {
    static let personTopic = "city.population.person"

    /// The config's `log` object: `{"backend": "embedded", …}` or `{"backend": "jetstream", …}`.
    let log: [String: Any]
    /// Where the nodes keep their config files and data directories.
    let directory: String

    /// Opens a node on this backend, runs `body` and stops the node, also when `body` throws.
    func withNode(adapters: String = RepositoryPaths.adapters, _ body: (ServedBus) async throws -> Void) async throws {
        let name = "node-\(UUID().uuidString.prefix(8))"
        let file = directory + "/\(name).json"
        let config: [String: Any] = [
            "dataDir": directory + "/\(name)", "adaptersDir": adapters, "schemasDir": RepositoryPaths.root() + "/schemas",
            "partitionsPerTopic": 1,  // the reads below are of partition 0
            "delivery": ["allowPrivateNetworks": true], "log": log,
        ]
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: file))
        let node = try await ServedBus(configFile: file)
        do {
            try await body(node)
        } catch {
            await node.stop()
            throw error
        }
        await node.stop()
    }

    // MARK: Requests and answers

    func json(_ response: RawHTTPClient.Response) -> [String: Any] { json(response.body) }

    func json(_ body: [UInt8]) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
    }

    func errorCode(_ response: RawHTTPClient.Response) -> String? {
        (json(response)["error"] as? [String: Any])?["code"] as? String
    }

    func records(_ response: RawHTTPClient.Response) -> [[String: Any]] {
        json(response)["records"] as? [[String: Any]] ?? []
    }

    /// `POST /v1/sources/{source}/records?filename=…` with the body in the source's own format.
    func publish(_ node: ServedBus, _ source: String, _ body: [UInt8], fileName: String,
                 key: String? = nil) throws -> RawHTTPClient.Response {
        try node.request("POST", "/v1/sources/\(source)/records?filename=\(fileName)", body: body,
                         contentType: fileName.hasSuffix(".csv") ? "text/csv" : "application/json",
                         headers: key.map { [("Idempotency-Key", $0)] } ?? [])
    }

    /// The event ids of a publish answer, in record order.
    func ids(_ response: RawHTTPClient.Response) -> [String] {
        records(response).compactMap { $0["id"] as? String }
    }

    /// `GET /v1/topics/{topic}/events` of the person topic.
    func read(_ node: ServedBus, _ query: String) throws -> RawHTTPClient.Response {
        try node.request("GET", "/v1/topics/\(Self.personTopic)/events?\(query)")
    }

    /// The offsets and event ids of a page of events.
    func page(_ response: RawHTTPClient.Response) -> (offsets: [Int], ids: [String], next: Int?) { page(response.body) }

    func page(_ body: [UInt8]) -> (offsets: [Int], ids: [String], next: Int?) {
        let page = json(body)
        let records = page["records"] as? [[String: Any]] ?? []
        return (records.compactMap { $0["offset"] as? Int },
                records.compactMap { ($0["event"] as? [String: Any])?["id"] as? String },
                page["nextOffset"] as? Int)
    }

    // MARK: Payloads

    /// The SIAK sample's header and first row (a valid person; its NIK ends in serial 0001).
    /// The export has a BOM and CRLF line ends, as SIAK writes it; both are kept.
    private func siakSample() throws -> (header: String, row: String) {
        let lines = String(decoding: try RepositoryPaths.sample("population", "valid.csv"), as: UTF8.self)
            .components(separatedBy: "\r\n")
        guard lines.count > 1, lines[1].hasPrefix("6471015203900001;") else {
            throw RawHTTPClient.Failure(description: "adapters/population/samples/valid.csv no longer starts with SITI AMINAH")
        }
        return (lines[0], lines[1])
    }

    /// A SIAK export of one valid person per serial: the sample's first row with the NIK's
    /// serial (its last four digits) replaced, so that each is a new event.
    func persons(_ serials: ClosedRange<Int>) throws -> [UInt8] {
        let (header, row) = try siakSample()
        let rows = serials.map { "647101520390" + String(format: "%04d", $0) + row.dropFirst(16) }
        return Array(([header] + rows).joined(separator: "\r\n").utf8 + [0x0D, 0x0A])
    }

    /// A SIAK export whose rows the population adapter refuses: a 15-digit NIK, a date that
    /// does not exist (31 February), and a marital status the adapter does not know yet.
    func refusedPersons() throws -> (body: [UInt8], unknownStatus: String) {
        let (header, row) = try siakSample()
        let shortNIK = "647101520390001" + row.dropFirst(16)
        let noSuchDate = "6471017102900002" + row.dropFirst(16).replacingOccurrences(of: "12-03-1990", with: "31-02-1990")
        let unknownStatus = "6471015203900003" + row.dropFirst(16).replacingOccurrences(of: ";KAWIN;", with: ";KAWIN TERCATAT;")
        return (Array(([header, shortNIK, noSuchDate, unknownStatus]).joined(separator: "\r\n").utf8 + [0x0D, 0x0A]), "KAWIN TERCATAT")
    }

    /// A copy of the bundled adapters, so that a behaviour may fix one while serving.
    func copyOfTheAdapters() throws -> String {
        let copy = directory + "/adapters-\(UUID().uuidString.prefix(8))"
        try FileManager.default.copyItem(atPath: RepositoryPaths.adapters, toPath: copy)
        return copy
    }
}
