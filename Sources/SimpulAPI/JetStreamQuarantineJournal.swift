import SimpulBus
import SimpulJetStream
import SimpulLog

/// The quarantine on JetStream: shared journals `quarantine` (entries, followed by every
/// node) and `quarantine-payloads` (raw payload chunks of at most 512 KiB, read by offset),
/// on the node's shared-state connection (closed by its owner). Their errors are `SharedStateError`s, which the bus
/// answers as 503 while the cluster is out of reach.
final class JetStreamQuarantineJournal: QuarantineJournal {
    private let entries: SharedJournal
    private let payloads: SharedJournal
    /// The follower of the entries and the task applying them, once `follow` started them.
    private let follower = Locked<(SharedJournalFollower, Task<Void, Never>)?>(nil)

    init(connection: SharedStateConnection) async throws {
        entries = try await connection.journal("quarantine")
        payloads = try await connection.journal("quarantine-payloads")
    }

    func appendPayload(_ chunks: [[UInt8]]) async throws -> [Int64] {
        var offsets: [Int64] = []
        for chunk in chunks { offsets.append(try await payloads.append(chunk)) }
        return offsets
    }

    func readPayload(from offset: Int64, count: Int) async throws -> [[UInt8]] {
        var chunks: [[UInt8]] = []
        var next = offset
        while chunks.count < count {
            let read = try await payloads.read(from: next, maxEntries: count - chunks.count)
            guard let last = read.last else { break }
            chunks += read.map(\.value)
            next = last.offset + 1
        }
        guard chunks.count == count else {
            throw SharedStateError.unavailable(.requestFailed(
                operation: "reading a quarantined payload", detail: "found \(chunks.count) of its \(count) chunks"))
        }
        return chunks
    }

    func appendEntries(_ values: [[UInt8]]) async throws {
        for value in values { try await entries.append(value) }
    }

    /// Reads the whole journal first (the quarantine is complete when the bus opens), then
    /// follows what any node appends from there.
    func follow(_ apply: @escaping @Sendable ([UInt8]) -> Void) async throws {
        let end = try await entries.endOffset()
        var next: Int64 = 0
        while next < end {
            let read = try await entries.read(from: next)
            guard let last = read.last else { break }
            for entry in read where entry.offset < end { apply(entry.value) }
            next = last.offset + 1
        }
        let follower = try await entries.follow(from: max(next, end))
        let task = Task {
            for await entry in follower.entries { apply(entry.value) }
        }
        self.follower.withLock { $0 = (follower, task) }
    }

    func close() async {
        if let (follower, task) = follower.withLock({ current in defer { current = nil }; return current }) {
            await follower.stop()
            task.cancel()
        }
        await entries.close()
        await payloads.close()
    }
}
