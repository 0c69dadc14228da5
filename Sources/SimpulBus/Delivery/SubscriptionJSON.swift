import Foundation
import SimpulDelivery
import SimpulLog
import SimpulMapping

/// Subscriptions to and from JSON: the API's bodies (`docs/openapi.yaml`), the config
/// file's `subscriptions` array, and the journal's entries (which alone carry the secret).
extension Subscription {
    /// A subscription from a create request or a config entry; every key is checked and a
    /// mistake names the key. A missing secret is generated.
    public static func create(from json: JSONValue, now: Date = Date()) throws -> Subscription {
        let reader = try SpecReader(json, path: "")
        try reader.allowOnly(settableKeys + ["name", "secret"])
        guard let name = try reader.string("name") else { throw reader.missing("name") }
        guard isValidName(name) else {
            throw reader.invalid("name", "\"\(name)\" is not a subscription name; use lower-case letters, digits and dashes (\(namePattern))")
        }
        guard reader.has("topics") else { throw reader.missing("topics") }
        guard reader.has("url") else { throw reader.missing("url") }
        let secret: String
        if let given = try reader.string("secret") {
            do { _ = try WebhookSigner(secret: given) } catch { throw reader.invalid("secret", "\(error)") }
            secret = given
        } else {
            do { secret = try WebhookSigner.generateSecret() } catch {
                throw BusError.storage("cannot generate a signing secret: \(error)")
            }
        }
        var subscription = Subscription(
            name: name, owner: "", topics: [], types: [], url: "", secret: secret, timeoutMs: defaultTimeoutMs,
            retry: .standard, ordering: .none, maxInFlight: defaultMaxInFlight, fieldPolicy: FieldPolicySettings(),
            tls: TLSSettings(), proxy: nil, paused: false, pausedReason: nil, createdAt: Timestamp.rfc3339(now))
        try subscription.apply(reader)
        return subscription
    }

    /// Applies a PATCH body: only the keys given change; the name and secret stay.
    public func patched(with json: JSONValue) throws -> Subscription {
        let reader = try SpecReader(json, path: "")
        try reader.allowOnly(Self.settableKeys)
        var copy = self
        try copy.apply(reader)
        return copy
    }

    static let settableKeys = ["owner", "topics", "types", "url", "timeoutMs", "retry", "ordering", "maxInFlight",
                               "fieldPolicy", "tls", "proxy", "paused"]

