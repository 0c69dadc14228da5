/// Copies and writes for backups and restores: whole files written, synced, and checked
/// by CRC-32C as they stream through.
enum FileCopy {
    static let chunkBytes = 1 << 20

    /// Copies the first `bytes` bytes of an open file to a new file at `target` (synced);
    /// returns their CRC-32C.
    static func copy(from source: StorageFile, bytes: Int, to target: String, io: any StorageIO) throws -> UInt32 {
        let output = try io.open(target, mode: .readWrite(create: true))
        defer { io.close(output) }
        try io.truncate(output, to: 0)
        var buffer = [UInt8](repeating: 0, count: min(chunkBytes, max(bytes, 1)))
        var position = 0
        var crc: UInt32 = 0
        while position < bytes {
            let wanted = min(buffer.count, bytes - position)
            let read = try buffer.withUnsafeMutableBytes { raw in
                try io.read(source, into: UnsafeMutableRawBufferPointer(rebasing: raw[0..<wanted]), at: position)
            }
            guard read > 0 else {
                throw StorageError(.read, path: target, code: 5)  // the source ended before its committed size
            }
            try buffer.withUnsafeBytes { raw in
                let chunk = UnsafeRawBufferPointer(rebasing: raw[0..<read])
                crc = CRC32C.checksum(chunk, continuing: crc)
                try io.write(output, chunk, at: position)
            }
            position += read
        }
        try io.sync(output)
        return crc
    }

    /// Copies a whole file by path; returns its size and CRC-32C.
    static func copy(path source: String, to target: String, io: any StorageIO) throws -> (bytes: Int, crc32c: UInt32) {
        let input = try io.open(source, mode: .readOnly)
        defer { io.close(input) }
        let size = try io.size(of: input)
        return (size, try copy(from: input, bytes: size, to: target, io: io))
    }

    /// Writes `bytes` as a new file at `target`, synced.
    static func write(_ bytes: [UInt8], to target: String, io: any StorageIO) throws {
        let output = try io.open(target, mode: .readWrite(create: true))
        defer { io.close(output) }
        try io.truncate(output, to: 0)
        try bytes.withUnsafeBytes { try io.write(output, $0, at: 0) }
        try io.sync(output)
    }

    /// Size and CRC-32C of a file, read in chunks.
    static func checksum(path: String, io: any StorageIO) throws -> (bytes: Int, crc32c: UInt32) {
        let input = try io.open(path, mode: .readOnly)
        defer { io.close(input) }
        let size = try io.size(of: input)
        var buffer = [UInt8](repeating: 0, count: min(chunkBytes, max(size, 1)))
        var position = 0
        var crc: UInt32 = 0
        while position < size {
            let read = try buffer.withUnsafeMutableBytes { raw in
                try io.read(input, into: UnsafeMutableRawBufferPointer(rebasing: raw[0..<min(raw.count, size - position)]), at: position)
            }
            guard read > 0 else { break }
            crc = buffer.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<read]), continuing: crc) }
            position += read
        }
        return (position, crc)
    }
}
