import Foundation
import NIOCore
import SimpulBus
import SimpulDelivery
import SimpulJetStream
import SimpulLog
import SimpulMapping
import SimpulServer

/// Everything `simpul serve` needs, from defaults, a JSON config file
/// (`deploy/simpul.example.json`) and command-line overrides, in that order.
/// Every key is checked at start; an unknown or mistyped key is an error naming it.
public struct ServeConfiguration: Sendable {
    public var http = HTTPServerConfiguration()
    public var bus: BusSettings
    /// Where the plain tokens created on first start are written (mode 0600), outside the
    /// data directory, which keeps only their hashes.
    public var tokenFile: String
    /// How `simpul serve` writes its log: readable text (the default) or one JSON object per line.
    public var logFormat = LogFormat.text
    /// Outbound delivery: SSRF guard, breaker, long-failure pause.
    public var delivery = DeliverySettings()
    /// Subscriptions declared in the config file (created or updated at start).
    public var subscriptions: [JSONValue] = []
    /// The NATS JetStream cluster holding the topics (`log.backend: jetstream`); nil keeps
    /// them in the embedded log.
    public var jetStream: JetStreamSettings?
    /// With JetStream, how long a node's lease on a delivery partition lasts without a
    /// renew (`log.deliveryLeaseTtlSeconds`); renewed every third of it.
    public var deliveryLeaseTtl = JetStreamSharedDelivery.defaultLeaseTtl
    /// Set by `--accept-data-loss-risk` before the file is read.
    var dataLossRiskAccepted = false

    public init() {
        bus = BusSettings(dataDirectory: "./data", adaptersDirectory: "./adapters")
        bus.schemasDirectory = FileManager.default.fileExists(atPath: "./schemas") ? "./schemas" : nil
        tokenFile = Self.defaultTokenFile
    }

    /// `$SIMPUL_TOKEN_FILE`, else `$XDG_CONFIG_HOME/simpul/tokens.json`, else
    /// `~/.config/simpul/tokens.json`: where `simpul` looks for the admin token.
    public static var defaultTokenFile: String {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["SIMPUL_TOKEN_FILE"], !explicit.isEmpty { return explicit }
        let base = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.config"
        return base + "/simpul/tokens.json"
    }

