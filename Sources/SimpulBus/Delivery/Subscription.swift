import SimpulDelivery
import SimpulMapping

/// A receiver of events: which topics and types it wants, where they go, how they are
/// signed and retried, and which fields it may see (DESIGN.md Delivery).
public struct Subscription: Sendable, Equatable {
    public enum Ordering: String, Sendable, CaseIterable {
        /// Events are sent as they come; a retrying event holds nothing back.
        case none
        /// Events with the same `partitionkey` arrive in log order; a retrying event holds
        /// back only the events of its own key.
        case key
    }

    /// Unique, `[a-z0-9][a-z0-9-]{0,62}`: it names the cursor and the DLQ entries.
    public var name: String
    /// The agency or system that receives (for the admin; not used for routing).
    public var owner: String
    public var topics: [String]
    /// Event types wanted; empty means every type on the topics.
    public var types: [String]
    public var url: String
    /// `whsec_` + base64; never shown after creation, never logged.
    public var secret: String
    public var timeoutMs: Int
    public var retry: RetryPolicy
    public var ordering: Ordering
    /// Attempts of this subscription on the wire at once.
    public var maxInFlight: Int
    public var fieldPolicy: FieldPolicySettings
    public var tls: TLSSettings
    public var proxy: String?
    public var paused: Bool
    public var pausedReason: String?
    public var createdAt: String

    public static let defaultTimeoutMs = 10_000
    public static let defaultMaxInFlight = 16
    public static let maxInFlightLimit = 1024
    public static let namePattern = "[a-z0-9][a-z0-9-]{0,62}"

    public static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...63).contains(bytes.count) else { return false }
        func allowed(_ byte: UInt8) -> Bool { (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) || byte == 0x2D }
        return bytes.allSatisfy(allowed) && bytes[0] != 0x2D
    }

    /// Whether an event of `type` on `topic` is for this subscription.
    func wants(topic: String, type: String?) -> Bool {
        guard topics.contains(topic) else { return false }
        guard !types.isEmpty else { return true }
        return type.map(types.contains) ?? false
    }
}

/// Which `data` fields a receiver may see (UU PDP: only what its task needs).
public struct FieldPolicySettings: Sendable, Equatable {
    /// When not empty, only these `data` members are sent (paths like `data.name`).
    public var allow: [String] = []
    /// Paths removed before sending (`data.nik`); identifiers removed also disappear from
    /// `subject` and `partitionkey`, replaced by a keyed pseudonym.
    public var redact: [String] = []
    /// The data-sharing agreement the policy rests on: after `validUntil` the sensitive
    /// fields are no longer sent.
    public var agreement: Agreement?

    public struct Agreement: Sendable, Equatable {
        public var number: String
        /// `YYYY-MM-DD`, the last day the agreement holds (inclusive).
        public var validUntil: String
    }

    /// Personal data of the canonical model that an expired agreement no longer covers.
    public static let sensitivePaths = [
        "data.nik", "data.familyCardNumber", "data.birthDate", "data.birthPlace", "data.religion",
        "data.maritalStatus", "data.address", "data.applicant.nik",
    ]

    public init() {}

    /// Whether the agreement has run out on the day `today` (`YYYY-MM-DD`, UTC).
    public func agreementExpired(today: String) -> Bool {
        guard let agreement else { return false }
        return today > agreement.validUntil
    }

    public var isEmpty: Bool { allow.isEmpty && redact.isEmpty && agreement == nil }
}

/// Per-subscription TLS material (file paths on the server).
public struct TLSSettings: Sendable, Equatable {
    public var caFile: String?
    public var clientCertificateFile: String?
    public var clientKeyFile: String?

    public init() {}

    var isEmpty: Bool { caFile == nil && clientCertificateFile == nil && clientKeyFile == nil }
}
