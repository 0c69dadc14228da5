/// An append-only journal for the bus's own state (consumer positions, delivery attempts,
/// DLQ, quarantine): entries in a partition with the same framing and durability as topics,
/// plus a snapshot so that opening does not replay history from the beginning.
///
/// ```
/// <dir>/*.log, *.idx      entries (a partition)
/// <dir>/snapshot.snap     FileHeader (kind 3, base offset = first entry NOT covered)
///                         | state length UInt32 | state CRC-32C UInt32 | state bytes
/// ```
/// A snapshot is written to `snapshot.snap.tmp`, synced, renamed, and the directory synced:
/// after a crash the old or the new snapshot is there, never half of one. Entries wholly
/// below the snapshot are deleted afterwards. Safe from any task.
public final class Journal: Sendable {
    public let partition: Partition
    /// The snapshot found at open, if any.
    public let snapshot: JournalSnapshot?
    let io: any StorageIO

    var snapshotPath: String { partition.directory + "/snapshot.snap" }

    private init(partition: Partition, snapshot: JournalSnapshot?, io: any StorageIO) {
        self.partition = partition
        self.snapshot = snapshot
        self.io = io
    }

    /// Opens (creating if needed) the journal in `directory`.
    /// - Throws: `LogError.corruption` when the snapshot is damaged (never guessed around).
    public static func open(
        directory: String, options: PartitionOptions = PartitionOptions(), io: any StorageIO = PosixStorageIO()
    ) throws -> Journal {
        let partition = try Partition.open(directory: directory, options: options, io: io)
        let path = directory + "/snapshot.snap"
        if io.fileExists(path + ".tmp") { try? io.unlink(path + ".tmp") }
        let snapshot = try storageCall { try AtomicFile.read(path, io: io) }.map { try JournalSnapshot.decode($0, file: path) }
        return Journal(partition: partition, snapshot: snapshot, io: io)
    }

    /// Appends one entry; returns its offset once durable.
    @discardableResult
    public func append(_ entry: [UInt8]) async throws -> Int64 {
        try await partition.append(value: entry)
    }

    /// Appends entries as one contiguous run; returns the offset of the first.
    @discardableResult
    public func append(entries: [[UInt8]]) async throws -> Int64 {
        try await partition.append(entries.map { AppendRecord(value: $0) })
    }

    /// Calls `body` with every entry after the snapshot, in order.
    public func replay(_ body: (LogRecord) throws -> Void) throws {
        var next = max(snapshot?.nextOffset ?? 0, partition.startOffset)
        while true {
            let records = try partition.read(from: next, maxRecords: 4096, maxBytes: 8 << 20)
            guard let last = records.last else { return }
            for record in records { try body(record) }
            next = last.offset + 1
        }
    }

    /// Saves `state` as covering every entry below `nextOffset`, then drops the entries
    /// the snapshot made unnecessary.
    public func writeSnapshot(_ state: [UInt8], nextOffset: Int64) async throws {
        let bytes = JournalSnapshot(state: state, nextOffset: nextOffset).encoded()
        try storageCall { try AtomicFile.write(bytes, to: snapshotPath, io: io) }
        try await partition.deleteSegments(below: nextOffset)
    }

    public func close() async {
        await partition.close()
    }
}

/// A journal's saved state and the first entry it does not cover.
public struct JournalSnapshot: Sendable, Equatable {
    public var state: [UInt8]
    public var nextOffset: Int64

    public init(state: [UInt8], nextOffset: Int64) {
        self.state = state
        self.nextOffset = nextOffset
    }

    func encoded() -> [UInt8] {
        var bytes = FileHeader(kind: .snapshot, baseOffset: nextOffset).encoded()
        bytes.appendLittleEndian(UInt32(state.count))
        bytes.appendLittleEndian(CRC32C.checksum(state))
        bytes += state
        return bytes
    }

    static func decode(_ bytes: [UInt8], file: String) throws -> JournalSnapshot {
        func damaged(_ detail: String) -> LogError {
            .corruption(DamageReport(file: file, position: 0, offset: nil, detail: detail
                + "; the journal cannot be rebuilt without it — restore it from a backup"))
        }
        let header: FileHeader
        do {
            header = try FileHeader.decode(bytes[...])
        } catch .newerVersion(let version) {
            throw LogError.unsupportedFormat(path: file, detail: FileHeader.DecodeError.newerVersion(version).description)
        } catch {
            throw damaged(error.description)
        }
        guard header.kind == .snapshot, bytes.count >= FileHeader.bytes + 8 else { throw damaged("not a snapshot") }
        let length = bytes.withUnsafeBytes { Int($0.readUInt32(at: FileHeader.bytes)) }
        let crc = bytes.withUnsafeBytes { $0.readUInt32(at: FileHeader.bytes + 4) }
        guard bytes.count == FileHeader.bytes + 8 + length else { throw damaged("the snapshot has the wrong length") }
        let state = Array(bytes[(FileHeader.bytes + 8)...])
        guard CRC32C.checksum(state) == crc else { throw damaged("the snapshot's checksum does not match") }
        return JournalSnapshot(state: state, nextOffset: header.baseOffset)
    }
}
