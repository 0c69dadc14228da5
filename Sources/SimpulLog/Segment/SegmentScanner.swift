/// Walks the frames of a segment file forward, checking each one: length, checksum and
/// that offsets follow each other with no gap. Recovery, index rebuilds, reads and
/// `log verify` all use it, so they agree on what "valid" means.
struct SegmentScanner {
    /// Where and why a scan stopped early.
    enum Problem: Equatable, CustomStringConvertible {
        case incomplete
        case badLength(UInt32)
        case badChecksum
        case offsetMismatch(expected: Int64, found: Int64)

        var description: String {
            switch self {
            case .incomplete: return "the record is cut short"
            case .badLength(let length): return "impossible record length \(length)"
            case .badChecksum: return "checksum mismatch"
            case .offsetMismatch(let expected, let found):
                return "record carries offset \(found) where \(expected) was expected (stale or misplaced data)"
            }
        }
    }

    struct Result {
        /// Position just after the last valid frame visited.
        var position: Int
        /// Offset the next frame would carry.
        var nextOffset: Int64
        /// Why the scan stopped before `end`, or nil if it reached `end` or the visitor stopped it.
        var problem: Problem?
    }

    static let chunkBytes = 1 << 20

    let io: any StorageIO
    let file: StorageFile

    /// Scans from `start` (a frame boundary whose frame carries `firstOffset`) to `end`.
    /// `visit` gets each valid frame with its position and returns false to stop.
    func scan(
        from start: Int, to end: Int, firstOffset: Int64,
        visit: (_ position: Int, _ frame: UnsafeRawBufferPointer) throws -> Bool = { _, _ in true }
    ) throws -> Result {
        var buffer = [UInt8](repeating: 0, count: min(Self.chunkBytes, max(end - start, 0)) + RecordFrame.headerBytes)
        var bufferStart = start
        var bufferCount = 0
        var position = start
        var expected = firstOffset
        func refill(atLeast needed: Int) throws {
            let readCount = min(max(Self.chunkBytes, needed), end - position)
            if buffer.count < readCount { buffer = [UInt8](repeating: 0, count: readCount) }
            bufferCount = try buffer.withUnsafeMutableBytes { raw in
                try io.read(file, into: UnsafeMutableRawBufferPointer(rebasing: raw[0..<readCount]), at: position)
            }
            bufferStart = position
        }
        while position < end {
            if position - bufferStart + RecordFrame.headerBytes > bufferCount {
                try refill(atLeast: RecordFrame.headerBytes)
            }
            let needed = Int(frameLengthOrZero(buffer, at: position - bufferStart, count: bufferCount))
            if needed > bufferCount - (position - bufferStart) && needed <= end - position {
                try refill(atLeast: needed)
            }
            let offsetInBuffer = position - bufferStart
            let verdict: (problem: Problem?, size: Int, keepGoing: Bool) = try buffer.withUnsafeBytes { raw in
                let window = UnsafeRawBufferPointer(rebasing: raw[offsetInBuffer..<bufferCount])
                switch RecordFrame.probe(window) {
                case .incomplete: return (.incomplete, 0, false)
                case .badLength(let length): return (.badLength(length), 0, false)
                case .badChecksum: return (.badChecksum, 0, false)
                case .valid(let offset, let size):
                    guard offset == expected else { return (.offsetMismatch(expected: expected, found: offset), 0, false) }
                    let keepGoing = try visit(position, UnsafeRawBufferPointer(rebasing: window[0..<size]))
                    return (nil, size, keepGoing)
                }
            }
            if let problem = verdict.problem {
                return Result(position: position, nextOffset: expected, problem: problem)
            }
            position += verdict.size
            expected += 1
            if !verdict.keepGoing { break }
        }
        return Result(position: position, nextOffset: expected, problem: nil)
    }

    /// The whole frame size announced at `offset`, or 0 when not readable yet.
    private func frameLengthOrZero(_ buffer: [UInt8], at offset: Int, count: Int) -> UInt32 {
        guard offset >= 0, offset + 4 <= count else { return 0 }
        let length = buffer.withUnsafeBytes { $0.readUInt32(at: offset) }
        guard length <= RecordFrame.lengthMax else { return 0 }
        return length + 4
    }

    /// The first intact frame after `position` (and before `end`, and within `distanceMax`
    /// bytes when given) carrying an offset above `offset`: where reading resumes after a
    /// damaged place, so that records on the far side stay readable.
    func resynchronize(after position: Int, end: Int, above offset: Int64, distanceMax: Int? = nil) throws
        -> (position: Int, offset: Int64)? {
        let limit = min(end, distanceMax.map { position + $0 } ?? end)
        let stepBytes = 4 << 20
        var chunkStart = position + 1
        while chunkStart < limit {
            let count = min(stepBytes + RecordFrame.headerBytes + Int(RecordFrame.lengthMax), end - chunkStart)
            var bytes = [UInt8](repeating: 0, count: count)
            let read = try bytes.withUnsafeMutableBytes { try io.read(file, into: $0, at: chunkStart) }
            let candidates = min(read, stepBytes, limit - chunkStart)
            let found = bytes.withUnsafeBytes { raw -> (Int, Int64)? in
                for shift in 0..<candidates {
                    if case .valid(let found, _) = RecordFrame.probe(UnsafeRawBufferPointer(rebasing: raw[shift..<read])),
                       found > offset {
                        return (chunkStart + shift, found)
                    }
                }
                return nil
            }
            if let found { return found }
            chunkStart += stepBytes
        }
        return nil
    }
}
