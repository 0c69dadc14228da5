/// Why an address policy could not be built from configuration.
public enum AddressPolicyError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An allow-list entry is not a CIDR block; carries the entry and what is wrong.
    case invalidCIDR(String, String)

    public var description: String {
        switch self {
        case .invalidCIDR(let text, let problem):
            "allow-list entry \"\(text)\" is not a CIDR block: \(problem) (example: 10.20.0.0/16 or fd00::/8)"
        }
    }
}
