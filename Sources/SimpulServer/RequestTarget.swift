/// Splits and decodes the request target (the URI of the request line).
///
/// NIO hands us the target as sent; this turns it into the decoded path and query of
/// `HTTPRequest`. Any malformed percent-encoding or non-UTF-8 result is rejected, so a
/// handler never sees bytes that were not text.
public struct RequestTarget: Equatable {
    /// The path as sent (still percent-encoded), always starting with `/` (or `*`).
    var rawPath: String
    /// The percent-decoded path.
    var path: String
    /// Decoded query parameters; the last of repeated keys wins.
    var query: [String: String]

    /// Why a target was refused; the text goes into a `400` body.
    struct Invalid: Error, Equatable {
        var reason: String
    }

    /// Parses an origin-form (`/a/b?x=1`), absolute-form (`http://host/a`) or `*` target.
    static func parse(_ uri: String) throws(Invalid) -> RequestTarget {
        var target = Substring(uri)
        if target.hasPrefix("http"), let schemeEnd = target.firstRange(of: "://") {
            let afterAuthority = target[schemeEnd.upperBound...]
            target = afterAuthority.firstIndex(of: "/").map { afterAuthority[$0...] } ?? "/"
        }
        if target == "*" {
            return RequestTarget(rawPath: "*", path: "*", query: [:])
        }
        guard target.hasPrefix("/") else {
            throw Invalid(reason: "the request target must start with '/'")
        }
        let withoutFragment = target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
        let parts = withoutFragment.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let rawPath = String(parts[0])
        guard let path = percentDecode(rawPath, plusIsSpace: false) else {
            throw Invalid(reason: "the path is not valid percent-encoded UTF-8")
        }
        var query: [String: String] = [:]
        if parts.count == 2 {
            for pair in parts[1].split(separator: "&") {
                let keyValue = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard let key = percentDecode(keyValue[0], plusIsSpace: true),
                    let value = percentDecode(keyValue.count == 2 ? keyValue[1] : "", plusIsSpace: true)
                else {
                    throw Invalid(reason: "the query is not valid percent-encoded UTF-8")
                }
                query[key] = value
            }
        }
        return RequestTarget(rawPath: rawPath, path: path, query: query)
    }

    /// Decodes `%XX` escapes (and `+` as space when asked); `nil` for a bad escape or
    /// bytes that are not UTF-8.
    static func percentDecode<S: StringProtocol>(_ text: S, plusIsSpace: Bool) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue)
                else { return nil }
                bytes.append(high << 4 | low)
            case UInt8(ascii: "+") where plusIsSpace:
                bytes.append(UInt8(ascii: " "))
            default:
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
