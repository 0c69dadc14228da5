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
