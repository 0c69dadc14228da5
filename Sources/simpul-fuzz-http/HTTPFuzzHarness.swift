import Foundation
import Logging
import SimpulAPI
import SimpulBus
import SimpulDelivery
import SimpulMapping
import SimpulServer
import SimpulTestSupport

/// The bus and its whole HTTP API (`APIRouter` over a `Bus` on a scratch directory, served
/// by `HTTPServer` on 127.0.0.1) with one token of each kind, and one fuzz input through it.
///
/// An input is raw bytes sent on a fresh connection, exactly as a client would, followed by
/// a half-close; the server's answers are then read until it closes the connection. So NIO's
/// parser, the server's limits, the router and every route see the input as in production.
///
/// To let the fuzzer past authentication and into the routes, placeholders in the input are
/// replaced before sending: `$ADMIN`, `$PUBLISHER`, `$CONSUMER` by the tokens (the publisher
/// may publish to `population`, the consumer read `city.population.person`), `$QID` by the id
/// of a quarantined record, `$DLQ` by the id of a dead letter (subscription `hook`, whose
/// receiver refused an event). `wait=` becomes `wait=0.0`, so a long-poll lasts under 0.1 s and
/// the 1 s bound stays meaningful.
final class HTTPFuzzHarness: Sendable {
    /// An input whose answers take longer than this (connection closed included) is a hang.
    static let answerSecondsMax = 1.0
    /// How long the harness waits for the close before it gives up (a slow answer is told
    /// apart from one that never comes).
    static let closeSecondsMax = 10.0
    /// Small enough that the fuzzer can reach 413 with inputs of `-max_len` 64 KiB.
    static let bodyBytesMax = 16 << 10

    let port: Int
    private let substitutions: [(placeholder: [UInt8], value: [UInt8])]

    private init(port: Int, substitutions: [(placeholder: [UInt8], value: [UInt8])]) {
        self.port = port
        self.substitutions = substitutions
    }

    /// This process's data directory (a fuzz run keeps every refused input in quarantine).
    static var scratchDirectory: String { FileManager.default.temporaryDirectory.path + "/simpul-fuzz-http-\(getpid())" }

    static func removeScratchDirectory() {
        try? FileManager.default.removeItem(atPath: scratchDirectory)
    }

    /// Opens a bus on a fresh scratch directory, creates the tokens, quarantines one record
    /// and starts the server.
    static func start(repository: String) throws -> HTTPFuzzHarness {
        let directory = scratchDirectory
        removeScratchDirectory()
        var settings = BusSettings(dataDirectory: directory, adaptersDirectory: repository + "/adapters")
        settings.schemasDirectory = repository + "/schemas"
        settings.log.freeBytesFloor = 0
        // Durability is not under test here; an fsync per accepted input would halve the rate.
        settings.log.durability = .relaxedMayLoseAcknowledgedRecords(intervalMs: 1000)
        settings.recordsPerBatchMax = 1000
        let bus = try Bus.open(settings)
        // Delivery runs (the subscription and DLQ routes need it) against a receiver without a
        // network: 204 for every URL but those containing "fail", which get a final 410.
        var deliverySettings = DeliverySettings()
        deliverySettings.addressPolicy = AddressPolicy(allowPrivateNetworks: true)
        let delivery = deliverySettings
        var quiet = Logger(label: "simpul.fuzz.delivery")
        quiet.logLevel = .critical
        let deliveryLogger = quiet
        _ = try runBlocking {
            try await bus.startDelivery(sender: OfflineReceiver(), settings: delivery, logger: deliveryLogger)
        }
        let admin = try bus.tokens.create(kind: .admin, name: "admin").token
        let publisher = try bus.tokens.create(kind: .publisher, name: "siak", sources: ["population"]).token
        let consumer = try bus.tokens.create(kind: .consumer, name: "portal", topics: ["city.population.person"],
                                             redact: ["data.nik"]).token
        let (quarantineID, deadLetterID) = try seed(bus, adminToken: admin, repository: repository)

        var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.threadCount = 1
        configuration.bodyBytesMax = bodyBytesMax
        configuration.headerBytesMax = 4096
        configuration.requestHeadTimeout = .milliseconds(500)
        configuration.requestTimeout = .milliseconds(500)
        configuration.lingerTimeout = .milliseconds(300)
        var logger = Logger(label: "simpul.fuzz.http")
        logger.logLevel = .critical
        let server = HTTPServer(configuration: configuration, handler: APIRouter.make(bus: bus, probes: Probes()),
                                logger: logger)
        let port = try runBlocking { try await server.start() }
        let substitutions = [("$ADMIN", admin), ("$PUBLISHER", publisher), ("$CONSUMER", consumer),
                             ("$QID", quarantineID), ("$DLQ", deadLetterID), ("wait=", "wait=0.0")]
        return HTTPFuzzHarness(port: port, substitutions: substitutions.map { (Array($0.0.utf8), Array($0.1.utf8)) })
    }

