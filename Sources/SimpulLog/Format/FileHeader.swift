/// The header that opens every segment, index and snapshot file.
///
/// ```
///  0          8         10        12        16                24
///  +----------+---------+---------+---------+-----------------+
///  | magic    | version | kind    | crc32c  | base offset     |
///  +----------+---------+---------+---------+-----------------+
///  magic   = "SIMPUL\0\0"
///  version = on-disk format version (1); a newer version is refused, not guessed
///  kind    = 1 segment, 2 offset index, 3 snapshot
///  crc32c  = CRC-32C of bytes 0..<12 and 16..<24
/// ```
struct FileHeader: Equatable {
    enum Kind: UInt16 {
        case segment = 1
        case index = 2
        case snapshot = 3
    }

    static let bytes = 24
    static let magic: [UInt8] = Array("SIMPUL".utf8) + [0, 0]
    static let formatVersion: UInt16 = 1

    var kind: Kind
    var baseOffset: Int64
    var version: UInt16 = FileHeader.formatVersion

    func encoded() -> [UInt8] {
        var bytes = FileHeader.magic
        bytes.appendLittleEndian(version)
        bytes.appendLittleEndian(kind.rawValue)
        bytes.appendLittleEndian(UInt32(0))
        bytes.appendLittleEndian(UInt64(bitPattern: baseOffset))
        let crc = bytes.withUnsafeBytes { FileHeader.checksum($0) }
        bytes.withUnsafeMutableBytes { $0.write(crc, at: 12) }
        return bytes
    }

    enum DecodeError: Error, Equatable {
        case short
        case badMagic
        case badChecksum
        case unknownKind(UInt16)
        case newerVersion(UInt16)
    }

    static func decode(_ bytes: UnsafeRawBufferPointer) throws(DecodeError) -> FileHeader {
        guard bytes.count >= FileHeader.bytes else { throw .short }
        guard bytes[0..<8].elementsEqual(FileHeader.magic) else { throw .badMagic }
        guard bytes.readUInt32(at: 12) == checksum(bytes) else { throw .badChecksum }
        let version = bytes.readUInt16(at: 8)
        guard version <= formatVersion else { throw .newerVersion(version) }
        guard let kind = Kind(rawValue: bytes.readUInt16(at: 10)) else {
            throw .unknownKind(bytes.readUInt16(at: 10))
        }
        return FileHeader(kind: kind, baseOffset: Int64(bitPattern: bytes.readUInt64(at: 16)), version: version)
    }

    private static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        let head = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<12]))
        return CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[16..<24]), continuing: head)
    }
}

extension FileHeader.DecodeError: CustomStringConvertible {
    var description: String {
        switch self {
        case .short: return "the file is shorter than its header"
        case .badMagic: return "the file does not start with Simpul's magic number"
        case .badChecksum: return "the file header's checksum does not match"
        case .unknownKind(let kind): return "unknown file kind \(kind)"
        case .newerVersion(let version):
            return "on-disk format version \(version) is newer than this Simpul understands "
                + "(\(FileHeader.formatVersion)); upgrade Simpul before opening this data"
        }
    }
}

extension FileHeader {
    /// Decodes the header at the start of `bytes` (which may be shorter than a header).
    static func decode(_ bytes: ArraySlice<UInt8>) throws(DecodeError) -> FileHeader {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(DecodeError) -> FileHeader in try decode(raw) }
        }
        return try result.get()
    }
}
