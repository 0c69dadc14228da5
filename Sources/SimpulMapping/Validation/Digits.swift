/// Byte-level digit helpers for the identifier validators. They work on the UTF-8 view
/// directly (no regex, no intermediate arrays): the mapping hot path calls them once per
/// field of every record.
enum Digits {
    /// True when `text` is exactly `count` ASCII digits.
    static func isDigits(_ text: String, count: Int) -> Bool {
        let utf8 = text.utf8
        guard utf8.count == count else { return false }
        for byte in utf8 where byte &- 0x30 > 9 { return false }
        return true
    }

    /// True when `text` is `min...max` ASCII digits.
    static func isDigits(_ text: String, countIn range: ClosedRange<Int>) -> Bool {
        let utf8 = text.utf8
        guard range.contains(utf8.count) else { return false }
        for byte in utf8 where byte &- 0x30 > 9 { return false }
        return true
    }

    /// The value of `length` ASCII digits starting at byte `offset`; the caller has
    /// already checked that they are digits.
    static func value(_ text: String, offset: Int, length: Int) -> Int {
        var result = 0
        var index = text.utf8.index(text.utf8.startIndex, offsetBy: offset)
        for _ in 0..<length {
            result = result * 10 + Int(text.utf8[index] &- 0x30)
            index = text.utf8.index(after: index)
        }
        return result
    }
}
