/// The SSRF guard: decides whether the bus may connect to an address.
///
/// It judges the resolved address curl is about to connect to (from the open-socket
/// callback), never the host name in the URL, so odd spellings (`2130706433`, `0x7f.0.0.1`)
/// and DNS rebinding cannot slip past it. Immutable and `Sendable`: safe from any task.
public struct AddressPolicy: Sendable, Hashable {
    /// Allows loopback, private, link-local and shared (CGNAT) addresses: for tests, `make
    /// run` and a bus whose receivers live on the city's internal network.
    public let allowPrivateNetworks: Bool
    /// Blocks that are always allowed, whatever their category (an internal receiver named
    /// explicitly by the admin).
    public let allowList: [CIDR]

    /// The default: only public unicast addresses.
    public static let publicOnly = AddressPolicy()

    /// Creates a policy.
    public init(allowPrivateNetworks: Bool = false, allowList: [CIDR] = []) {
        self.allowPrivateNetworks = allowPrivateNetworks
        self.allowList = allowList
    }

    /// Nil when `address` may be connected to; otherwise why not.
    public func refusal(for address: IPAddress) -> AddressRefusal? {
        let judged = address.embeddedIPv4 ?? address
        if allowList.contains(where: { $0.contains(address) || $0.contains(judged) }) { return nil }
        guard let category = Self.category(of: judged) else { return nil }
        if allowPrivateNetworks && category.isPrivateNetwork { return nil }
        return AddressRefusal(address: address.description, reason: category)
    }

    /// Throws when `address` may not be connected to.
    public func check(_ address: IPAddress) throws(AddressRefusal) {
        if let refusal = refusal(for: address) { throw refusal }
    }

    /// The special-purpose category of an address (IANA registries), or nil for public unicast.
    static func category(of address: IPAddress) -> AddressRefusal.Reason? {
        for (block, reason) in address.isIPv4 ? ipv4Blocks : ipv6Blocks where block.contains(address) {
            return reason
        }
        return nil
    }

    // The literals below are constants checked by the tests, so `try?` cannot hide a typo.
    private static func blocks(_ table: [(String, AddressRefusal.Reason)]) -> [(CIDR, AddressRefusal.Reason)] {
        table.compactMap { text, reason in (try? CIDR(text)).map { ($0, reason) } }
    }

    static let ipv4Blocks = blocks([
        ("0.0.0.0/8", .unspecified), ("127.0.0.0/8", .loopback),
        ("10.0.0.0/8", .privateNetwork), ("172.16.0.0/12", .privateNetwork), ("192.168.0.0/16", .privateNetwork),
        ("169.254.0.0/16", .linkLocal), ("100.64.0.0/10", .sharedAddressSpace),
        ("224.0.0.0/4", .multicast), ("255.255.255.255/32", .broadcast), ("240.0.0.0/4", .reserved),
    ])

    static let ipv6Blocks = blocks([
        ("::/128", .unspecified), ("::1/128", .loopback),
        ("fc00::/7", .privateNetwork), ("fec0::/10", .privateNetwork),
        ("fe80::/10", .linkLocal), ("ff00::/8", .multicast),
    ])
}
