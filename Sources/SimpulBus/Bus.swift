import Foundation
import Logging
import SimpulDelivery
import SimpulLog
import SimpulMapping

/// What a bus needs to open: where its data and adapters are, and its limits.
public struct BusSettings: Sendable {
    public var dataDirectory: String
    public var adaptersDirectory: String
    /// How long Idempotency-Keys and event ids are remembered.
    public var idempotencyWindowMs: Int64 = 24 * 3600 * 1000
    /// Partitions of a topic created on first use (events of one key stay in one partition).
    public var partitionsPerTopic = 1
    /// Most records one publish may carry.
    public var recordsPerBatchMax = 10_000
    public var log = PartitionOptions()
    /// The canonical schemas (`schemas/`), for `POST /v1/events`; nil skips schema checks.
    public var schemasDirectory: String?
    /// Where `POST /v1/admin/backup` may write; nil means `backups` beside the data directory.
    public var backupsDirectory: String?

    /// The folder backups go under: the configured one, else `backups` beside the data directory.
    public var resolvedBackupsDirectory: String {
        if let backupsDirectory { return backupsDirectory }
        let data = (dataDirectory as NSString).standardizingPath
        return ((data as NSString).deletingLastPathComponent as NSString).appendingPathComponent("backups")
    }

    public init(dataDirectory: String, adaptersDirectory: String) {
        self.dataDirectory = dataDirectory
        self.adaptersDirectory = adaptersDirectory
    }
}

/// The bus: adapters in front, the log behind, and the journals that make publishing
/// idempotent and refusals recoverable. Safe from any task.
///
/// The topics live in `store`: the embedded log in the data directory (the default), or a
/// NATS JetStream cluster. On a cluster the event ids, Idempotency-Keys and the quarantine
/// are shared by every node (`SharedKeyMemory`, `QuarantineJournal`); the other journals
/// (subscriptions, delivery) and the tokens stay in the data directory's `log` either way.
public final class Bus: Sendable {
    public let settings: BusSettings
    /// The data directory's log: its journals, and its topics when the store is embedded.
    public let log: Log
    /// The topics' events and the delivery cursors.
    public let store: any LogStore
    public let tokens: TokenStore
    public let idempotency: IdempotencyStore
    public let quarantine: QuarantineStore
    /// Event ids and Idempotency-Keys every node of a cluster sees (JetStream backend); nil
    /// when this node's own memory is the whole truth (embedded log).
    let sharedIdempotency: SharedIdempotency?
    public let stats = BusStats()
    /// Secret of this installation for field-policy pseudonyms (`pseudonym.key`, 0600).
    let pseudonymKey: [UInt8]
    /// The canonical model's validator, when a schemas directory is configured.
    public let schemas: SchemaValidator?
    private let adapters: Locked<[String: any Adapter]>
    private let deliveryEngine = Locked<DeliveryEngine?>(nil)
    private let shuttingDown = Locked(false)
    /// Topics known to exist in the store, so a publish asks for none it already has.
    private let knownTopics = Locked<Set<TopicName>>([])

    private init(settings: BusSettings, log: Log, store: any LogStore, tokens: TokenStore, idempotency: IdempotencyStore,
                 quarantine: QuarantineStore, adapters: [String: any Adapter], pseudonymKey: [UInt8],
                 schemas: SchemaValidator?, sharedKeys: (any SharedKeyMemory)? = nil) {
        self.settings = settings
        self.sharedIdempotency = sharedKeys.map { SharedIdempotency(keys: $0) }
        self.schemas = schemas
        self.pseudonymKey = pseudonymKey
        self.log = log
        self.store = store
        self.tokens = tokens
        self.idempotency = idempotency
        self.quarantine = quarantine
        self.adapters = Locked(adapters)
    }

    /// The embedded log holding the topics, nil when they live elsewhere (JetStream).
    public var embeddedLog: Log? { store is EmbeddedLogStore ? log : nil }

    /// Opens the data directory (recovering the log) and loads every adapter; the topics are
    /// in the embedded log.
    /// - Throws: `BusError.invalidConfiguration` naming the adapter file or setting at fault;
    ///   `LogError` when the log cannot be opened.
    public static func open(_ settings: BusSettings, io: any StorageIO = PosixStorageIO()) throws -> Bus {
        let adapters = try loadAdapters(from: settings.adaptersDirectory)
        let schemas = try loadSchemas(settings)
        let logStore = try EmbeddedLogStore(directory: settings.dataDirectory, options: settings.log, io: io)
        let log = logStore.log
        return Bus(settings: settings, log: log, store: logStore,
                   tokens: try TokenStore(dataDirectory: settings.dataDirectory, io: io),
                   idempotency: try IdempotencyStore(log: log, windowMs: settings.idempotencyWindowMs, io: io),
                   quarantine: try QuarantineStore(log: log, io: io), adapters: adapters,
                   pseudonymKey: try loadOrCreateSecret(settings.dataDirectory + "/pseudonym.key", io: io), schemas: schemas)
    }

