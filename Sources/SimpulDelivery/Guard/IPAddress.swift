import Foundation

/// An IPv4 (4 bytes) or IPv6 (16 bytes) address in network byte order, as the socket layer
/// hands it to the open-socket callback.
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// 4 or 16 bytes, network order.
    public let bytes: [UInt8]

    /// Wraps raw address bytes; nil unless there are exactly 4 or 16.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// Parses the canonical text forms only (`inet_pton`: dotted quad, RFC 4291 IPv6), so a
    /// configured allow-list entry means exactly one thing.
    public init?(_ text: String) {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            self.bytes = withUnsafeBytes(of: &v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            self.bytes = withUnsafeBytes(of: &v6) { Array($0) }
            return
        }
        return nil
    }

    /// True for a 4-byte address.
    public var isIPv4: Bool { bytes.count == 4 }

    /// The IPv4 address inside an IPv4-mapped (`::ffff:a.b.c.d`), IPv4-compatible
    /// (`::a.b.c.d`) or NAT64 (`64:ff9b::a.b.c.d`) IPv6 address: connecting to these reaches
    /// the IPv4 address, so the guard judges that.
    public var embeddedIPv4: IPAddress? {
        guard bytes.count == 16 else { return nil }
        let head = bytes[0..<12]
        let mapped = head.dropLast(2).allSatisfy { $0 == 0 } && bytes[10] == 0xff && bytes[11] == 0xff
        let compatible = head.allSatisfy { $0 == 0 } && bytes[12..<16].contains { $0 != 0 }
            && !(bytes[12..<15].allSatisfy { $0 == 0 } && bytes[15] == 1)  // ::1 is loopback, not 0.0.0.1
        let nat64 = bytes[0..<4] == [0x00, 0x64, 0xff, 0x9b] && bytes[4..<12].allSatisfy { $0 == 0 }
        guard mapped || compatible || nat64 else { return nil }
        return IPAddress(bytes: Array(bytes[12..<16]))
    }

    /// The usual text form (`inet_ntop`).
    public var description: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = isIPv4 ? AF_INET : AF_INET6
        let text = bytes.withUnsafeBytes { source in
            inet_ntop(family, source.baseAddress, &buffer, socklen_t(buffer.count))
        }
        guard text != nil else { return bytes.map { String($0) }.joined(separator: ".") }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// An address block such as `10.0.0.0/8` or `fd00::/8`.
public struct CIDR: Hashable, Sendable, CustomStringConvertible {
    /// The block's first address (host bits may be set; they are ignored).
    public let address: IPAddress
    /// Leading bits that must match: 0…32 for IPv4, 0…128 for IPv6.
    public let prefixLength: Int

    /// Parses `address/prefix`, or a single address (a full-length prefix).
    /// - Throws: `AddressPolicyError.invalidCIDR` with the text and what is wrong.
    public init(_ text: String) throws(AddressPolicyError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let address = IPAddress(String(parts[0])) else {
            throw .invalidCIDR(text, "expected an IPv4 or IPv6 address, optionally followed by /prefix")
        }
        let bitsMax = address.bytes.count * 8
        var prefix = bitsMax
        if parts.count == 2 {
            guard let parsed = Int(parts[1]), (0...bitsMax).contains(parsed) else {
                throw .invalidCIDR(text, "the prefix length must be a number from 0 to \(bitsMax)")
            }
            prefix = parsed
        }
        self.address = address
        self.prefixLength = prefix
    }

    /// True when `candidate` is of the same family and its first `prefixLength` bits match.
    public func contains(_ candidate: IPAddress) -> Bool {
        guard candidate.bytes.count == address.bytes.count else { return false }
        var remaining = prefixLength
        for index in address.bytes.indices where remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xff << (8 - bits))
            if address.bytes[index] & mask != candidate.bytes[index] & mask { return false }
            remaining -= bits
        }
        return true
    }

    public var description: String { "\(address)/\(prefixLength)" }
}
