/// The state of a shared journal's entries below `covers`, as entries that rebuild it
/// when applied in order: what is live (pending deliveries, subscriptions). Defined here
/// because both the bus (which builds it) and the JetStream backend (which stores it) use it.
public struct SharedLogSnapshot: Sendable, Equatable {
    public var covers: Int64
    public var entries: [[UInt8]]
    /// Whether the entries it covers are purged once it is written (not for a journal
    /// whose entries are read by offset later, the DLQ's full records).
    public var purgesCovered: Bool

    public init(covers: Int64, entries: [[UInt8]], purgesCovered: Bool = true) {
        self.covers = covers
        self.entries = entries
        self.purgesCovered = purgesCovered
    }
}

/// What became of a snapshot a node offered.
public enum SharedLogSnapshotOutcome: Sendable, Equatable {
    /// Written, and the journal's entries below its `covers` purged.
    case written
    /// Another node's snapshot already covers the journal below `covers`: nothing written.
    case notNeeded(covers: Int64)
    /// Another node's snapshot was written first and is kept: nothing written.
    case superseded
}