    /// Reads a config file over the defaults.
    /// - Parameter acceptDataLossRisk: `--accept-data-loss-risk`: a JetStream cluster with
    ///   fewer than 3 replicas or lazy sync is accepted as if the config said so.
    public static func load(file: String, acceptDataLossRisk: Bool = false) throws -> ServeConfiguration {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ConfigurationError(key: file, message: "cannot read the config file")
        }
        let root: JSONValue
        do {
            root = try JSONReader.parse(Array(data))
        } catch {
            throw ConfigurationError(key: file, message: "not valid JSON: \(error)")
        }
        guard case .object(let object) = root else { throw ConfigurationError(key: file, message: "must hold a JSON object") }
        var configuration = ServeConfiguration()
        configuration.dataLossRiskAccepted = acceptDataLossRisk
        try configuration.apply(ConfigReader(object, path: ""))
        return configuration
    }

    /// Sets the listen address from `HOST:PORT`.
    public mutating func setListen(_ text: String, key: String = "listen") throws {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port),
              colon != text.startIndex else {
            throw ConfigurationError(key: key, message: "\"\(text)\" is not HOST:PORT, e.g. 127.0.0.1:8080")
        }
        http.host = String(text[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        http.port = port
    }

    /// Sets the log format from its name (`text` or `json`).
    public mutating func setLogFormat(_ text: String, key: String = "logFormat") throws {
        guard let format = LogFormat(rawValue: text) else {
            throw ConfigurationError(key: key, message: "\"\(text)\" is not a log format; use \"text\" or \"json\"")
        }
        logFormat = format
    }

    private mutating func apply(_ reader: ConfigReader) throws {
        try reader.allowOnly(["listen", "dataDir", "adaptersDir", "schemasDir", "tokenFile", "idempotencyWindowHours",
                              "partitionsPerTopic", "logFormat", "backupsDir", "limits", "log", "delivery", "subscriptions"])
        if let listen = try reader.string("listen") { try setListen(listen) }
        if let value = try reader.string("dataDir") { bus.dataDirectory = value }
        if let value = try reader.string("adaptersDir") { bus.adaptersDirectory = value }
        if let value = try reader.string("schemasDir") { bus.schemasDirectory = value }
        if let value = try reader.string("tokenFile") { tokenFile = value }
        if let value = try reader.string("logFormat") { try setLogFormat(value) }
        if let value = try reader.string("backupsDir") {
            guard value.hasPrefix("/") else {
                throw ConfigurationError(key: reader.path("backupsDir"), message: "must be an absolute path, e.g. /var/backups/simpul")
            }
            bus.backupsDirectory = value
        }
        if let hours = try reader.integer("idempotencyWindowHours", in: 1...24 * 365) { bus.idempotencyWindowMs = Int64(hours) * 3_600_000 }
        if let count = try reader.integer("partitionsPerTopic", in: 1...LogLimits.partitionCountMax) { bus.partitionsPerTopic = count }
        if let limits = try reader.object("limits") { try applyLimits(limits) }
        if let log = try reader.object("log") { try applyLog(log) }
        if let delivery = try reader.object("delivery") { try applyDelivery(delivery) }
        if let value = reader.object["subscriptions"] {
            guard case .array(let items) = value else {
                throw ConfigurationError(key: reader.path("subscriptions"), message: "must be an array of subscription objects")
            }
            for (index, item) in items.enumerated() {
                do {
                    _ = try Subscription.create(from: item)
                } catch {
                    throw ConfigurationError(key: reader.path("subscriptions[\(index)]"), message: "\(error)")
                }
            }
            subscriptions = items
        }
    }

    private mutating func applyDelivery(_ reader: ConfigReader) throws {
        try reader.allowOnly(["allowPrivateNetworks", "allowList", "breakerThreshold", "breakerCooldownSeconds",
                              "breakerCooldownMaxSeconds", "pauseAfterFailingHours"])
        var allowPrivate = delivery.addressPolicy.allowPrivateNetworks
        if let value = reader.object["allowPrivateNetworks"] {
            guard case .bool(let flag) = value else {
                throw ConfigurationError(key: reader.path("allowPrivateNetworks"), message: "must be true or false")
            }
            allowPrivate = flag
        }
        var allowList = delivery.addressPolicy.allowList
        if let value = reader.object["allowList"] {
            guard case .array(let items) = value else {
                throw ConfigurationError(key: reader.path("allowList"), message: "must be an array of CIDR blocks such as \"10.20.0.0/16\"")
            }
            allowList = try items.map { item in
                guard let text = item.stringValue else {
                    throw ConfigurationError(key: reader.path("allowList"), message: "must be an array of CIDR blocks")
                }
                do { return try CIDR(text) } catch {
                    throw ConfigurationError(key: reader.path("allowList"), message: "\(error)")
                }
            }
        }
        delivery.addressPolicy = AddressPolicy(allowPrivateNetworks: allowPrivate, allowList: allowList)
        if let value = try reader.integer("breakerThreshold", in: 1...1000) { delivery.breaker.threshold = value }
        if let value = try reader.integer("breakerCooldownSeconds", in: 1...86_400) { delivery.breaker.cooldownMs = Int64(value) * 1000 }
        if let value = try reader.integer("breakerCooldownMaxSeconds", in: 1...86_400) {
            delivery.breaker.cooldownMaxMs = Int64(value) * 1000
        }
        if let value = try reader.integer("pauseAfterFailingHours", in: 1...24 * 365) {
            delivery.pauseAfterFailingMs = Int64(value) * 3_600_000
        }
    }

    private mutating func applyLimits(_ reader: ConfigReader) throws {
        try reader.allowOnly(["bodyBytesMax", "recordsPerBatchMax", "headerCountMax", "headerBytesMax", "connectionsMax",
                              "inFlightBytesMax", "idleTimeoutSeconds", "requestTimeoutSeconds"])
        if let value = try reader.integer("bodyBytesMax", in: 1024...(1 << 30)) { http.bodyBytesMax = value }
        if let value = try reader.integer("recordsPerBatchMax", in: 1...1_000_000) { bus.recordsPerBatchMax = value }
        if let value = try reader.integer("headerCountMax", in: 8...10_000) { http.headerCountMax = value }
        if let value = try reader.integer("headerBytesMax", in: 1024...(1 << 20)) { http.headerBytesMax = value }
        if let value = try reader.integer("connectionsMax", in: 1...1_000_000) { http.connectionCountMax = value }
        if let value = try reader.integer("inFlightBytesMax", in: 1 << 20...(1 << 34)) { http.inFlightBytesMax = value }
        if let value = try reader.integer("idleTimeoutSeconds", in: 1...3600) { http.idleTimeout = .seconds(Int64(value)) }
        if let value = try reader.integer("requestTimeoutSeconds", in: 1...3600) { http.requestTimeout = .seconds(Int64(value)) }
    }

    private mutating func applyLog(_ reader: ConfigReader) throws {
        try reader.allowOnly(Set(["segmentBytesMax", "durability", "relaxedSyncIntervalMs", "retentionHours", "retentionBytes",
                                  "freeBytesFloor", "backend"] + Self.jetStreamKeys))
        try applyLogBackend(reader)
        if let value = try reader.integer("segmentBytesMax", in: (2 << 20)...(1 << 30)) { bus.log.segmentBytesMax = value }
        switch try reader.string("durability") {
        case nil, "durable": bus.log.durability = .durable
        case "relaxed-may-lose-acknowledged-records":
            let interval = try reader.integer("relaxedSyncIntervalMs", in: 1...60_000) ?? 100
            bus.log.durability = .relaxedMayLoseAcknowledgedRecords(intervalMs: interval)
        case let other?:
            throw ConfigurationError(key: reader.path("durability"), message:
                "\"\(other)\" is not a durability; use \"durable\" (the default) or \"relaxed-may-lose-acknowledged-records\" "
                + "(acknowledged records can be lost on power loss, see docs/durability.md)")
        }
        if let hours = try reader.integer("retentionHours", in: 1...24 * 365 * 100) { bus.log.retention.maxAgeMs = Int64(hours) * 3_600_000 }
        if let bytes = try reader.integer("retentionBytes", in: (8 << 20)...Int.max) { bus.log.retention.maxBytes = bytes }
        if let bytes = try reader.integer("freeBytesFloor", in: 0...Int.max) { bus.log.freeBytesFloor = bytes }
    }
}

