import COpenSSL
import Foundation

/// Signs webhook attempts the Standard Webhooks way: `v1,` + base64 of
/// HMAC-SHA256 over `"<id>.<timestamp>.<body>"`, keyed with the bytes behind `whsec_`.
///
/// Immutable and `Sendable`: safe from any task.
public struct WebhookSigner: Sendable {
    /// The prefix every secret carries, so a secret is recognisable in a config file.
    public static let secretPrefix = "whsec_"
    /// Bytes of key material in a generated secret (Standard Webhooks: 24 to 64).
    public static let generatedSecretBytes = 32
    /// The header names, lower case as Standard Webhooks writes them.
    public static let idHeader = "webhook-id"
    public static let timestampHeader = "webhook-timestamp"
    public static let signatureHeader = "webhook-signature"

    private let key: [UInt8]

    /// Creates a signer from a `whsec_<base64>` secret.
    /// - Throws: `WebhookSecretError` when the prefix is missing, the base64 is invalid or
    ///   the key is empty.
    public init(secret: String) throws(WebhookSecretError) {
        guard secret.hasPrefix(Self.secretPrefix) else { throw .missingPrefix }
        let encoded = String(secret.dropFirst(Self.secretPrefix.count))
        guard let data = Data(base64Encoded: encoded) else { throw .invalidBase64 }
        guard !data.isEmpty else { throw .emptyKey }
        self.key = Array(data)
    }

    /// Creates a signer from raw key bytes (what the `whsec_` secret decodes to).
    public init(keyBytes: [UInt8]) throws(WebhookSecretError) {
        guard !keyBytes.isEmpty else { throw .emptyKey }
        self.key = keyBytes
    }

    /// The signature header value for one attempt: `v1,<base64 HMAC-SHA256>`.
    /// - Parameters:
    ///   - id: the event id (the same on every retry and replay).
    ///   - timestamp: seconds since the Unix epoch at the time of the attempt.
    ///   - body: the exact bytes sent.
    public func sign(id: String, timestamp: Int64, body: [UInt8]) -> String {
        var content = Array("\(id).\(timestamp).".utf8)
        content.append(contentsOf: body)
        return "v1," + Data(Self.hmacSHA256(key: key, message: content)).base64EncodedString()
    }

    /// `sign` for a body given as `Data`.
    public func sign(id: String, timestamp: Int64, body: Data) -> String {
        sign(id: id, timestamp: timestamp, body: Array(body))
    }

    /// The three Standard Webhooks headers for one attempt, as name/value pairs in a fixed order.
    public func headers(id: String, timestamp: Int64, body: [UInt8]) -> [(name: String, value: String)] {
        [
            (Self.idHeader, id),
            (Self.timestampHeader, String(timestamp)),
            (Self.signatureHeader, sign(id: id, timestamp: timestamp, body: body)),
        ]
    }

    /// True when one of the space-separated `v1,` signatures in `signatureHeader` matches.
    /// Compares in constant time. Timestamp skew is the receiver's concern, not checked here.
    public func verify(id: String, timestamp: Int64, body: [UInt8], signatureHeader: String) -> Bool {
        let expected = Array(sign(id: id, timestamp: timestamp, body: body).utf8)
        var matched = false
        for candidate in signatureHeader.split(separator: " ") {
            let bytes = Array(candidate.utf8)
            if bytes.count == expected.count, Self.constantTimeEqual(bytes, expected) { matched = true }
        }
        return matched
    }

    /// A fresh secret: `whsec_` + base64 of 32 bytes from OpenSSL's CSPRNG.
    /// - Throws: `WebhookSecretError.randomSourceFailed` when `RAND_bytes` reports failure.
    public static func generateSecret() throws(WebhookSecretError) -> String {
        var bytes = [UInt8](repeating: 0, count: generatedSecretBytes)
        let status = bytes.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32($0.count)) }
        guard status == 1 else { throw .randomSourceFailed }
        return secretPrefix + Data(bytes).base64EncodedString()
    }

    static func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let result = key.withUnsafeBufferPointer { keyBuffer in
            message.withUnsafeBufferPointer { messageBuffer in
                digest.withUnsafeMutableBufferPointer { out in
                    HMAC(EVP_sha256(), keyBuffer.baseAddress, Int32(keyBuffer.count),
                         messageBuffer.baseAddress, messageBuffer.count, out.baseAddress, &length)
                }
            }
        }
        // HMAC only fails on allocation failure or a null digest; neither is input-reachable.
        precondition(result != nil && length == 32, "HMAC-SHA256 failed inside libcrypto")
        return Array(digest.prefix(Int(length)))
    }

    private static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
