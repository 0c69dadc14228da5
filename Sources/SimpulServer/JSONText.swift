/// Minimal JSON text building for error bodies, without Foundation.
///
/// Only strings need care: RFC 8259 §7 requires escaping `"`, `\` and the control
/// characters U+0000…U+001F; everything else may pass as UTF-8.
public enum JSONText {
    /// `value` as a JSON string literal, quotes included.
    public static func string(_ value: String) -> String {
        var out = "\""
        out.reserveCapacity(value.utf8.count + 2)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case _ where scalar.value < 0x20:
                out += "\\u00" + hexDigit(scalar.value >> 4) + hexDigit(scalar.value & 0xF)
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
        return out
    }

    /// `{"error":{"code":…,"message":…}}` with both values escaped.
    public static func errorBody(code: String, message: String) -> String {
        "{\"error\":{\"code\":\(string(code)),\"message\":\(string(message))}}"
    }

    private static func hexDigit(_ value: UInt32) -> String {
        String(UnicodeScalar(UInt8(value < 10 ? 48 + value : 87 + value)))
    }
}
