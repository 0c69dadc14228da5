/// Event ids and where they landed (a day's worth can be millions), kept in generations so
/// that a snapshot never copies, filters or frees the whole index while publishers wait on
/// the store's lock.
///
/// New ids go to `recent`. A snapshot seals `recent` as the newest frozen generation (O(1)
/// under the lock), merges all frozen generations into one without the expired entries
/// (O(n), outside the lock: frozen generations are never written again), and swaps the
/// merged one in (O(1) under the lock). A lookup tries the generations newest first.
struct EventIndex {
    typealias Generation = [EventKey: EventLocation]

    private var recent: Generation = [:]
    /// Frozen generations, newest first: one after a snapshot, two while one runs.
    private var sealed: [Generation] = []

    /// The newest location of `id`, whatever its age; setting writes the newest generation.
    subscript(id: String) -> EventLocation? {
        get {
            let key = EventKey(id)
            if let location = recent[key] { return location }
            for generation in sealed { if let location = generation[key] { return location } }
            return nil
        }
        set { recent[EventKey(id)] = newValue }
    }

    /// Entries in all generations (an id remembered again counts twice until the next merge).
    var count: Int { sealed.reduce(recent.count) { $0 + $1.count } }

    /// Freezes `recent` and returns every frozen generation, newest first.
    mutating func seal() -> [Generation] {
        if !recent.isEmpty {
            sealed.insert(recent, at: 0)
            recent = [:]
        }
        return sealed
    }

    /// Replaces the frozen generations that `seal()` returned by their merge; returns the
    /// replaced ones so that the caller frees them outside the lock.
    /// - Precondition: no `seal()` since the one the merge started from (one snapshot at a time).
    mutating func replaceSealed(count: Int, with merged: Generation) -> [Generation] {
        precondition(sealed.count == count, "the event index was sealed twice during one snapshot")
        defer { sealed = merged.isEmpty ? [] : [merged] }
        return sealed
    }

    /// Entries merged between two yields of the pool thread.
    static let entriesPerYield = 4096

    /// One generation from frozen ones (newest first), newer entries winning, without the
    /// entries `keep` refuses. Yields its thread every `entriesPerYield` entries: a
    /// million-entry merge must not hold one of the few threads the publishers run on.
    static func merge(_ generations: [Generation], keep: (EventLocation) -> Bool) async -> Generation {
        var merged: Generation = [:]
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

/// An event id with its hash taken once. The index's probes then compare hashes before
/// bytes (a String key compared the whole id with every occupied bucket on a probe
/// sequence, and a miss, the common case, walks several), and growing or merging a
/// generation rehashes one integer instead of the id.
struct EventKey: Hashable, Sendable {
    let id: String
    private let idHash: Int

    init(_ id: String) {
        self.id = id
        idHash = id.hashValue
    }

    static func == (lhs: EventKey, rhs: EventKey) -> Bool {
        lhs.idHash == rhs.idHash && lhs.id == rhs.id
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(idHash)
    }
}