    private mutating func apply(_ reader: SpecReader) throws {
        if let owner = try reader.string("owner") { self.owner = owner }
        if let topics = try reader.strings("topics") {
            guard !topics.isEmpty else { throw reader.invalid("topics", "name at least one topic (see GET /v1/topics)") }
            for topic in topics where (try? TopicName(topic)) == nil {
                throw reader.invalid("topics", "\"\(topic)\" is not a topic name")
            }
            self.topics = topics
        }
        if let types = try reader.strings("types") { self.types = types }
        if let url = try reader.string("url") {
            guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), ["http", "https"].contains(scheme),
                  parsed.host?.isEmpty == false else {
                throw reader.invalid("url", "\"\(url)\" is not an http:// or https:// URL with a host")
            }
            self.url = url
        }
        if let value = try reader.integer("timeoutMs", in: 100...300_000) { timeoutMs = value }
        if let value = try reader.integer("maxInFlight", in: 1...Self.maxInFlightLimit) { maxInFlight = value }
        if let text = try reader.string("ordering") {
            guard let value = Ordering(rawValue: text) else { throw reader.invalid("ordering", "use \"none\" or \"key\"") }
            ordering = value
        }
        if let retryReader = try reader.object("retry") { retry = try Self.retryPolicy(retryReader, current: retry) }
        if let policy = try reader.object("fieldPolicy") { fieldPolicy = try Self.fieldPolicy(policy) }
        if let tlsReader = try reader.object("tls") {
            try tlsReader.allowOnly(["caFile", "clientCertificateFile", "clientKeyFile"])
            var settings = TLSSettings()
            settings.caFile = try tlsReader.string("caFile")
            settings.clientCertificateFile = try tlsReader.string("clientCertificateFile")
            settings.clientKeyFile = try tlsReader.string("clientKeyFile")
            tls = settings
        }
        if reader.has("proxy") { proxy = try reader.string("proxy") }
        if let value = try reader.bool("paused") {
            paused = value
            pausedReason = value ? "paused by an admin" : nil
        }
    }

    private static func retryPolicy(_ reader: SpecReader, current: RetryPolicy) throws -> RetryPolicy {
        try reader.allowOnly(["delaysMs", "retryAfterMaxMs"])
        var delays = current.delays
        if let values = try reader.integers("delaysMs", in: 0...(7 * 86_400_000)) { delays = values.map { .milliseconds($0) } }
        var cap = current.retryAfterMax
        if let value = try reader.integer("retryAfterMaxMs", in: 0...(7 * 86_400_000)) { cap = .milliseconds(value) }
        do {
            return try RetryPolicy(delays: delays, retryAfterMax: cap)
        } catch {
            throw reader.invalid("delaysMs", error.description)
        }
    }

    private static func fieldPolicy(_ reader: SpecReader) throws -> FieldPolicySettings {
        try reader.allowOnly(["allow", "redact", "agreement"])
        var policy = FieldPolicySettings()
        for key in ["allow", "redact"] {
            let paths = try reader.strings(key) ?? []
            for path in paths where !path.hasPrefix("data.") || path.split(separator: ".").count < 2 {
                throw reader.invalid(key, "\"\(path)\" is not a data path; write paths like \"data.nik\"")
            }
            if key == "allow" { policy.allow = paths } else { policy.redact = paths }
        }
        if let agreement = try reader.object("agreement") {
            try agreement.allowOnly(["number", "validUntil"])
            guard let number = try agreement.string("number") else { throw agreement.missing("number") }
            guard let until = try agreement.string("validUntil"), CalendarDate(iso: until) != nil else {
                throw agreement.invalid("validUntil", "write the agreement's last day as YYYY-MM-DD")
            }
            policy.agreement = .init(number: number, validUntil: until)
        }
        return policy
    }

    /// The subscription as the API shows it: everything but the secret.
    public func json(state: JSONValue? = nil) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("name", .string(name)), ("owner", .string(owner)), ("topics", .array(topics.map(JSONValue.string))),
            ("types", .array(types.map(JSONValue.string))), ("url", .string(url)), ("timeoutMs", .int(timeoutMs)),
            ("retry", .object([("delaysMs", .array(retry.delays.map { .int(Self.milliseconds($0)) })),
                               ("retryAfterMaxMs", .int(Self.milliseconds(retry.retryAfterMax)))])),
            ("ordering", .string(ordering.rawValue)), ("maxInFlight", .int(maxInFlight)),
        ]
        if !fieldPolicy.isEmpty {
            var policy: [(String, JSONValue)] = [("allow", .array(fieldPolicy.allow.map(JSONValue.string))),
                                                 ("redact", .array(fieldPolicy.redact.map(JSONValue.string)))]
            if let agreement = fieldPolicy.agreement {
                policy.append(("agreement", .object([("number", .string(agreement.number)),
                                                     ("validUntil", .string(agreement.validUntil))])))
            }
            members.append(("fieldPolicy", .object(policy)))
        }
        if !tls.isEmpty {
            members.append(("tls", .object([("caFile", .optional(tls.caFile)),
                                            ("clientCertificateFile", .optional(tls.clientCertificateFile)),
                                            ("clientKeyFile", .optional(tls.clientKeyFile))])))
        }
        if let proxy { members.append(("proxy", .string(proxy))) }
        members += [("paused", .bool(paused)), ("pausedReason", .optional(pausedReason)), ("createdAt", .string(createdAt))]
        if let state { members.append(("state", state)) }
        return .object(members)
    }

    /// The journal's form: the API form plus the secret.
    func stored() -> [UInt8] {
        guard case .object(var object) = json() else { return [] }
        object["secret"] = .string(secret)
        return JSONWriter.write(.object(object))
    }

    /// Reads a journal entry back (written by `stored()`).
    static func load(_ bytes: [UInt8]) throws -> Subscription {
        guard case .object(let object) = try JSONReader.parse(bytes) else {
            throw BusError.storage("a subscriptions journal entry is not a JSON object")
        }
        let keep = Set(settableKeys + ["name", "secret"])
        var subscription = try create(from: .object(JSONObject(object.members.filter { keep.contains($0.key) })))
        subscription.pausedReason = object["pausedReason"]?.stringValue
        subscription.createdAt = object["createdAt"]?.stringValue ?? subscription.createdAt
        return subscription
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }
}
