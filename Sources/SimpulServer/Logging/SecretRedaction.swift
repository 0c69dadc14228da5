/// Replaces what looks like a credential with `[redacted]` before a log line is written.
///
/// Tokens and signing secrets are never passed to a logger (DESIGN.md hard rule); this is
/// the second line of defence against a mistake. It recognises Simpul's own tokens
/// (`spl_adm_…`, `spl_pub_…`, `spl_con_…`), Standard Webhooks secrets (`whsec_…`) and
/// the credential after `Bearer `, each starting a word; the prefix stays so that the line
/// still says what kind of secret was there.
enum SecretRedaction {
    private static let markers: [[UInt8]] = [Array("spl_".utf8), Array("whsec_".utf8), Array("Bearer ".utf8)]
    private static let replacement = Array("[redacted]".utf8)

    static func redact(_ text: String) -> String {
        let bytes = Array(text.utf8)
        // Fast path: most lines hold none of the markers.
        guard markers.contains(where: { contains(bytes, $0) }) else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        scan: while index < bytes.count {
            let startsWord = index == 0 || !isSecretByte(bytes[index - 1])
            for marker in markers where startsWord && starts(bytes, at: index, with: marker) {
                let secretStart = index + marker.count
                var end = secretStart
                while end < bytes.count && isSecretByte(bytes[end]) { end += 1 }
                if end > secretStart {
                    out += marker
                    out += replacement
                    index = end
                    continue scan
                }
            }
            out.append(bytes[index])
            index += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Letters, digits and the characters of base64 and base64url.
    private static func isSecretByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "/"), UInt8(ascii: "="), UInt8(ascii: "."):
            return true
        default:
            return false
        }
    }

    private static func contains(_ bytes: [UInt8], _ needle: [UInt8]) -> Bool {
        guard bytes.count >= needle.count else { return false }
        for start in 0...(bytes.count - needle.count) where starts(bytes, at: start, with: needle) { return true }
        return false
    }

    private static func starts(_ bytes: [UInt8], at index: Int, with prefix: [UInt8]) -> Bool {
        guard index + prefix.count <= bytes.count else { return false }
        for offset in 0..<prefix.count where bytes[index + offset] != prefix[offset] { return false }
        return true
    }
}
