import Foundation

/// The partition's single writer: it batches queued appends into one write and one sync
/// (group commit), rolls segments, applies retention and publishes what became durable.
/// Everything here runs on the writer thread only.
final class PartitionWriter: @unchecked Sendable {
    let partition: Partition
    var options: PartitionOptions { partition.options }
    var io: any StorageIO { partition.io }
    private var staging = Staging()
    private var pendingAcks: [PendingAck] = []
    var unsyncedBytes = 0
    private var lastSync = Date()
    private var lastFreeSpaceCheck = Date.distantPast
    /// Appends answered by the last commit, and how long its sync took: the next batch
    /// waits up to half that long for those appenders to come back (adaptive group commit).
    private var lastBatchAppends = 0
    private var lastSyncSeconds = 0.0

    /// Frames encoded but not yet written, for the active segment.
    struct Staging {
        var buffer: [UInt8] = []
        var startPosition = 0
        var nextOffset: Int64 = 0
        var entries: [(relativeOffset: UInt32, position: UInt32)] = []
        var bytesSinceIndexEntry = 0
        var newestTimestampMs: Int64 = 0
    }

    struct PendingAck {
        var firstOffset: Int64
        var lastOffset: Int64
        var resume: @Sendable (Result<Int64, any Error>) -> Void
    }

    init(partition: Partition) {
        self.partition = partition
        staging.buffer.reserveCapacity(partition.options.unsyncedBytesMax + RecordFrame.headerBytes)
    }

    func run() {
        resetStaging()
        while true {
            var commands = partition.queue.takeAll(waitingUntil: relaxedSyncDeadline())
            gatherStragglers(into: &commands)
            if commands.isEmpty {
                syncIfRelaxedWindowPassed()
                continue
            }
            for command in commands {
                if handle(command) == .stop { return }
            }
            commitStaged()
            syncIfRelaxedWindowPassed()
        }
    }

    /// In durable mode, when fewer appends arrived than the last sync answered, waits a
    /// moment for the rest: one full batch per sync beats two half-empty ones.
    private func gatherStragglers(into commands: inout [WriterCommand]) {
        guard options.durability == .durable, !commands.isEmpty, commands.count < lastBatchAppends else { return }
        let window = min(0.0005, lastSyncSeconds / 2)
        guard window > 0 else { return }
        let deadline = Date().addingTimeInterval(window)
        while commands.count < lastBatchAppends && Date() < deadline {
            let more = partition.queue.takeAll(waitingUntil: deadline)
            if more.isEmpty { break }
            commands += more
        }
    }

    private enum Next { case goOn, stop }

    private func handle(_ command: WriterCommand) -> Next {
        switch command {
        case .append(let records, let resume):
            if let refusal = currentRefusal() {
                resume(.failure(refusal))
            } else {
                stage(records, resume: resume)
            }
        case .retention(let nowMs, let policy, let resume):
            commitStaged()
            resume(Result { try applyRetention(nowMs: nowMs, policy: policy) })
        case .deleteBelow(let offset, let resume):
            commitStaged()
            resume(Result { try deleteSegments(below: offset) })
        case .close(let resume):
            commitStaged()
            closeFiles()
            resume(.success(()))
            return .stop
        }
        return .goOn
    }

    private func currentRefusal() -> LogError? {
        partition.state.withLock { state in
            if state.closed { return LogError.closed }
            if let failure = state.failure {
                return .partitionReadOnly(path: partition.directory, cause: failure.description)
            }
            return nil
        }
    }

    // MARK: Staging and commit

    private func stage(_ records: [AppendRecord], resume: @escaping @Sendable (Result<Int64, any Error>) -> Void) {
        let first = staging.nextOffset
        for record in records {
            let frameBytes = RecordFrame.size(keyCount: record.key.count, valueCount: record.value.count)
            if staging.startPosition + staging.buffer.count + frameBytes > options.segmentBytesMax
                && staging.nextOffset > activeSegment().baseOffset {
                commitStaged()
                if !roll() {
                    failPending(with: nil)
                    resume(.failure(currentRefusal() ?? LogError.storageFull(path: partition.directory)))
                    return
                }
            } else if staging.buffer.count + frameBytes > options.unsyncedBytesMax {
                commitStaged()
            }
            appendFrame(record, frameBytes: frameBytes)
        }
        pendingAcks.append(PendingAck(firstOffset: first, lastOffset: staging.nextOffset - 1, resume: resume))
    }

    private func appendFrame(_ record: AppendRecord, frameBytes: Int) {
        let position = staging.startPosition + staging.buffer.count
        if staging.bytesSinceIndexEntry >= options.indexIntervalBytes {
            let base = activeSegment().baseOffset
            staging.entries.append((UInt32(staging.nextOffset - base), UInt32(position)))
            staging.bytesSinceIndexEntry = 0
        }
        record.key.withUnsafeBytes { key in
            record.value.withUnsafeBytes { value in
                RecordFrame.encode(offset: staging.nextOffset, timestampMs: record.timestampMs,
                                   key: key, value: value, into: &staging.buffer)
            }
        }
        staging.bytesSinceIndexEntry += frameBytes
        staging.newestTimestampMs = max(staging.newestTimestampMs, record.timestampMs)
        staging.nextOffset += 1
    }

