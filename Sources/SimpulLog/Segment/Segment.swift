/// One segment file (`[baseOffset].log`) with its sparse index (`[baseOffset].idx`).
///
/// The writer owns `size`, `nextOffset` and index growth; readers see them through the
/// partition's lock. Sealed segments never change again. The descriptor is closed when the
/// last reference goes, so a reader keeps a segment readable even while retention unlinks it.
final class Segment: @unchecked Sendable {
    let baseOffset: Int64
    let directory: String
    let io: any StorageIO
    let file: StorageFile
    let index: OffsetIndex
    /// Bytes of header plus valid frames (the file may be longer only during recovery).
    var size: Int
    /// Offset the next record appended to this segment gets.
    var nextOffset: Int64
    /// Timestamp of the newest record (for retention by age); 0 when empty.
    var newestTimestampMs: Int64
    /// Record bytes written since the last index entry.
    var bytesSinceIndexEntry = 0
    /// Index entries already written to the `.idx` file.
    var indexEntriesOnDisk = 0
    private var indexFile: StorageFile?

    var path: String { directory + "/" + SegmentFileName.log(baseOffset) }
    var indexPath: String { directory + "/" + SegmentFileName.index(baseOffset) }
    var name: String { SegmentFileName.log(baseOffset) }

    init(baseOffset: Int64, directory: String, io: any StorageIO, file: StorageFile, index: OffsetIndex,
         size: Int, nextOffset: Int64, newestTimestampMs: Int64) {
        self.baseOffset = baseOffset
        self.directory = directory
        self.io = io
        self.file = file
        self.index = index
        self.size = size
        self.nextOffset = nextOffset
        self.newestTimestampMs = newestTimestampMs
    }

    deinit {
        io.close(file)
        if let indexFile { io.close(indexFile) }
    }

    /// Creates a new, empty segment and makes its existence durable: header synced, then
    /// the directory synced, before any record in it can be acknowledged.
    static func create(baseOffset: Int64, directory: String, io: any StorageIO, indexCapacity: Int) throws -> Segment {
        let path = directory + "/" + SegmentFileName.log(baseOffset)
        let file = try io.open(path, mode: .readWrite(create: true))
        do {
            try io.truncate(file, to: 0)
            let header = FileHeader(kind: .segment, baseOffset: baseOffset).encoded()
            try header.withUnsafeBytes { try io.write(file, $0, at: 0) }
            try io.sync(file)
            try io.syncDirectory(directory)
        } catch {
            io.close(file)
            throw error
        }
        let segment = Segment(
            baseOffset: baseOffset, directory: directory, io: io, file: file,
            index: OffsetIndex(capacity: indexCapacity), size: FileHeader.bytes,
            nextOffset: baseOffset, newestTimestampMs: 0)
        try segment.rewriteIndexFile()
        return segment
    }

    /// Writes index entries not yet on disk. The index is a cache: no sync, and a failure
    /// here is ignored (the index is rebuilt if it turns out wrong).
    func flushIndex() {
        guard indexEntriesOnDisk < index.count else { return }
        do {
            let file = try openIndexFile()
            let bytes = index.encodedEntries(from: indexEntriesOnDisk)
            let position = FileHeader.bytes + indexEntriesOnDisk * OffsetIndex.entryBytes
            try bytes.withUnsafeBytes { try io.write(file, $0, at: position) }
            indexEntriesOnDisk = index.count
        } catch {
            indexEntriesOnDisk = index.count  // a stale index is detected and rebuilt on open
        }
    }

    /// Replaces the `.idx` file with the entries held in memory (after a rebuild or recovery).
    func rewriteIndexFile() throws {
        let file = try openIndexFile()
        var bytes = FileHeader(kind: .index, baseOffset: baseOffset).encoded()
        bytes += index.encodedEntries(from: 0)
        try io.truncate(file, to: 0)
        try bytes.withUnsafeBytes { try io.write(file, $0, at: 0) }
        indexEntriesOnDisk = index.count
    }

    /// Syncs the index so that the next open can trust it (a clean close or a roll).
    func syncIndex() {
        flushIndex()
        if let indexFile { try? io.sync(indexFile) }
    }

    /// Releases the index descriptor of a sealed segment.
    func closeIndexFile() {
        if let indexFile { io.close(indexFile) }
        indexFile = nil
    }

    private func openIndexFile() throws -> StorageFile {
        if let indexFile { return indexFile }
        let file = try io.open(indexPath, mode: .readWrite(create: true))
        indexFile = file
        return file
    }
}
