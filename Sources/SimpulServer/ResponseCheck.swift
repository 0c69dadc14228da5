/// Checks a handler's response before it reaches the wire.
///
/// A handler bug must not become a hung or corrupted connection: NIO refuses to encode a
/// header with CR/LF (the write would fail and the client would wait forever), and a body
/// on a `204`/`304` would be read as the start of the next response. Such a response is
/// replaced by a `500` that says it is a bug.
enum ResponseCheck {
    /// What is wrong with `response`, or `nil` when it can be sent as is.
    static func problem(in response: HTTPResponse) -> String? {
        guard (200...999).contains(response.status) else {
            return "the handler returned status \(response.status), which cannot be a final response"
        }
        if response.status == 204 || response.status == 304, !response.body.isEmpty {
            return "the handler returned a body with status \(response.status), which cannot carry one"
        }
        for (name, value) in response.headers {
            guard !name.isEmpty, name.utf8.allSatisfy(isTokenByte) else {
                return "the handler returned a header name that is not an HTTP token"
            }
            guard value.utf8.allSatisfy(isFieldValueByte) else {
                return "the handler returned a control character in the value of header \(name)"
            }
        }
        return nil
    }

    /// Whether a response with this status carries `Content-Length` (RFC 9110 §8.6: never
    /// on 1xx and 204; on 304 it would describe the unsent representation).
    static func hasContentLength(status: Int) -> Bool {
        status != 204 && status != 304
    }

    /// RFC 9110 §5.6.2 `tchar`.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }

    /// RFC 9110 §5.5 field value bytes: visible, space, tab and obs-text; no CR, LF, NUL, DEL.
    private static func isFieldValueByte(_ byte: UInt8) -> Bool {
        byte == 0x09 || (byte >= 0x20 && byte != 0x7F)
    }
}