    /// Writes and (in durable mode) syncs what is staged, then publishes it and answers
    /// the appends it completed. On failure every staged append fails, none is acknowledged.
    private func commitStaged() {
        guard !staging.buffer.isEmpty else { return answerAcks() }
        let segment = activeSegment()
        do {
            try checkFreeSpace()
            try staging.buffer.withUnsafeBytes { try io.write(segment.file, $0, at: staging.startPosition) }
            unsyncedBytes += staging.buffer.count
            if options.durability == .durable || unsyncedBytes >= options.unsyncedBytesMax {
                try syncActive(segment)
            }
        } catch {
            handleWriteFailure(error, segment: segment)
            return
        }
        publish(segment)
        answerAcks()
    }

    func syncActive(_ segment: Segment) throws {
        let started = Date()
        try io.sync(segment.file)
        unsyncedBytes = 0
        lastSync = Date()
        lastSyncSeconds = lastSync.timeIntervalSince(started)
        partition.state.withLock { $0.syncs += 1 }
    }

    private func publish(_ segment: Segment) {
        let ready = partition.state.withLock { state -> [@Sendable (Bool) -> Void] in
            for entry in staging.entries { segment.index.append(relativeOffset: entry.relativeOffset, position: entry.position) }
            segment.size = staging.startPosition + staging.buffer.count
            segment.nextOffset = staging.nextOffset
            segment.newestTimestampMs = max(segment.newestTimestampMs, staging.newestTimestampMs)
            segment.bytesSinceIndexEntry = staging.bytesSinceIndexEntry
            state.recordsCommitted += staging.nextOffset - state.committedOffset
            state.committedOffset = staging.nextOffset
            return state.takeReadyWaiters()
        }
        segment.flushIndex()
        staging.startPosition = segment.size
        staging.buffer.removeAll(keepingCapacity: true)
        staging.entries.removeAll(keepingCapacity: true)
        for wake in ready { wake(true) }
    }

    /// Answers every pending append whose records are all published.
    private func answerAcks() {
        let committed = partition.state.withLock { $0.committedOffset }
        let before = pendingAcks.count
        defer { if pendingAcks.count < before { lastBatchAppends = before - pendingAcks.count } }
        var remaining: [PendingAck] = []
        for ack in pendingAcks {
            if ack.lastOffset < committed { ack.resume(.success(ack.firstOffset)) } else { remaining.append(ack) }
        }
        pendingAcks = remaining
    }

    private func failPending(with error: LogError?) {
        let failure = error ?? currentRefusal() ?? LogError.storageFull(path: partition.directory)
        for ack in pendingAcks { ack.resume(.failure(failure)) }
        pendingAcks.removeAll()
    }

    /// A full disk during `write` is undone (the file is cut back) and leaves the partition
    /// writable; any other failure, and any failed sync, is sticky (never retry an fsync
    /// and assume the data is safe).
    private func handleWriteFailure(_ error: any Error, segment: Segment) {
        let failure: LogError
        switch error {
        case let logError as LogError:
            failure = logError
        case let storage as StorageError
            where storage.isNoSpace && storage.operation == .write
                && (try? io.truncate(segment.file, to: staging.startPosition)) != nil:
            failure = .storageFull(path: partition.directory)
        case let storage as StorageError:
            failure = .storageFailed(storage)
            partition.state.withLock { $0.failure = failure }
        default:
            failure = .storageFailed(StorageError(.write, path: segment.path, code: 5))
            partition.state.withLock { $0.failure = failure }
        }
        resetStaging()
        failPending(with: failure)
    }

    private func checkFreeSpace() throws {
        let now = Date()
        guard options.durability == .durable || now.timeIntervalSince(lastFreeSpaceCheck) > 0.05 else { return }
        lastFreeSpaceCheck = now
        if let available = try? io.availableBytes(at: partition.directory),
           available < options.freeBytesFloor + staging.buffer.count {
            throw LogError.storageFull(path: partition.directory)
        }
    }

    func resetStaging() {
        let segment = activeSegment()
        staging.buffer.removeAll(keepingCapacity: true)
        staging.entries.removeAll()
        staging.startPosition = segment.size
        staging.nextOffset = segment.nextOffset
        staging.bytesSinceIndexEntry = segment.bytesSinceIndexEntry
        staging.newestTimestampMs = segment.newestTimestampMs
    }

    var unsyncedBytesPending: Bool { unsyncedBytes > 0 }
    var lastSyncDate: Date { lastSync }

    func activeSegment() -> Segment {
        partition.state.withLock { $0.segments[$0.segments.count - 1] }
    }
}
