import Foundation

/// Segment roll, retention, relaxed-mode syncing and close: the writer's housekeeping.
extension PartitionWriter {
    /// Seals the active segment and starts a new one at the next offset. The new file's
    /// header and directory entry are durable before the roll returns (L8).
    /// Returns false (with the failure recorded) when the new segment cannot be created.
    func roll() -> Bool {
        let old = activeSegment()
        let base = old.nextOffset
        do {
            if unsyncedBytes > 0 { try syncActive(old) }
            let segment = try Segment.create(
                baseOffset: base, directory: partition.directory, io: io, indexCapacity: options.indexCapacity)
            old.syncIndex()
            old.closeIndexFile()
            partition.state.withLock { $0.segments.append(segment) }
            resetStaging()
            return true
        } catch let error as StorageError {
            try? io.unlink(partition.directory + "/" + SegmentFileName.log(base))
            // A full disk while writing the new header is undone above; a failed sync is sticky.
            if !(error.isNoSpace && error.operation == .write) {
                partition.state.withLock { $0.failure = .storageFailed(error) }
            }
            return false
        } catch {
            return false
        }
    }

    /// Deletes sealed segments the policy no longer keeps, oldest first; never the active
    /// one, and never a segment newer than one that is kept (offsets never move).
    func applyRetention(nowMs: Int64, policy: RetentionPolicy) throws -> Int {
        let doomed: [Segment] = partition.state.withLock { state in
            var total = state.segments.reduce(0) { $0 + $1.size }
            var count = 0
            for segment in state.segments.dropLast() {
                let tooOld = policy.maxAgeMs.map { segment.newestTimestampMs < nowMs - $0 } ?? false
                let tooBig = policy.maxBytes.map { total > $0 } ?? false
                guard tooOld || tooBig else { break }
                total -= segment.size
                count += 1
            }
            return Array(state.segments.prefix(count))
        }
        return try remove(doomed)
    }

    /// Deletes whole sealed segments whose every record lies below `offset`.
    func deleteSegments(below offset: Int64) throws -> Int {
        let doomed: [Segment] = partition.state.withLock { state in
            Array(state.segments.dropLast().prefix { $0.nextOffset <= offset })
        }
        return try remove(doomed)
    }

    private func remove(_ doomed: [Segment]) throws -> Int {
        guard !doomed.isEmpty else { return 0 }
        partition.state.withLock { $0.segments.removeFirst(doomed.count) }
        // The .log goes first: a crash in between leaves an orphan .idx, removed on open.
        try storageCall {
            for segment in doomed {
                try io.unlink(segment.path)
                try? io.unlink(segment.indexPath)
            }
            try io.syncDirectory(partition.directory)
        }
        return doomed.count
    }

    /// In relaxed mode: when the next periodic sync is due, nil otherwise.
    func relaxedSyncDeadline() -> Date? {
        guard case .relaxedMayLoseAcknowledgedRecords(let intervalMs) = options.durability, unsyncedBytesPending else {
            return nil
        }
        return lastSyncDate.addingTimeInterval(Double(intervalMs) / 1000)
    }

    func syncIfRelaxedWindowPassed() {
        guard let deadline = relaxedSyncDeadline(), deadline <= Date() else { return }
        let segment = activeSegment()
        do {
            try syncActive(segment)
        } catch let error as StorageError {
            partition.state.withLock { $0.failure = .storageFailed(error) }
        } catch {}
    }

    /// Final sync and close: every staged record is written, synced, and the index saved.
    func closeFiles() {
        let segment = activeSegment()
        if unsyncedBytesPending { try? syncActive(segment) }
        segment.syncIndex()
        let waiters = partition.state.withLock { state -> [@Sendable (Bool) -> Void] in
            state.closed = true
            return state.takeReadyWaiters()
        }
        for wake in waiters { wake(false) }
    }
}
