/// A key of Simpul's shared state as a NATS key-value key.
///
/// KV keys allow few characters (`A-Z a-z 0-9 - _ = / .`, no leading, trailing or double
/// dot); lease names and idempotency keys may hold any text. A key made only of
/// `A-Z a-z 0-9 - _ .` (dots well placed) is used as it is; any other becomes `=` and its
/// UTF-8 in hex. A plain key never holds `=`, so the two forms never meet.
enum KVKey {
    /// Longest key accepted, in bytes of the original text (its hex form is twice that).
    static let bytesMax = 512

    static func encode(_ key: String) throws(SharedStateError) -> String {
        let bytes = Array(key.utf8)
        guard !bytes.isEmpty else { throw .invalidName(key, reason: "it is empty") }
        guard bytes.count <= bytesMax else {
            throw .invalidName(key, reason: "it is \(bytes.count) bytes, over the limit of \(bytesMax)")
        }
        return isPlain(bytes) ? key : "=" + StreamNaming.hex(bytes)
    }

    private static func isPlain(_ bytes: [UInt8]) -> Bool {
        guard bytes.first != UInt8(ascii: "."), bytes.last != UInt8(ascii: ".") else { return false }
        var previousDot = false
        for byte in bytes {
            let isDot = byte == UInt8(ascii: ".")
            let allowed = isDot || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
                || (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
            guard allowed, !(isDot && previousDot) else { return false }
            previousDot = isDot
        }
        return true
    }
}
