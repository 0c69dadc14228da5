/// Opening one segment during recovery: the index is loaded and checked, the tail of the
/// segment is scanned from the last usable index entry, and the index is extended (or
/// rebuilt) on the way.
extension Partition {
    /// A sealed segment: damage is reported, never cut; its records stay readable around it.
    static func openSealed(
        base: Int64, nextBase: Int64, directory: String, options: PartitionOptions, io: any StorageIO,
        report: inout RecoveryReport
    ) throws -> Segment {
        let name = SegmentFileName.log(base)
        let file = try io.open(directory + "/" + name, mode: .readOnly)
        let size = try io.size(of: file)
        if let problem = try headerProblem(file, base: base, io: io) {
            report.damage.append(DamageReport(file: name, position: 0, offset: base, detail: problem))
        }
        let tail = try scanTail(file: file, base: base, size: size, durableFloor: size, directory: directory,
                                options: options, io: io, report: &report)
        if let problem = tail.problem {
            report.damage.append(DamageReport(file: name, position: tail.end, offset: tail.nextOffset,
                                              detail: problem.description))
        } else if tail.nextOffset != nextBase {
            report.damage.append(DamageReport(file: name, position: tail.end, offset: tail.nextOffset, detail:
                "the segment ends before offset \(tail.nextOffset) but the next segment starts at \(nextBase) "
                + "(records are missing: a truncated or replaced file)"))
        }
        tail.segment.nextOffset = nextBase
        tail.segment.size = size
        tail.segment.closeIndexFile()
        return tail.segment
    }

    /// The newest segment: a torn tail within `unsyncedBytesMax` of the end was never
    /// acknowledged and is cut off (and reported); damage farther back is refused.
    /// The most intact data a torn write can leave after a hole: pages of one write reaching
    /// the disk out of order. More than this after a damaged place is damage, not a tear.
    static let tornWriteIntactBytesMax = 1 << 20

    static func openActive(
        base: Int64, directory: String, options: PartitionOptions, io: any StorageIO, report: inout RecoveryReport
    ) throws -> Segment {
        let name = SegmentFileName.log(base)
        let file = try io.open(directory + "/" + name, mode: .readWrite(create: false))
        let size = try io.size(of: file)
        if let problem = try headerProblem(file, base: base, io: io) {
            io.close(file)
            throw LogError.corruption(DamageReport(file: name, position: 0, offset: base, detail: problem))
        }
        let floor = max(FileHeader.bytes, size - options.unsyncedBytesMax)
        let tail = try scanTail(file: file, base: base, size: size, durableFloor: floor, directory: directory,
                                options: options, io: io, report: &report)
        if let problem = tail.problem {
            guard tail.end >= floor else {
                throw LogError.corruption(DamageReport(file: name, position: tail.end, offset: tail.nextOffset, detail:
                    problem.description + ", farther from the end than a torn write reaches; "
                    + "refusing to cut acknowledged records — restore this file from a backup"))
            }
            // A torn write leaves garbage only at the end. Intact records well past the damaged
            // place mean damage inside acknowledged data: cutting there would lose them silently.
            if let resumed = try SegmentScanner(io: io, file: file).resynchronize(after: tail.end, end: size, above: tail.nextOffset - 1),
               size - resumed.position > tornWriteIntactBytesMax {
                io.close(file)
                throw LogError.corruption(DamageReport(file: name, position: tail.end, offset: tail.nextOffset, detail:
                    problem.description + ", and \(size - resumed.position) bytes of intact records follow it from offset "
                    + "\(resumed.offset): this is damage, not a torn write; refusing to cut acknowledged records — "
                    + "run `simpul log verify` and restore this file from a backup"))
            }
            try io.truncate(file, to: tail.end)
            try io.sync(file)
            report.truncatedBytes = size - tail.end
            report.truncatedAtOffset = tail.nextOffset
            report.truncatedFile = name
        }
        try tail.segment.rewriteIndexFile()
        return tail.segment
    }

    private struct Tail {
        var segment: Segment
        var end: Int
        var nextOffset: Int64
        var problem: SegmentScanner.Problem?
    }

