/// Opening a partition: find the segments, trust sealed ones after a cheap check of their
/// tail, and recover the newest one from a torn write. Old segments are never read in
/// full unless their index is missing or wrong.
extension Partition {
    /// Opens (creating if needed) the partition in `directory`.
    /// - Throws: `LogError.corruption` when the newest segment is damaged farther from its
    ///   end than a torn write can reach; `LogError.unsupportedFormat` for a newer format;
    ///   `LogError.storageFailed` when the disk refuses.
    public static func open(
        directory: String, options: PartitionOptions = PartitionOptions(), io: any StorageIO = PosixStorageIO()
    ) throws -> Partition {
        let options = try options.validated()
        var report = RecoveryReport(directory: directory)
        let segments = try storageCall {
            try io.makeDirectory(directory)
            return try loadSegments(directory: directory, options: options, io: io, report: &report)
        }
        return Partition(directory: directory, options: options, io: io, segments: segments, report: report)
    }

    private static func loadSegments(
        directory: String, options: PartitionOptions, io: any StorageIO, report: inout RecoveryReport
    ) throws -> [Segment] {
        let names = try io.listDirectory(directory)
        var bases = names.compactMap(SegmentFileName.baseOffset(ofLog:)).sorted()
        for name in names where name.hasSuffix(".idx") {
            if let base = SegmentFileName.baseOffset(ofIndex: name), !bases.contains(base) {
                try io.unlink(directory + "/" + name)
                report.removedFiles.append(name)
            }
        }
        // A newest segment whose header never became durable was being created: no record
        // in it was acknowledged, so it goes (after checking it really holds no record).
        while let last = bases.last, try isHalfCreated(base: last, directory: directory, io: io) {
            try io.unlink(directory + "/" + SegmentFileName.log(last))
            try? io.unlink(directory + "/" + SegmentFileName.index(last))
            try io.syncDirectory(directory)
            report.removedFiles.append(SegmentFileName.log(last))
            bases.removeLast()
            if bases.isEmpty {
                return [try Segment.create(baseOffset: last, directory: directory, io: io, indexCapacity: options.indexCapacity)]
            }
        }
        guard let activeBase = bases.last else {
            return [try Segment.create(baseOffset: 0, directory: directory, io: io, indexCapacity: options.indexCapacity)]
        }
        var segments: [Segment] = []
        for (number, base) in bases.dropLast().enumerated() {
            let nextBase = bases[number + 1]
            segments.append(try openSealed(base: base, nextBase: nextBase, directory: directory,
                                           options: options, io: io, report: &report))
        }
        segments.append(try openActive(base: activeBase, directory: directory, options: options, io: io, report: &report))
        return segments
    }

    private static func isHalfCreated(base: Int64, directory: String, io: any StorageIO) throws -> Bool {
        let path = directory + "/" + SegmentFileName.log(base)
        let file = try io.open(path, mode: .readOnly)
        defer { io.close(file) }
        let size = try io.size(of: file)
        var header = [UInt8](repeating: 0, count: FileHeader.bytes)
        let read = try header.withUnsafeMutableBytes { try io.read(file, into: $0, at: 0) }
        do {
            _ = try FileHeader.decode(header[0..<read])
            return false
        } catch .newerVersion(let version) {
            throw LogError.unsupportedFormat(path: path, detail: FileHeader.DecodeError.newerVersion(version).description)
        } catch {
            // Only a body without any valid record proves nothing was acknowledged here.
            if size <= FileHeader.bytes { return true }
            return try containsNoValidFrame(file, size: size, io: io)
        }
    }

    private static func containsNoValidFrame(_ file: StorageFile, size: Int, io: any StorageIO) throws -> Bool {
        var bytes = [UInt8](repeating: 0, count: min(size, 1 << 16))
        let read = try bytes.withUnsafeMutableBytes { try io.read(file, into: $0, at: 0) }
        return bytes.withUnsafeBytes { raw in
            let probe = RecordFrame.probe(UnsafeRawBufferPointer(rebasing: raw[min(FileHeader.bytes, read)..<read]))
            if case .valid = probe { return false }
            return true
        }
    }
}

/// Turns a raw `StorageError` from opening into the log's typed error.
func storageCall<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as StorageError {
        throw error.isNoSpace ? LogError.storageFull(path: error.path) : LogError.storageFailed(error)
    }
}
