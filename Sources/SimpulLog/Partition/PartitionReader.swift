/// Reading a partition: from any kept offset, only what is durable, every frame checked.
extension Partition {
    /// Reads records from `offset` on: at most `maxRecords`, and stopping once `maxBytes`
    /// of values were collected (at least one record is returned when one exists).
    /// Returns an empty array at the end of the partition.
    /// - Throws: `LogError.offsetBeforeStart` for an offset removed by retention;
    ///   `LogError.corruption` naming file and offset when the record at `offset` is damaged.
    public func read(from offset: Int64, maxRecords: Int = 1000, maxBytes: Int = 1 << 20) throws -> [LogRecord] {
        var records: [LogRecord] = []
        var next = offset
        var bytes = 0
        while records.count < maxRecords && bytes < maxBytes {
            guard let view = try segmentView(containing: next) else { break }
            let before = records.count
            try read(view, from: next, maxRecords: maxRecords, maxBytes: maxBytes, into: &records, bytes: &bytes)
            if records.count == before {
                // Nothing more in this segment: continue in the next, if there is one.
                guard view.segmentEndOffset > next, view.segmentEndOffset < view.committedOffset else { break }
                next = view.segmentEndOffset
                continue
            }
            next = (records.last?.offset ?? next) + 1
        }
        return records
    }

    /// A consistent look at one segment, taken under the lock.
    struct SegmentView {
        var segment: Segment
        var endPosition: Int
        var indexCount: Int
        var committedOffset: Int64
        var segmentEndOffset: Int64
    }

    func segmentView(containing offset: Int64) throws -> SegmentView? {
        try state.withLock { state -> SegmentView? in
            guard let first = state.segments.first else { return nil }
            if offset < first.baseOffset {
                throw LogError.offsetBeforeStart(requested: offset, earliest: first.baseOffset)
            }
            guard offset < state.committedOffset else { return nil }
            var low = 0
            var high = state.segments.count - 1
            while low < high {
                let middle = (low + high + 1) / 2
                if state.segments[middle].baseOffset <= offset { low = middle } else { high = middle - 1 }
            }
            let segment = state.segments[low]
            return SegmentView(segment: segment, endPosition: segment.size, indexCount: segment.index.count,
                               committedOffset: state.committedOffset, segmentEndOffset: segment.nextOffset)
        }
    }

    private func read(
        _ view: SegmentView, from offset: Int64, maxRecords: Int, maxBytes: Int,
        into records: inout [LogRecord], bytes: inout Int
    ) throws {
        let segment = view.segment
        var start = (position: FileHeader.bytes, offset: segment.baseOffset)
        if let entry = segment.index.floorEntry(for: UInt32(offset - segment.baseOffset), limit: view.indexCount) {
            start = (Int(entry.position), segment.baseOffset + Int64(entry.relativeOffset))
        }
        let scanner = SegmentScanner(io: io, file: segment.file)
        while true {
            let result = try scanner.scan(from: start.position, to: view.endPosition, firstOffset: start.offset) { _, frame in
                let frameOffset = Int64(bitPattern: frame.readUInt64(at: 8))
                guard frameOffset >= offset else { return true }
                let record = RecordFrame.decode(frame)
                bytes += record.value.count
                records.append(record)
                return records.count < maxRecords && bytes < maxBytes && frameOffset + 1 < view.committedOffset
            }
            guard let problem = result.problem else {
                // A sealed segment shorter than its successor's base: the records between
                // are gone, and a read of one of them must say so, not skip past them.
                if result.nextOffset <= offset && offset < view.segmentEndOffset {
                    throw LogError.corruption(DamageReport(file: segment.name, position: result.position, offset: result.nextOffset,
                        detail: "records \(result.nextOffset)..<\(view.segmentEndOffset) are missing: the segment ends early"))
                }
                return
            }
            if !records.isEmpty && records.last.map({ $0.offset >= offset }) == true { return }
            if result.position == start.position && start.position != FileHeader.bytes {
                start = (FileHeader.bytes, segment.baseOffset)  // a wrong index entry: scan from the top
                continue
            }
            let damage = DamageReport(file: segment.name, position: result.position, offset: result.nextOffset,
                                      detail: problem.description)
            // Records after the damage stay readable: find the next intact frame.
            let reach = 4 * options.indexIntervalBytes + RecordFrame.headerBytes + options.valueBytesMax
            guard let resumed = try scanner.resynchronize(after: result.position, end: view.endPosition,
                                                          above: result.nextOffset, distanceMax: reach),
                  resumed.offset <= offset else {
                throw LogError.corruption(damage)
            }
            start = resumed
        }
    }

    /// Calls `callback` once, as soon as a record at or after `offset` is readable (at once
    /// when one already is) or the partition closes. For a loop that waits on several
    /// partitions and other events at the same time.
    public func notifyWhenRecords(from offset: Int64, _ callback: @escaping @Sendable () -> Void) {
        let registered = state.withLock { state -> Bool in
            if state.committedOffset > offset || state.closed { return false }
            let id = state.nextWaiterID
            state.nextWaiterID += 1
            state.waiters[id] = PartitionState.Waiter(afterOffset: offset) { _ in callback() }
            return true
        }
        if !registered { callback() }
    }

    /// Waits until a record at or after `offset` is readable, or `timeout` passed, or the
    /// partition closed. Returns whether such a record exists.
    public func waitForRecords(from offset: Int64, timeout: Duration) async -> Bool {
        await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let registered: UInt64? = state.withLock { state in
                if state.committedOffset > offset || state.closed { return nil }
                let id = state.nextWaiterID
                state.nextWaiterID += 1
                state.waiters[id] = PartitionState.Waiter(afterOffset: offset) { continuation.resume(returning: $0) }
                return id
            }
            guard let id = registered else {
                continuation.resume(returning: state.withLock { $0.committedOffset > offset })
                return
            }
            Task { [state] in
                try? await Task.sleep(for: timeout)
                let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
                waiter?.resume(false)
            }
        }
    }
}

/// Streams a partition forward from an offset, waiting for new records when it reaches
/// the end. Not shared between tasks: each reader keeps its own cursor.
public struct LogCursor: Sendable {
    public let partition: Partition
    /// The offset the next record returned will have (at least).
    public private(set) var position: Int64

    public init(partition: Partition, from offset: Int64) {
        self.partition = partition
        self.position = offset
    }

    /// The next records, waiting up to `wait` when none is there yet (empty on timeout).
    public mutating func next(maxRecords: Int = 1000, wait: Duration = .zero) async throws -> [LogRecord] {
        var records = try partition.read(from: position, maxRecords: maxRecords)
        if records.isEmpty && wait > .zero {
            if await partition.waitForRecords(from: position, timeout: wait) {
                records = try partition.read(from: position, maxRecords: maxRecords)
            }
        }
        if let last = records.last { position = last.offset + 1 }
        return records
    }
}