    /// Scans from the last index entry at or before `durableFloor` to the end of the file,
    /// extending the index; falls back to a full scan (index rebuild) when the index is
    /// missing or its entry does not point at the record it names.
    private static func scanTail(
        file: StorageFile, base: Int64, size: Int, durableFloor: Int, directory: String,
        options: PartitionOptions, io: any StorageIO, report: inout RecoveryReport
    ) throws -> Tail {
        let name = SegmentFileName.log(base)
        let capacity = max(options.indexCapacity, size / options.indexIntervalBytes + 2)
        let loaded = try loadIndex(directory: directory, base: base, size: size, capacity: capacity, io: io)
        var index = loaded ?? OffsetIndex(capacity: capacity)
        var start = (position: FileHeader.bytes, offset: base)
        if let entry = index.lastEntry(atOrBefore: durableFloor) {
            index.truncate(to: entry.index + 1)
            start = (Int(entry.position), base + Int64(entry.relativeOffset))
        } else {
            index.truncate(to: 0)
        }
        var result = try scanFrames(file: file, base: base, from: start, size: size, index: index, options: options, io: io)
        var rebuilt = loaded == nil && size > FileHeader.bytes
        if result.scan.problem != nil && result.scan.position == start.position && start.position != FileHeader.bytes {
            // The index entry does not point at the record it names: the index is wrong.
            index = OffsetIndex(capacity: capacity)
            start = (FileHeader.bytes, base)
            result = try scanFrames(file: file, base: base, from: start, size: size, index: index, options: options, io: io)
            rebuilt = true
        }
        if rebuilt { report.rebuiltIndexes.append(name) }
        let segment = Segment(
            baseOffset: base, directory: directory, io: io, file: file, index: index,
            size: result.scan.position, nextOffset: result.scan.nextOffset, newestTimestampMs: result.newestTimestampMs)
        segment.bytesSinceIndexEntry = result.bytesSinceIndexEntry
        return Tail(segment: segment, end: result.scan.position, nextOffset: result.scan.nextOffset,
                    problem: result.scan.problem)
    }

    private static func scanFrames(
        file: StorageFile, base: Int64, from start: (position: Int, offset: Int64), size: Int, index: OffsetIndex,
        options: PartitionOptions, io: any StorageIO
    ) throws -> (scan: SegmentScanner.Result, newestTimestampMs: Int64, bytesSinceIndexEntry: Int) {
        var newest: Int64 = 0
        var bytesSince = 0
        let scan = try SegmentScanner(io: io, file: file).scan(from: start.position, to: size, firstOffset: start.offset) {
            position, frame in
            if bytesSince >= options.indexIntervalBytes {
                let offset = Int64(bitPattern: frame.readUInt64(at: 8))
                index.append(relativeOffset: UInt32(offset - base), position: UInt32(position))
                bytesSince = 0
            }
            bytesSince += frame.count
            newest = max(newest, Int64(bitPattern: frame.readUInt64(at: 16)))
            return true
        }
        return (scan, newest, bytesSince)
    }

    private static func loadIndex(directory: String, base: Int64, size: Int, capacity: Int, io: any StorageIO) throws -> OffsetIndex? {
        let path = directory + "/" + SegmentFileName.index(base)
        guard io.fileExists(path), let file = try? io.open(path, mode: .readOnly) else { return nil }
        defer { io.close(file) }
        let count = try io.size(of: file)
        guard count >= FileHeader.bytes, count <= capacity * OffsetIndex.entryBytes + FileHeader.bytes else { return nil }
        var bytes = [UInt8](repeating: 0, count: count)
        let read = try bytes.withUnsafeMutableBytes { try io.read(file, into: $0, at: 0) }
        return OffsetIndex.load(Array(bytes[0..<read]), baseOffset: base, segmentSize: size, capacity: capacity)
    }

    /// Why the segment header is unusable, or nil when it is fine.
    private static func headerProblem(_ file: StorageFile, base: Int64, io: any StorageIO) throws -> String? {
        var bytes = [UInt8](repeating: 0, count: FileHeader.bytes)
        let read = try bytes.withUnsafeMutableBytes { try io.read(file, into: $0, at: 0) }
        do {
            let header = try FileHeader.decode(bytes[0..<read])
            guard header.kind == .segment else { return "the file is not a segment" }
            guard header.baseOffset == base else {
                return "the header names base offset \(header.baseOffset) but the file name says \(base)"
            }
            return nil
        } catch .newerVersion(let version) {
            throw LogError.unsupportedFormat(path: SegmentFileName.log(base),
                                             detail: FileHeader.DecodeError.newerVersion(version).description)
        } catch {
            return error.description
        }
    }
}