    /// Subscribes `hook` (refused by the receiver) to the population topic and publishes the
    /// population samples: a topic to read, a quarantined record to retry, a dead letter to
    /// replay. Returns the quarantine and dead-letter ids.
    private static func seed(_ bus: Bus, adminToken: String, repository: String) throws -> (String, String) {
        guard let admin = bus.tokens.authenticate(adminToken) else { throw HarnessError("the admin token does not authenticate") }
        guard let engine = bus.delivery else { throw HarnessError("delivery is not running") }
        let hook = try JSONReader.parse(Array(#"{"name":"hook","topics":["city.population.person"],"url":"http://receiver.example/fail"}"#.utf8))
        _ = try runBlocking { try await engine.create(hook) }
        for file in ["valid.csv", "invalid.csv"] {
            let body = Array(try Data(contentsOf: URL(fileURLWithPath: repository + "/adapters/population/samples/" + file)))
            let request = PublishRequest(source: "population", body: body, contentType: "text/csv", publisher: admin)
            _ = try runBlocking { try await bus.publish(request) }
        }
        guard let entry = bus.quarantine.list().first else { throw HarnessError("the invalid sample was not quarantined") }
        for _ in 0..<500 {  // the worker dead-letters the first event within milliseconds
            if let letter = engine.deadLetters(DeadLetterFilter(), after: nil, limit: 1).entries.first {
                return (entry.id, letter.id)
            }
            usleep(10_000)
        }
        throw HarnessError("no dead letter within 5 s")
    }

    /// Sends `input` and checks the answers: their statuses, and what broke the rules
    /// (empty: all well).
    func run(_ input: [UInt8]) -> (answers: [HTTPAnswerRules.Answer], problems: [String]) {
        let bytes = substitute(input)
        let client: RawHTTPClient
        do {
            client = try RawHTTPClient(port: port, readTimeoutSeconds: Self.closeSecondsMax)
        } catch {
            return ([], ["cannot connect to the server: \(error)"])
        }
        let started = DispatchTime.now().uptimeNanoseconds
        client.send(bytes)
        client.shutdownWrite()
        let answered = client.readAll()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        var (answers, problems) = HTTPAnswerRules.check(answered, requestsMayBeHead: bytes.firstRange(of: Array("HEAD".utf8)) != nil)
        if !client.peerClosed {
            problems.append("the server did not close the connection within \(Self.closeSecondsMax) s")
        } else if seconds > Self.answerSecondsMax {
            problems.append(String(format: "the answers took %.2f s (more than %.1f s)", seconds, Self.answerSecondsMax))
        }
        return (answers, problems)
    }

    /// The input with the placeholders replaced.
    func substitute(_ input: [UInt8]) -> [UInt8] {
        var bytes = input
        for (placeholder, value) in substitutions where bytes.firstRange(of: placeholder) != nil {
            bytes.replace(placeholder, with: value)
        }
        return bytes
    }
}

/// The webhook receiver of the harness: no network, an answer by URL.
struct OfflineReceiver: AsyncDeliveryTransport {
    func send(_ request: DeliveryRequest, options: HTTPDeliveryClientOptions) async -> DeliveryResponse {
        DeliveryResponse(status: request.url.contains("fail") ? 410 : 204, duration: .zero, error: nil)
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