    /// Opens the bus with its topics in `store` (a JetStream cluster, already connected) and
    /// its journals in the data directory. `sharedKeys`, when given, holds the event ids and
    /// Idempotency-Keys every node must see alike (so a publisher may retry through any
    /// node); `quarantine`, when given, the quarantine every node lists and retries. The bus
    /// closes the store and the shared state when it closes.
    public static func open(_ settings: BusSettings, topicsIn store: any LogStore, sharedKeys: (any SharedKeyMemory)? = nil,
                            quarantine sharedQuarantine: (any QuarantineJournal)? = nil,
                            io: any StorageIO = PosixStorageIO()) async throws -> Bus {
        let adapters = try loadAdapters(from: settings.adaptersDirectory)
        let schemas = try loadSchemas(settings)
        let log = try Log.open(directory: settings.dataDirectory, options: settings.log, io: io)
        var idempotency: IdempotencyStore?
        do {
            let opened = try await IdempotencyStore(journalsOf: log, topicsIn: store, windowMs: settings.idempotencyWindowMs, io: io)
            idempotency = opened
            let quarantine = if let sharedQuarantine {
                try await QuarantineStore(journal: sharedQuarantine)
            } else {
                try QuarantineStore(log: log, io: io)
            }
            return Bus(settings: settings, log: log, store: store,
                       tokens: try TokenStore(dataDirectory: settings.dataDirectory, io: io), idempotency: opened,
                       quarantine: quarantine, adapters: adapters,
                       pseudonymKey: try loadOrCreateSecret(settings.dataDirectory + "/pseudonym.key", io: io), schemas: schemas,
                       sharedKeys: sharedKeys)
        } catch {
            // Closed so that a start retried while the cluster elects can open them again.
            await idempotency?.close()
            await log.close()
            throw error
        }
    }

    private static func loadSchemas(_ settings: BusSettings) throws -> SchemaValidator? {
        guard let directory = settings.schemasDirectory else { return nil }
        do {
            return try SchemaValidator(directory: URL(fileURLWithPath: directory))
        } catch {
            throw BusError.invalidConfiguration(key: "schemasDir", message: "\(error)")
        }
    }

    /// Creates the topic in the store unless it is known to exist.
    func ensureTopic(_ name: TopicName) async throws {
        if knownTopics.withLock({ $0.contains(name) }) { return }
        try await store.createTopic(name, partitions: settings.partitionsPerTopic)
        knownTopics.withLock { _ = $0.insert(name) }
    }

    /// A 32-byte secret kept in the data directory (created on first start, mode 0600).
    static func loadOrCreateSecret(_ path: String, io: any StorageIO) throws -> [UInt8] {
        if let existing = try AtomicFile.read(path, io: io), existing.count == 32 { return existing }
        var generator = SystemRandomNumberGenerator()
        let secret = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        try AtomicFile.write(secret, to: path, io: io)
        chmod(path, 0o600)
        return secret
    }

    static func loadAdapters(from directory: String) throws -> [String: any Adapter] {
        var loaded: [String: any Adapter] = [:]
        do {
            for name in try AdapterCatalog.names(in: directory) {
                loaded[name] = try AdapterCatalog.load(name, in: directory, registry: .builtIn)
            }
        } catch {
            throw BusError.invalidConfiguration(key: "adapters", message: error.description)
        }
        return loaded
    }

    /// Replaces the adapters with those now on disk (all or nothing).
    public func reloadAdapters() throws {
        let fresh = try Self.loadAdapters(from: settings.adaptersDirectory)
        adapters.withLock { $0 = fresh }
    }

    public func adapter(named name: String) -> (any Adapter)? { adapters.withLock { $0[name] } }
    public var adapterNames: [String] { adapters.withLock { $0.keys.sorted() } }

    /// The topic partition an entity key belongs to (FNV-1a: stable across restarts).
    func partition(for key: String, count: Int) -> Int {
        guard count > 1 else { return 0 }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return Int(hash % UInt64(count))
    }

    /// Called when the server stops accepting: long-polling readers get their answer now.
    public func beginShutdown() { shuttingDown.withLock { $0 = true } }

    var isShuttingDown: Bool { shuttingDown.withLock { $0 } }

    /// Outbound delivery, once `startDelivery` ran.
    public var delivery: DeliveryEngine? { deliveryEngine.withLock { $0 } }

    /// Opens the subscriptions and delivery journals and starts a worker per subscription.
    /// With `shared` (a cluster's shared journals and partition leases) the journals are
    /// the cluster's, and this node delivers only the partitions whose lease it holds.
    public func startDelivery(sender: any AsyncDeliveryTransport, settings: DeliverySettings = DeliverySettings(),
                              subscriptions configured: [JSONValue] = [], logger: Logger = Logger(label: "simpul.delivery"),
                              io: any StorageIO = PosixStorageIO(), shared: SharedDelivery? = nil) async throws -> DeliveryEngine {
        if let running = delivery { return running }
        let engine = try await DeliveryEngine(log: log, store: store, sender: sender, settings: settings,
                                              pseudonymKey: pseudonymKey, logger: logger, io: io, shared: shared)
        try await engine.configure(configured)
        await engine.start()
        deliveryEngine.withLock { $0 = engine }
        return engine
    }

    /// Deletes what retention allows: old topic segments and old delivery attempts.
    /// `simpul serve` runs it every few minutes.
    public func enforceRetention() async throws {
        _ = try await embeddedLog?.enforceRetention()
        try await delivery?.enforceRetention()
    }

    /// Stops delivery, finishes pending appends and closes the log and journals.
    public func close() async {
        if let engine = deliveryEngine.withLock({ $0 }) { await engine.close() }
        await idempotency.close()
        await quarantine.close()
        await sharedIdempotency?.close()
        await store.close()
        if embeddedLog == nil { await log.close() }
    }
}
