import Foundation

/// One record to append.
public struct AppendRecord: Sendable {
    public var key: [UInt8]
    public var value: [UInt8]
    /// Milliseconds since 1970 (UTC); defaults to now.
    public var timestampMs: Int64

    public init(key: [UInt8] = [], value: [UInt8], timestampMs: Int64 = currentTimeMs()) {
        self.key = key
        self.value = value
        self.timestampMs = timestampMs
    }
}

/// Milliseconds since 1970 (UTC).
public func currentTimeMs() -> Int64 {
    Int64(Date().timeIntervalSince1970 * 1000)
}

/// One partition of a topic: a directory of segments, one writer thread, many readers.
///
/// Appends from any task are queued to the writer thread, which writes each batch with one
/// `write` and makes it durable with one `fdatasync` before any append in it returns
/// (group commit). A failed write or sync makes the partition refuse further writes until
/// it is reopened (sticky), except a full disk, which resolves itself once space is freed.
/// Safe from any task or thread.
public final class Partition: Sendable {
    public let directory: String
    public let options: PartitionOptions
    let io: any StorageIO
    let state: Locked<PartitionState>
    let queue: AppendQueue
    /// What opening the partition found.
    public let recoveryReport: RecoveryReport

    init(directory: String, options: PartitionOptions, io: any StorageIO, segments: [Segment], report: RecoveryReport) {
        self.directory = directory
        self.options = options
        self.io = io
        self.recoveryReport = report
        let committed = segments.last?.nextOffset ?? 0
        self.state = Locked(PartitionState(segments: segments, committedOffset: committed))
        self.queue = AppendQueue()
        let writer = PartitionWriter(partition: self)
        let thread = Thread { writer.run() }
        thread.name = "simpul-log-writer"
        thread.qualityOfService = .userInitiated
        thread.start()
        LivePartitions.register(self)
    }

    /// Appends records as one contiguous run; returns the offset of the first (for an
    /// empty run, the offset the next record will get: nothing is written).
    /// Returns only after the records are durable (in the default mode).
    /// - Throws: `LogError` (too large, storage full or failed, read-only, closed).
    public func append(_ records: [AppendRecord]) async throws -> Int64 {
        guard !records.isEmpty else { return endOffset }
        for record in records { try checkLimits(record) }
        return try await withCheckedThrowingContinuation { continuation in
            queue.push(.append(records, { continuation.resume(with: $0) }))
        }
    }

    /// Appends one record; returns its offset once durable.
    public func append(key: [UInt8] = [], value: [UInt8], timestampMs: Int64 = currentTimeMs()) async throws -> Int64 {
        try await append([AppendRecord(key: key, value: value, timestampMs: timestampMs)])
    }

    /// Deletes sealed segments that the retention policy no longer keeps.
    /// Returns how many segments were deleted.
    @discardableResult
    public func enforceRetention(nowMs: Int64 = currentTimeMs()) async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            queue.push(.retention(nowMs: nowMs, policy: options.retention, { continuation.resume(with: $0) }))
        }
    }

    /// Deletes whole sealed segments whose records all lie below `offset` (journal compaction).
    @discardableResult
    public func deleteSegments(below offset: Int64) async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            queue.push(.deleteBelow(offset, { continuation.resume(with: $0) }))
        }
    }

    /// Stops the writer after it finished everything queued, syncs and closes the files.
    public func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            queue.push(.close({ _ in continuation.resume() }))
        }
    }

    /// First offset still kept (retention moves it forward; offsets never move).
    public var startOffset: Int64 { state.withLock { $0.segments.first?.baseOffset ?? 0 } }
    /// One past the last durable (readable) offset.
    public var endOffset: Int64 { state.withLock { $0.committedOffset } }
    /// Total bytes of all segments.
    public var sizeBytes: Int { state.withLock { $0.segments.reduce(0) { $0 + $1.size } } }
    /// Number of segment files.
    public var segmentCount: Int { state.withLock { $0.segments.count } }
    /// Records committed and segment syncs since open.
    public var statistics: (recordsCommitted: Int64, syncs: Int64) {
        state.withLock { ($0.recordsCommitted, $0.syncs) }
    }
    /// The sticky failure that made this partition read-only, if any.
    public var failure: LogError? { state.withLock { $0.failure } }

    func checkLimits(_ record: AppendRecord) throws {
        guard record.value.count <= options.valueBytesMax else {
            throw LogError.recordTooLarge(bytes: record.value.count, limit: options.valueBytesMax)
        }
        guard record.key.count <= LogLimits.recordKeyBytesMax else {
            throw LogError.keyTooLarge(bytes: record.key.count, limit: LogLimits.recordKeyBytesMax)
        }
    }
}

/// What readers and the writer share, always under the partition lock.
struct PartitionState {
    var segments: [Segment]
    /// Records below this offset are durable and readable.
    var committedOffset: Int64
    /// Set by a failed write or sync; the partition refuses writes from then on.
    var failure: LogError?
    var closed = false
    /// Records made durable (or written, in relaxed mode) since open.
    var recordsCommitted: Int64 = 0
    /// `fdatasync` calls on segments since open: records ÷ syncs is the group-commit batch.
    var syncs: Int64 = 0
    var waiters: [UInt64: Waiter] = [:]
    var nextWaiterID: UInt64 = 0

    struct Waiter {
        var afterOffset: Int64
        var resume: @Sendable (Bool) -> Void
    }

    /// Removes and returns the waiters that can now be woken.
    mutating func takeReadyWaiters() -> [@Sendable (Bool) -> Void] {
        let ready = waiters.filter { $0.value.afterOffset < committedOffset || closed }
        for id in ready.keys { waiters[id] = nil }
        return ready.map { $0.value.resume }
    }
}

/// Work for the writer thread.
enum WriterCommand: Sendable {
    case append([AppendRecord], @Sendable (Result<Int64, any Error>) -> Void)
    case retention(nowMs: Int64, policy: RetentionPolicy, @Sendable (Result<Int, any Error>) -> Void)
    case deleteBelow(Int64, @Sendable (Result<Int, any Error>) -> Void)
    case close(@Sendable (Result<Void, Never>) -> Void)
}

/// The writer's inbox: a queue with a condition variable.
final class AppendQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var commands: [WriterCommand] = []

    func push(_ command: WriterCommand) {
        condition.lock()
        commands.append(command)
        condition.signal()
        condition.unlock()
    }

    /// Takes everything queued, waiting until something is or until `deadline`.
    func takeAll(waitingUntil deadline: Date?) -> [WriterCommand] {
        condition.lock()
        defer { condition.unlock() }
        while commands.isEmpty {
            if let deadline {
                if !condition.wait(until: deadline) { break }
            } else {
                condition.wait()
            }
        }
        let taken = commands
        commands.removeAll(keepingCapacity: true)
        return taken
    }
}
