/// A partition frozen for copying: its segments up to a committed end, never a staged,
/// torn or half-written tail. Copying happens outside the partition's lock while appends go
/// on: the captured segments hold their file descriptors, so even a segment that retention
/// unlinks meanwhile stays readable, and bytes below a committed end never change.
struct PartitionCapture {
    struct Piece {
        var baseOffset: Int64
        var file: StorageFile
        /// Bytes to copy: header plus whole frames.
        var size: Int
        /// The index to write beside it (header plus entries pointing below `size`), or nil
        /// when the index is left to be rebuilt on open.
        var index: [UInt8]?
        /// Keeps the descriptor open while the piece is copied (nil for files opened here).
        var owner: Segment?
    }

    var pieces: [Piece]
    var startOffset: Int64
    var endOffset: Int64
    /// Descriptors this capture opened itself (offline captures), closed by `close`.
    var openedFiles: [StorageFile] = []

    /// The committed state of a live partition, taken under its lock.
    static func live(_ partition: Partition) -> PartitionCapture {
        partition.state.withLock { state in
            let pieces = state.segments.map { segment -> Piece in
                var index = FileHeader(kind: .index, baseOffset: segment.baseOffset).encoded()
                index += segment.index.encodedEntries(from: 0)
                return Piece(baseOffset: segment.baseOffset, file: segment.file, size: segment.size, index: index, owner: segment)
            }
            return PartitionCapture(pieces: pieces, startOffset: state.segments.first?.baseOffset ?? 0,
                                    endOffset: state.committedOffset)
        }
    }

    /// The segments of a partition nobody has open: sealed ones whole, the newest up to its
    /// last valid frame (a torn tail is left behind, as recovery would cut it).
    static func offline(directory: String, io: any StorageIO) throws -> PartitionCapture {
        let bases = try io.listDirectory(directory).compactMap(SegmentFileName.baseOffset(ofLog:)).sorted()
        var capture = PartitionCapture(pieces: [], startOffset: bases.first ?? 0, endOffset: bases.first ?? 0)
        do {
            for (number, base) in bases.enumerated() {
                let file = try io.open(directory + "/" + SegmentFileName.log(base), mode: .readOnly)
                capture.openedFiles.append(file)
                var size = try io.size(of: file)
                let isNewest = number == bases.count - 1
                if isNewest {
                    let scan = try SegmentScanner(io: io, file: file).scan(from: FileHeader.bytes, to: size, firstOffset: base)
                    size = max(FileHeader.bytes, min(size, scan.position))
                    capture.endOffset = scan.nextOffset
                }
                let indexPath = directory + "/" + SegmentFileName.index(base)
                let index = isNewest ? nil : try AtomicFile.read(indexPath, io: io)
                capture.pieces.append(Piece(baseOffset: base, file: file, size: size, index: index, owner: nil))
            }
        } catch {
            capture.close(io: io)
            throw error
        }
        return capture
    }

    func close(io: any StorageIO) {
        for file in openedFiles { io.close(file) }
    }

    /// Writes every piece (segment and index) into `target` and syncs them; returns the
    /// files written with their sizes and checksums.
    func write(to target: String, relativeTo root: String, io: any StorageIO) throws -> [BackupManifest.File] {
        var files: [BackupManifest.File] = []
        for piece in pieces {
            let name = SegmentFileName.log(piece.baseOffset)
            let crc = try FileCopy.copy(from: piece.file, bytes: piece.size, to: target + "/" + name, io: io)
            files.append(BackupManifest.File(path: relative(target + "/" + name, to: root), bytes: piece.size, crc32c: crc))
            if let index = piece.index {
                let indexName = SegmentFileName.index(piece.baseOffset)
                try FileCopy.write(index, to: target + "/" + indexName, io: io)
                files.append(BackupManifest.File(path: relative(target + "/" + indexName, to: root), bytes: index.count,
                                                 crc32c: CRC32C.checksum(index)))
            }
        }
        return files
    }
}

func relative(_ path: String, to root: String) -> String {
    path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
}
