/// Why a webhook secret was refused or could not be made.
public enum WebhookSecretError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The secret does not start with `whsec_`.
    case missingPrefix
    /// The part after `whsec_` is not valid base64.
    case invalidBase64
    /// The secret decodes to zero bytes of key.
    case emptyKey
    /// OpenSSL's `RAND_bytes` failed; no secret was generated.
    case randomSourceFailed

    public var description: String {
        switch self {
        case .missingPrefix:
            "webhook secret must start with \"whsec_\" followed by base64; generate one with WebhookSigner.generateSecret()"
        case .invalidBase64:
            "webhook secret after \"whsec_\" is not valid base64; copy the whole secret or generate a new one"
        case .emptyKey:
            "webhook secret after \"whsec_\" is empty; a secret needs at least one byte of key (32 recommended)"
        case .randomSourceFailed:
            "OpenSSL RAND_bytes failed; no secret was generated, try again or check the system entropy source"
        }
    }
}
