/// Event ids and where they landed (a day's worth can be millions), kept in generations so
/// that a snapshot never copies, filters or frees the whole index while publishers wait on
/// the store's lock.
///
/// New ids go to `recent`. A snapshot seals `recent` as the newest frozen generation (O(1)
/// under the lock), merges all frozen generations into one without the expired entries
/// (O(n), outside the lock: frozen generations are never written again), and swaps the
/// merged one in (O(1) under the lock). A lookup tries the generations newest first.
struct EventIndex {
    private var recent: [String: EventLocation] = [:]
    /// Frozen generations, newest first: one after a snapshot, two while one runs.
    private var sealed: [[String: EventLocation]] = []

    /// The newest location of `id`, whatever its age; setting writes the newest generation.
    subscript(id: String) -> EventLocation? {
        get {
            if let location = recent[id] { return location }
            for generation in sealed { if let location = generation[id] { return location } }
            return nil
        }
        set { recent[id] = newValue }
    }

    /// Entries in all generations (an id remembered again counts twice until the next merge).
    var count: Int { sealed.reduce(recent.count) { $0 + $1.count } }

    /// Freezes `recent` and returns every frozen generation, newest first.
    mutating func seal() -> [[String: EventLocation]] {
        if !recent.isEmpty {
            sealed.insert(recent, at: 0)
            recent = [:]
        }
        return sealed
    }

    /// Replaces the frozen generations that `seal()` returned by their merge; returns the
    /// replaced ones so that the caller frees them outside the lock.
    /// - Precondition: no `seal()` since the one the merge started from (one snapshot at a time).
    mutating func replaceSealed(count: Int, with merged: [String: EventLocation]) -> [[String: EventLocation]] {
        precondition(sealed.count == count, "the event index was sealed twice during one snapshot")
        defer { sealed = merged.isEmpty ? [] : [merged] }
        return sealed
    }

    /// Entries merged between two yields of the pool thread.
    static let entriesPerYield = 4096

    /// One generation from frozen ones (newest first), newer entries winning, without the
    /// entries `keep` refuses. Yields its thread every `entriesPerYield` entries: a
    /// million-entry merge must not hold one of the few threads the publishers run on.
    static func merge(_ generations: [[String: EventLocation]], keep: (EventLocation) -> Bool) async -> [String: EventLocation] {
        var merged: [String: EventLocation] = [:]
        merged.reserveCapacity(generations.reduce(0) { $0 + $1.count })
        var sinceYield = 0
        for generation in generations.reversed() {
            for (id, location) in generation {
                if keep(location) { merged[id] = location } else { merged[id] = nil }
                sinceYield += 1
                if sinceYield == entriesPerYield {
                    sinceYield = 0
                    await Task.yield()
                }
            }
        }
        return merged
    }
}
