/// The record frame, the unit of every segment and journal file.
///
/// ```
///  0        4        8                16               24        28
///  +--------+--------+----------------+----------------+---------+--------+----------+
///  | length | crc32c | offset  UInt64 | time ms  Int64 | keyLen  | key …  | value …  |
///  +--------+--------+----------------+----------------+---------+--------+----------+
///  length = bytes after the length field = 24 + keyLen + valueLen
///  crc32c = CRC-32C of the length field followed by bytes 8 ..< 4 + length
/// ```
/// All integers little-endian. The offset inside the frame lets recovery and `log verify`
/// catch a stale or misplaced chunk, not only a flipped bit; the length is inside the
/// checksum so a garbled length cannot point at a plausible frame.
public enum RecordFrame {
    /// Bytes before the key: length, crc, offset, timestamp, key length.
    public static let headerBytes = 28
    /// Smallest valid value of the length field.
    static let lengthMin = UInt32(headerBytes - 4)
    /// Largest valid value of the length field.
    static let lengthMax = UInt32(headerBytes - 4 + LogLimits.recordKeyBytesMax + LogLimits.recordValueBytesMax)

    /// Bytes one record takes on disk.
    @inline(__always)
    public static func size(keyCount: Int, valueCount: Int) -> Int {
        headerBytes + keyCount + valueCount
    }

    /// Appends the encoded frame to `buffer`.
    static func encode(
        offset: Int64, timestampMs: Int64, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer,
        into buffer: inout [UInt8]
    ) {
        let start = buffer.count
        let total = size(keyCount: key.count, valueCount: value.count)
        buffer.reserveCapacity(start + total)
        buffer.appendLittleEndian(UInt32(total - 4))
        buffer.appendLittleEndian(UInt32(0))  // the checksum, patched below
        buffer.appendLittleEndian(UInt64(bitPattern: offset))
        buffer.appendLittleEndian(UInt64(bitPattern: timestampMs))
        buffer.appendLittleEndian(UInt32(key.count))
        buffer.append(contentsOf: key)
        buffer.append(contentsOf: value)
        buffer.withUnsafeMutableBytes { all in
            let frame = UnsafeMutableRawBufferPointer(rebasing: all[start..<(start + total)])
            frame.write(checksum(UnsafeRawBufferPointer(frame)), at: 4)
        }
    }

    /// The checksum a complete frame must carry.
    @inline(__always)
    static func checksum(_ frame: UnsafeRawBufferPointer) -> UInt32 {
        let lengthPart = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: frame[0..<4]))
        return CRC32C.checksum(UnsafeRawBufferPointer(rebasing: frame[8...]), continuing: lengthPart)
    }

    /// What a look at the bytes at some position found.
    enum Probe: Equatable {
        /// A whole, valid frame of `size` bytes carrying `offset`.
        case valid(offset: Int64, size: Int)
        /// Fewer bytes than a frame header or than the length announces.
        case incomplete
        /// A length outside the valid range (zeros, garbage).
        case badLength(UInt32)
        /// The checksum does not match.
        case badChecksum
    }

    /// Inspects the frame at the start of `bytes` (which may hold more than one frame).
    static func probe(_ bytes: UnsafeRawBufferPointer) -> Probe {
        guard bytes.count >= headerBytes else { return .incomplete }
        let length = bytes.readUInt32(at: 0)
        guard length >= lengthMin, length <= lengthMax else { return .badLength(length) }
        let size = Int(length) + 4
        guard bytes.count >= size else { return .incomplete }
        let frame = UnsafeRawBufferPointer(rebasing: bytes[0..<size])
        guard frame.readUInt32(at: 4) == checksum(frame) else { return .badChecksum }
        let keyCount = Int(frame.readUInt32(at: 24))
        guard keyCount <= size - headerBytes else { return .badChecksum }
        return .valid(offset: Int64(bitPattern: frame.readUInt64(at: 8)), size: size)
    }

    /// Decodes a frame already known to be valid (see `probe`).
    static func decode(_ frame: UnsafeRawBufferPointer) -> LogRecord {
        let keyCount = Int(frame.readUInt32(at: 24))
        return LogRecord(
            offset: Int64(bitPattern: frame.readUInt64(at: 8)),
            timestampMs: Int64(bitPattern: frame.readUInt64(at: 16)),
            key: Array(frame[28..<(28 + keyCount)]),
            value: Array(frame[(28 + keyCount)...]))
    }
}

/// One record read back from the log.
public struct LogRecord: Sendable, Equatable {
    /// Position in its partition; never reused, never moved.
    public var offset: Int64
    /// Milliseconds since 1970 (UTC) at append time.
    public var timestampMs: Int64
    public var key: [UInt8]
    public var value: [UInt8]

    public init(offset: Int64, timestampMs: Int64, key: [UInt8], value: [UInt8]) {
        self.offset = offset
        self.timestampMs = timestampMs
        self.key = key
        self.value = value
    }
}
