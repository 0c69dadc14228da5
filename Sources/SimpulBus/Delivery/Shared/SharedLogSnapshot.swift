/// The state of a shared journal's entries below `covers`, as entries that rebuild it
/// when applied in order: what is live (pending deliveries, subscriptions).
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

/// What a store keeps of a followed journal: how to apply one entry, how to forget
/// everything (before it is rebuilt from a snapshot), and the entries that rebuild its
/// state (nil: the journal is never compacted).
struct JournalView: Sendable {
    var apply: @Sendable (_ offset: Int64, _ value: [UInt8]) -> Void
    var reset: @Sendable () -> Void
    var snapshot: (@Sendable () -> [[UInt8]])?
    /// false: snapshots only shorten a start, the journal keeps every entry.
    var purgesCovered = true
}

/// A callback kept behind a `Locked`: a struct, because a bare closure there is wrapped
/// in one more reabstraction thunk at every `withLock` (a stack overflow after some
/// hundred thousand calls, debug and release alike).
struct Listener<Argument>: Sendable {
    let call: @Sendable (Argument) -> Void
}
