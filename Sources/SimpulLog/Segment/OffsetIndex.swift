/// The sparse offset index of one segment: every `intervalBytes` of records, one entry
/// (offset − base as UInt32, byte position as UInt32).
///
/// ```
///  .idx file:  FileHeader (kind 2, base offset) | entry | entry | …
///  entry:      relative offset UInt32 | position UInt32      (little-endian, 8 bytes)
/// ```
/// The index is a cache (Kafka's `OffsetIndex`): it is written without `fsync`, checked
/// when loaded and when used, and rebuilt from the segment whenever it looks wrong.
///
/// Entries live in a buffer of fixed capacity and are only ever appended, so a reader may
/// use the first `count` entries without a lock once it has read `count` under one.
final class OffsetIndex: @unchecked Sendable {
    static let entryBytes = 8

    let capacity: Int
    private let entries: UnsafeMutablePointer<UInt64>
    /// Written by the partition's writer only; read under the partition lock.
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 1)
        self.entries = .allocate(capacity: self.capacity)
    }

    deinit { entries.deallocate() }

    /// Adds an entry if there is room; entries must grow in both fields.
    func append(relativeOffset: UInt32, position: UInt32) {
        guard count < capacity else { return }
        entries[count] = UInt64(relativeOffset) << 32 | UInt64(position)
        count += 1
    }

    /// Forgets every entry from `newCount` on (after recovery truncated the segment).
    func truncate(to newCount: Int) {
        count = min(count, max(0, newCount))
    }

    func entry(_ index: Int) -> (relativeOffset: UInt32, position: UInt32) {
        let value = entries[index]
        return (UInt32(value >> 32), UInt32(truncatingIfNeeded: value))
    }

    /// The last entry at or before `relativeOffset` among the first `limit` entries.
    func floorEntry(for relativeOffset: UInt32, limit: Int) -> (relativeOffset: UInt32, position: UInt32)? {
        var low = 0
        var high = min(limit, count) - 1
        var found: Int?
        while low <= high {
            let middle = (low + high) / 2
            if entry(middle).relativeOffset <= relativeOffset {
                found = middle
                low = middle + 1
            } else {
                high = middle - 1
            }
        }
        return found.map(entry)
    }

    /// The last entry whose position is at most `position`.
    func lastEntry(atOrBefore position: Int) -> (index: Int, relativeOffset: UInt32, position: UInt32)? {
        var index = count - 1
        while index >= 0 {
            let candidate = entry(index)
            if Int(candidate.position) <= position { return (index, candidate.relativeOffset, candidate.position) }
            index -= 1
        }
        return nil
    }

    /// The file bytes of entries `from ..< count`.
    func encodedEntries(from start: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity((count - start) * OffsetIndex.entryBytes)
        for index in start..<count {
            let value = entry(index)
            bytes.appendLittleEndian(value.relativeOffset)
            bytes.appendLittleEndian(value.position)
        }
        return bytes
    }

    /// Loads entries from index file bytes, accepting only a well-formed, strictly growing
    /// prefix whose positions lie inside the segment. Returns nil when the header is wrong.
    static func load(
        _ bytes: [UInt8], baseOffset: Int64, segmentSize: Int, capacity: Int
    ) -> OffsetIndex? {
        bytes.withUnsafeBytes { raw -> OffsetIndex? in
            guard let header = try? FileHeader.decode(raw), header.kind == .index,
                  header.baseOffset == baseOffset else { return nil }
            let available = (raw.count - FileHeader.bytes) / entryBytes
            let index = OffsetIndex(capacity: max(capacity, available))
            var previous: (UInt32, UInt32)?
            for number in 0..<available {
                let at = FileHeader.bytes + number * entryBytes
                let relative = raw.readUInt32(at: at)
                let position = raw.readUInt32(at: at + 4)
                guard Int(position) >= FileHeader.bytes, Int(position) < segmentSize else { break }
                if let previous, relative <= previous.0 || position <= previous.1 { break }
                index.append(relativeOffset: relative, position: position)
                previous = (relative, position)
            }
            return index
        }
    }
}
