import SimpulBus
import SimpulJetStream
import SimpulLog
import SimpulMapping

/// The `log.backend` part of the config: where the topics live. `embedded` (the default)
/// keeps them in the data directory; `jetstream` puts them on a NATS JetStream cluster
/// (deploy/nats/README.md) with the delivery journals and idempotency keys, shared by
/// every node; quarantine and tokens stay in the data directory.
extension ServeConfiguration {
    static let jetStreamKeys = ["servers", "replicas", "syncAlways", "tls", "credentials", "acceptDataLossRisk",
                                "requestTimeoutMs", "deliveryLeaseTtlSeconds"]

    mutating func applyLogBackend(_ reader: ConfigReader) throws {
        switch try reader.string("backend") {
        case nil, "embedded":
            if let key = Self.jetStreamKeys.first(where: { reader.object[$0] != nil }) {
                throw ConfigurationError(key: reader.path(key), message: "applies only with \"backend\": \"jetstream\"")
            }
            jetStream = nil
        case "jetstream":
            jetStream = try Self.jetStreamSettings(reader, acceptDataLossRisk: dataLossRiskAccepted)
            // Below ~10 s a stream leader election could outlast it (stateless-nodes.md).
            if let ttl = try reader.integer("deliveryLeaseTtlSeconds", in: 3...300) { deliveryLeaseTtl = .seconds(ttl) }
        case let other?:
            throw ConfigurationError(key: reader.path("backend"), message:
                "\"\(other)\" is not a log backend; use \"embedded\" (the default) or \"jetstream\"")
        }
    }

    private static func jetStreamSettings(_ reader: ConfigReader, acceptDataLossRisk: Bool) throws -> JetStreamSettings {
        guard case .array(let items)? = reader.object["servers"], !items.isEmpty else {
            throw ConfigurationError(key: reader.path("servers"), message:
                "list the NATS servers, e.g. [\"nats://10.0.0.5:4222\", \"nats://10.0.0.6:4222\", \"nats://10.0.0.7:4222\"]")
        }
        let servers = try items.map { item in
            guard let text = item.stringValue else {
                throw ConfigurationError(key: reader.path("servers"), message: "must be an array of nats://HOST:PORT strings")
            }
            return text
        }
        var settings = JetStreamSettings(servers: servers)
        if let replicas = try reader.integer("replicas", in: 1...JetStreamSettings.replicasMax) { settings.replicas = replicas }
        if let always = try reader.bool("syncAlways") { settings.serverSyncPolicy = always ? .always : .interval }
        settings.credentialsFile = try reader.string("credentials")
        if let tls = try reader.object("tls") {
            try tls.allowOnly(["caFile"])
            settings.tlsCAFile = try tls.string("caFile")
        }
        settings.acceptDataLossRisk = try reader.bool("acceptDataLossRisk") ?? false || acceptDataLossRisk
        if let timeout = try reader.integer("requestTimeoutMs", in: 100...300_000) { settings.requestTimeoutMs = timeout }
        do {
            try settings.validate()
        } catch .dataLossRisk(let detail) {
            let key = settings.replicas < JetStreamSettings.safeReplicasMin ? "replicas" : "syncAlways"
            throw ConfigurationError(key: reader.path(key), message: JetStreamError.dataLossRisk(detail).description)
        } catch {
            throw ConfigurationError(key: reader.path("servers"), message: error.description)
        }
        return settings
    }

    /// Opens the bus on the configured backend. A JetStream cluster that cannot be reached is
    /// an error naming its servers (`JetStreamError.unreachable`).
    public func openBus() async throws -> Bus {
        guard let jetStream else { return try Bus.open(bus) }
        return try await Self.openBus(bus, onJetStream: jetStream)
    }

    /// Opens the bus with its topics, event ids, Idempotency-Keys and quarantine on the
    /// JetStream cluster of `jetStream` (what `simpul serve` runs with `log.backend:
    /// jetstream`); the bus closes every connection when it closes.
    public static func openBus(_ bus: BusSettings, onJetStream jetStream: JetStreamSettings) async throws -> Bus {
        let store = try await JetStreamLogStore(settings: jetStream)
        var connection: SharedStateConnection?
        var quarantine: JetStreamQuarantineJournal?
        var keys: JetStreamIdempotencyKeys?
        do {
            let shared = try await SharedStateConnection(settings: jetStream)
            connection = shared
            let journal = try await JetStreamQuarantineJournal(connection: shared)
            quarantine = journal
            let opened = try await JetStreamIdempotencyKeys.open(
                settings: jetStream, window: .milliseconds(bus.idempotencyWindowMs), connection: shared)
            keys = opened
            return try await Bus.open(bus, topicsIn: store, sharedKeys: opened, quarantine: journal)
        } catch {
            await quarantine?.close()
            if let keys { await keys.close() } else { await connection?.close() }
            await store.close()
            throw error
        }
    }
}

extension ConfigReader {
    func bool(_ key: String) throws -> Bool? {
        guard let value = object[key] else { return nil }
        guard case .bool(let flag) = value else { throw ConfigurationError(key: path(key), message: "must be true or false") }
        return flag
    }
}
