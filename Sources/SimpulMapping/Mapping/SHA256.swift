/// SHA-256 (FIPS 180-4) in plain Swift: this module links no C library, and event ids
/// need a stable digest of source + key + canonical content.
///
/// Value type; each instance is used by one caller at a time.
public struct SHA256 {
    private var state: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) =
        (0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19)
    /// The partial block, as a tuple so that a hasher allocates nothing.
    private var block: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    private var blockCount = 0
    private var totalBytes: UInt64 = 0

    private static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    public init() {}

    /// Feeds bytes.
    public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        if let handled: Void = bytes.withContiguousStorageIfAvailable({ update(buffer: $0) }) { return handled }
        update(buffer: Array(bytes))
    }

    private mutating func update(buffer: [UInt8]) {
        buffer.withUnsafeBufferPointer { update(buffer: $0) }
    }

    /// Feeds one byte (a separator) without building an array.
    public mutating func update(byte: UInt8) {
        withUnsafePointer(to: byte) { update(buffer: UnsafeBufferPointer(start: $0, count: 1)) }
    }

    private mutating func update(buffer: UnsafeBufferPointer<UInt8>) {
        guard let base = buffer.baseAddress, !buffer.isEmpty else { return }
        totalBytes &+= UInt64(buffer.count)
        var offset = 0
        if blockCount > 0 {
            let taken = min(64 - blockCount, buffer.count)
            withUnsafeMutableBytes(of: &block) { bytes in
                bytes.baseAddress.unsafelyUnwrapped.advanced(by: blockCount).copyMemory(from: base, byteCount: taken)
            }
            blockCount += taken
            offset = taken
            guard blockCount == 64 else { return }
            compressBlock()
            blockCount = 0
        }
        while offset + 64 <= buffer.count {
            compress(base + offset)
            offset += 64
        }
        if offset < buffer.count {
            let rest = buffer.count - offset
            withUnsafeMutableBytes(of: &block) { bytes in
                bytes.baseAddress.unsafelyUnwrapped.copyMemory(from: base + offset, byteCount: rest)
            }
            blockCount = rest
        }
    }

    private mutating func compressBlock() {
        var copy = block
        withUnsafeBytes(of: &copy) { bytes in
            compress(bytes.baseAddress.unsafelyUnwrapped.assumingMemoryBound(to: UInt8.self))
        }
    }

    /// The digest; the instance should not be used afterwards.
    public mutating func finalize() -> [UInt8] {
        finish()
        var digest: [UInt8] = []
        digest.reserveCapacity(32)
        for word in [state.0, state.1, state.2, state.3, state.4, state.5, state.6, state.7] {
            digest += [UInt8(word >> 24), UInt8(word >> 16 & 0xFF), UInt8(word >> 8 & 0xFF), UInt8(word & 0xFF)]
        }
        return digest
    }

    /// Lowercase hex of the digest, built without intermediate arrays.
    public mutating func finalizeHex() -> String {
        finish()
        let digits: StaticString = "0123456789abcdef"
        let words = [state.0, state.1, state.2, state.3, state.4, state.5, state.6, state.7]
        return String(unsafeUninitializedCapacity: 64) { text in
            for (index, word) in words.enumerated() {
                for nibble in 0..<8 {
                    text[index * 8 + nibble] = digits.utf8Start[Int(word >> UInt32(28 - nibble * 4) & 0xF)]
                }
            }
            return 64
        }
    }

    /// Pads and processes the last block(s): 0x80, zeros, then the bit length.
    private mutating func finish() {
        let bitLength = totalBytes &* 8
        withUnsafeMutableBytes(of: &block) { bytes in
            bytes[blockCount] = 0x80
            for index in (blockCount + 1)..<64 { bytes[index] = 0 }
        }
        if blockCount >= 56 {
            compressBlock()
            block = (0, 0, 0, 0, 0, 0, 0, 0)
        }
        withUnsafeMutableBytes(of: &block) { bytes in
            for index in 0..<8 { bytes[56 + index] = UInt8(truncatingIfNeeded: bitLength >> UInt64(56 - index * 8)) }
        }
        compressBlock()
        blockCount = 0
    }

    /// The digest of `bytes`.
    public static func hash<Bytes: Sequence>(_ bytes: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// Lowercase hex of a digest.
    public static func hex(_ digest: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(digest.count * 2)
        for byte in digest {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    // The pointer always addresses 64 readable bytes (a full block). The message
    // schedule lives in a stack buffer: no allocation per block.
    private mutating func compress(_ pointer: UnsafePointer<UInt8>) {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
            for index in 0..<16 {
                let base = pointer + index * 4
                w[index] = UInt32(base[0]) << 24 | UInt32(base[1]) << 16 | UInt32(base[2]) << 8 | UInt32(base[3])
            }
            for index in 16..<64 {
                let s0 = rotr(w[index - 15], 7) ^ rotr(w[index - 15], 18) ^ (w[index - 15] >> 3)
                let s1 = rotr(w[index - 2], 17) ^ rotr(w[index - 2], 19) ^ (w[index - 2] >> 10)
                w[index] = w[index - 16] &+ s0 &+ w[index - 7] &+ s1
            }
            var (a, b, c, d, e, f, g, h) = state
            Self.k.withUnsafeBufferPointer { k in
                for index in 0..<64 {
                    let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
                    let choice = (e & f) ^ (~e & g)
                    let temp1 = h &+ s1 &+ choice &+ k[index] &+ w[index]
                    let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
                    let majority = (a & b) ^ (a & c) ^ (b & c)
                    let temp2 = s0 &+ majority
                    h = g; g = f; f = e; e = d &+ temp1
                    d = c; c = b; b = a; a = temp1 &+ temp2
                }
            }
            state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d,
                     state.4 &+ e, state.5 &+ f, state.6 &+ g, state.7 &+ h)
        }
    }

    @inline(__always) private func rotr(_ value: UInt32, _ count: UInt32) -> UInt32 {
        value >> count | value << (32 - count)
    }
}
