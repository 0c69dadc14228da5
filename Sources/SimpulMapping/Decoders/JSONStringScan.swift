/// Eight bytes at a time through the plain runs of JSON string text, where the reader and
/// the writer otherwise test every byte for a quote, a backslash or a control character
/// (a 180-character title is 23 words instead of 180 bytes).
enum JSONStringScan {
    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// Whether `word` may hold a `"` (0x22), a `\` (0x5C) or a byte below 0x20. Never false
    /// when it holds one (a false true only sends the caller through its byte loop).
    @inline(__always)
    static func mayEndRun(_ word: UInt64) -> Bool {
        // "Has a byte less than n" and "has a zero byte" from Bit Twiddling Hacks; the second
        // applied to the word XOR the byte repeated finds a byte equal to it.
        let control = (word &- ones &* 0x20) & ~word & highBits
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let hasQuote = (quote &- ones) & ~quote & highBits
        let hasBackslash = (backslash &- ones) & ~backslash & highBits
        return (control | hasQuote | hasBackslash) != 0
    }

    /// The eight bytes at `offset` of `buffer`, which must hold them.
    @inline(__always)
    static func word(_ buffer: UnsafeBufferPointer<UInt8>, at offset: Int) -> UInt64? {
        guard offset &+ 8 <= buffer.count, let base = buffer.baseAddress else { return nil }
        return UnsafeRawPointer(base + offset).loadUnaligned(as: UInt64.self)
    }
}
