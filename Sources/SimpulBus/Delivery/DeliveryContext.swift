import Logging
import SimpulDelivery
import SimpulLog

/// How the delivery engine behaves, from the config file's `delivery` section.
public struct DeliverySettings: Sendable {
    /// Which receiver addresses may be connected to (the SSRF guard). Private networks are
    /// refused unless the config allows them.
    public var addressPolicy = AddressPolicy.publicOnly
    public var breaker = CircuitBreaker.Settings()
    /// A subscription failing without a single success for this long is paused (5 days).
    public var pauseAfterFailingMs: Int64 = 5 * 86_400_000
    /// Unsettled events per partition, at least (4 × `maxInFlight` when larger); read-ahead
    /// past the durable cursor is at most four windows, which bounds what a crash can make
    /// the bus send twice.
    public var windowMin = 256
    /// The start of a receiver's answer kept for the attempt history.
    public var responseBytesMax = HTTPDeliveryClientOptions.defaultResponseBytesMax

    public init() {}
}

/// What every subscription's worker shares.
struct DeliveryContext: Sendable {
    /// The topics' events and the delivery cursors (`delivery:<subscription>` positions).
    let store: any LogStore
    let pending: any PendingJournal
    let deadLetters: any DeadLetterJournal
    let attempts: any AttemptRecorder
    let sender: any AsyncDeliveryTransport
    let settings: DeliverySettings
    let pseudonymKey: [UInt8]
    let ops: OpsEvents
    let logger: Logger
    /// Pauses a subscription durably (after days of failure).
    let pause: @Sendable (_ name: String, _ reason: String) async -> Void
    /// With shared journals, the partition leases: a worker reads and sends only the
    /// partitions this node holds. Nil on one node (it delivers everything).
    let leases: (any DeliveryLeases)?

    /// Whether this node delivers `topic`/`partition` of `subscription` now.
    func owns(_ subscription: String, _ topic: String, _ partition: Int) -> Bool {
        guard let leases else { return true }
        return leases.holds(SharedDelivery.leaseName(subscription: subscription, topic: topic, partition: partition))
    }
}
