/// The SSRF guard refused an address: which one, and what kind of address it is.
public struct AddressRefusal: Error, Equatable, Sendable, CustomStringConvertible {
    /// The kinds of address the bus does not connect to by default.
    public enum Reason: String, Equatable, Sendable {
        case loopback, privateNetwork, linkLocal, sharedAddressSpace
        case multicast, broadcast, unspecified, reserved

        /// The kinds `allowPrivateNetworks` lets through.
        var isPrivateNetwork: Bool {
            switch self {
            case .loopback, .privateNetwork, .linkLocal, .sharedAddressSpace: true
            case .multicast, .broadcast, .unspecified, .reserved: false
            }
        }

        var explanation: String {
            switch self {
            case .loopback: "a loopback address (this machine)"
            case .privateNetwork: "a private-network address (RFC 1918 / RFC 4193)"
            case .linkLocal: "a link-local address (including cloud metadata at 169.254.169.254)"
            case .sharedAddressSpace: "a carrier-grade NAT address (100.64.0.0/10)"
            case .multicast: "a multicast address"
            case .broadcast: "the broadcast address"
            case .unspecified: "an unspecified address (0.0.0.0 or ::, which reaches this machine)"
            case .reserved: "a reserved address (240.0.0.0/4)"
            }
        }
    }

    /// The address in text form, as curl was about to connect to it.
    public let address: String
    /// What kind of address it is.
    public let reason: Reason

    /// Creates a refusal.
    public init(address: String, reason: Reason) {
        self.address = address
        self.reason = reason
    }

    public var description: String {
        let remedy = reason.isPrivateNetwork
            ? "allow private networks in the configuration, or add this address to the allow list, if the receiver is internal"
            : "add this address to the allow list if it is truly intended"
        return "refused to connect to \(address): \(reason.explanation); \(remedy)"
    }
}
