/// Writes coordinates as JSON number text with a fixed number of decimals, without
/// Foundation's `String(format:)`. Nine decimals of a degree are 0.1 mm on the ground.
enum CoordinateText {
    static let decimals = 9
    private static let scale = 1_000_000_000.0

    /// `117.123456789`, `-1.270000000`.
    static func format(_ value: Double) -> String {
        let magnitude = abs(value)
        guard value.isFinite, magnitude < 1e9 else { return "0" }
        let scaled = UInt64((magnitude * scale).rounded())
        let whole = scaled / UInt64(scale)
        let fraction = String(scaled % UInt64(scale))
        let padding = String(repeating: "0", count: decimals - fraction.utf8.count)
        let sign = value < 0 && scaled != 0 ? "-" : ""
        return "\(sign)\(whole).\(padding)\(fraction)"
    }

    /// True when `text` is a JSON number (RFC 8259 grammar), so that it can be passed on
    /// exactly as the source wrote it.
    static func isJSONNumber(_ text: Substring) -> Bool {
        var bytes = text.utf8[...]
        if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        guard let first = bytes.first, first &- 0x30 <= 9 else { return false }
        bytes = first == UInt8(ascii: "0") ? bytes.dropFirst() : bytes.drop { $0 &- 0x30 <= 9 }
        if bytes.first == UInt8(ascii: ".") {
            let rest = bytes.dropFirst()
            let afterDigits = rest.drop { $0 &- 0x30 <= 9 }
            guard afterDigits.count < rest.count else { return false }
            bytes = afterDigits
        }
        if let marker = bytes.first, marker | 0x20 == UInt8(ascii: "e") {
            var rest = bytes.dropFirst()
            if let sign = rest.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { rest = rest.dropFirst() }
            let afterDigits = rest.drop { $0 &- 0x30 <= 9 }
            guard afterDigits.count < rest.count else { return false }
            bytes = afterDigits
        }
        return bytes.isEmpty
    }
}
