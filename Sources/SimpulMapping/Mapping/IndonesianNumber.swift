/// Numbers written as strings in Indonesian form: `.` groups thousands and `,` marks
/// decimals (`1.234,5` = 1234.5, `20.000` = 20000). Plain digits (`60`) are accepted.
/// A dot that does not group exactly three digits (`1.5`) is refused rather than guessed.
enum IndonesianNumber {
    /// The number as JSON number text, or nil when `text` is not in this form.
    static func parse(_ text: String) -> String? {
        var integer: [UInt8] = []
        var fraction: [UInt8] = []
        var negative = false
        var groupDigits = 0
        var sawGroupDot = false
        var inFraction = false
        for (offset, byte) in text.utf8.enumerated() {
            switch byte {
            case UInt8(ascii: "-") where offset == 0: negative = true
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if inFraction { fraction.append(byte) } else { integer.append(byte); groupDigits += 1 }
            case UInt8(ascii: "."):
                guard !inFraction, !integer.isEmpty, sawGroupDot ? groupDigits == 3 : groupDigits <= 3 else { return nil }
                sawGroupDot = true
                groupDigits = 0
            case UInt8(ascii: ","):
                guard !inFraction, !integer.isEmpty, !sawGroupDot || groupDigits == 3 else { return nil }
                inFraction = true
            default: return nil
            }
        }
        guard !integer.isEmpty, !sawGroupDot || inFraction || groupDigits == 3 else { return nil }
        guard !inFraction || !fraction.isEmpty else { return nil }
        while integer.count > 1 && integer[0] == UInt8(ascii: "0") { integer.removeFirst() }
        var result = negative ? "-" : ""
        result += String(decoding: integer, as: UTF8.self)
        if inFraction { result += "." + String(decoding: fraction, as: UTF8.self) }
        return result
    }
}