/// A config file mistake: which key, what is wrong, what to write instead.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public var key: String
    public var message: String
    public var description: String { "config key \"\(key)\": \(message)" }
}

/// Typed access to one JSON object of the config, naming the full key path in errors.
struct ConfigReader {
    let object: JSONObject
    let prefix: String

    init(_ object: JSONObject, path: String) {
        self.object = object
        self.prefix = path
    }

    func path(_ key: String) -> String { prefix.isEmpty ? key : prefix + "." + key }

    func allowOnly(_ keys: Set<String>) throws {
        for key in object.keys where !keys.contains(key) {
            throw ConfigurationError(key: path(key), message: "unknown key; the known keys here are \(keys.sorted().joined(separator: ", "))")
        }
    }

    func string(_ key: String) throws -> String? {
        guard let value = object[key] else { return nil }
        guard case .string(let text) = value else { throw ConfigurationError(key: path(key), message: "must be a string") }
        return text
    }

    func integer(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let value = object[key] else { return nil }
        guard case .number(let text) = value, let number = Int(text) else {
            throw ConfigurationError(key: path(key), message: "must be a whole number")
        }
        guard range.contains(number) else {
            throw ConfigurationError(key: path(key), message: "\(number) is outside \(range.lowerBound)…\(range.upperBound)")
        }
        return number
    }

    func object(_ key: String) throws -> ConfigReader? {
        guard let value = object[key] else { return nil }
        guard case .object(let inner) = value else { throw ConfigurationError(key: path(key), message: "must be an object") }
        return ConfigReader(inner, path: path(key))
    }
}
