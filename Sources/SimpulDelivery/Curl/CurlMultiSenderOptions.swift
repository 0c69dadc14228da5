/// Limits of a `CurlMultiSender` (DESIGN.md hard rule: every limit is named and enforced).
public struct CurlMultiSenderOptions: Sendable, Equatable {
    /// Transfers in flight at once, which is also the most connections open at once (one
    /// HTTP/1.1 request per connection at a time). Further sends wait in the sender's queue,
    /// and their timeout starts only when their transfer does.
    public var transfersMax: Int
    /// Connections to one host and port at once; 0 leaves only `transfersMax`. A transfer
    /// over this limit waits inside curl for a free connection, and that wait counts
    /// against its timeout.
    public var connectionsPerHostMax: Int
    /// Configured curl handles kept for reuse when idle, across all option sets.
    public var idleHandlesMax: Int

    /// The defaults: 256 transfers, no per-host limit, 256 idle handles.
    public static let defaultTransfersMax = 256

    /// Creates limits.
    public init(transfersMax: Int = defaultTransfersMax, connectionsPerHostMax: Int = 0,
                idleHandlesMax: Int = defaultTransfersMax) {
        self.transfersMax = transfersMax
        self.connectionsPerHostMax = connectionsPerHostMax
        self.idleHandlesMax = idleHandlesMax
    }

    /// Throws when a limit cannot work, saying which and why.
    func validate() throws(DeliveryError) {
        guard transfersMax >= 1 else {
            throw .setup(detail: "transfersMax is \(transfersMax); at least 1 transfer must be allowed")
        }
        guard connectionsPerHostMax >= 0 else {
            throw .setup(detail: "connectionsPerHostMax is \(connectionsPerHostMax); use 0 for no per-host limit, or a positive number")
        }
        guard idleHandlesMax >= 0 else {
            throw .setup(detail: "idleHandlesMax is \(idleHandlesMax); it must not be negative")
        }
    }
}
