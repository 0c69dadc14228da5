import COpenSSL

/// SHA-256 through libcrypto, which uses the CPU's SHA extensions where it has them: the
/// bus hashes every published event's data and every presented token, and libcrypto does a
/// 1 KiB event in a tenth of the time of the portable Swift `SHA256` of SimpulMapping
/// (which keeps no C dependency so that it can be fuzzed alone). Same digests, same hex.
public enum Digest {
    /// The 32-byte SHA-256 of `bytes`.
    public static func sha256(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 32) { out, count in
            // SHA256 fails only on allocation failure inside libcrypto; no input reaches that.
            let result = COpenSSL.SHA256(bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count, out.baseAddress)
            precondition(result != nil, "SHA-256 failed inside libcrypto")
            count = 32
        }
    }

    /// The SHA-256 of `bytes` as 64 lower-case hex digits.
    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        hex(bytes.withUnsafeBytes { sha256($0) })
    }

    /// The SHA-256 of the UTF-8 of `text` as 64 lower-case hex digits.
    public static func sha256Hex(_ text: String) -> String {
        var text = text
        return hex(text.withUTF8 { sha256(UnsafeRawBufferPointer($0)) })
    }

    /// Lower-case hex of `bytes`.
    public static func hex(_ bytes: [UInt8]) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { out in
            let digits: StaticString = "0123456789abcdef"
            let table = digits.utf8Start
            for (index, byte) in bytes.enumerated() {
                out[2 * index] = table[Int(byte >> 4)]
                out[2 * index + 1] = table[Int(byte & 0x0F)]
            }
            return bytes.count * 2
        }
    }
}
