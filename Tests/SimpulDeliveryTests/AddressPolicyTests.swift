import XCTest
@testable import SimpulDelivery

/// Goal (RELIABILITY.md S1, address half): every special-purpose block is refused with a
/// typed, explained reason; IPv4 hidden in IPv6 is judged as IPv4; `allowPrivateNetworks`
/// and an allow-list entry let an internal receiver through, and nothing else.
final class AddressPolicyTests: XCTestCase {
    private func address(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> IPAddress {
        guard let parsed = IPAddress(text) else {
            XCTFail("test table: \(text) is not an address", file: file, line: line)
            return IPAddress(bytes: [0, 0, 0, 0]) ?? IPAddress("0.0.0.0")!
        }
        return parsed
    }

    func testBlockTablesParsedCompletely() {
        XCTAssertEqual(AddressPolicy.ipv4Blocks.count, 10)
        XCTAssertEqual(AddressPolicy.ipv6Blocks.count, 6)
    }

    func testRefusalMatrix() {
        typealias R = AddressRefusal.Reason
        let table: [(String, R?)] = [
            ("127.0.0.1", .loopback), ("127.255.255.254", .loopback), ("::1", .loopback),
            ("10.0.0.1", .privateNetwork), ("10.255.255.255", .privateNetwork),
            ("172.16.0.1", .privateNetwork), ("172.31.255.255", .privateNetwork), ("172.32.0.1", nil),
            ("172.15.255.255", nil), ("192.168.1.1", .privateNetwork), ("192.169.0.1", nil),
            ("fc00::1", .privateNetwork), ("fd12:3456::1", .privateNetwork),
            ("169.254.169.254", .linkLocal), ("fe80::1", .linkLocal), ("febf::1", .linkLocal),
            ("100.64.0.1", .sharedAddressSpace), ("100.127.255.255", .sharedAddressSpace), ("100.128.0.1", nil),
            ("224.0.0.1", .multicast), ("239.255.255.255", .multicast), ("ff02::1", .multicast),
            ("0.0.0.0", .unspecified), ("0.1.2.3", .unspecified), ("::", .unspecified),
            ("255.255.255.255", .broadcast), ("240.0.0.1", .reserved),
            ("::ffff:127.0.0.1", .loopback), ("::ffff:10.0.0.1", .privateNetwork),
            ("::ffff:169.254.169.254", .linkLocal), ("::ffff:0.0.0.0", .unspecified),
            ("::127.0.0.1", .loopback), ("64:ff9b::7f00:1", .loopback),
            ("8.8.8.8", nil), ("203.0.113.7", nil), ("2606:4700::1111", nil), ("::ffff:8.8.8.8", nil),
        ]
        for (text, expected) in table {
            let refusal = AddressPolicy.publicOnly.refusal(for: address(text))
            XCTAssertEqual(refusal?.reason, expected, text)
            if let refusal {
                XCTAssertEqual(refusal.address, address(text).description)
                XCTAssertTrue(refusal.description.contains("refused to connect to"), refusal.description)
                XCTAssertThrowsError(try AddressPolicy.publicOnly.check(address(text)))
            }
        }
    }

    func testAllowPrivateNetworksLetsInternalReceiversThroughOnly() {
        let policy = AddressPolicy(allowPrivateNetworks: true)
        for text in ["127.0.0.1", "::1", "10.0.0.1", "192.168.0.10", "169.254.169.254", "100.64.0.1",
                     "fd00::1", "fe80::1", "::ffff:127.0.0.1"] {
            XCTAssertNil(policy.refusal(for: address(text)), text)
        }
        for text in ["0.0.0.0", "::", "224.0.0.1", "255.255.255.255", "240.0.0.1"] {
            XCTAssertNotNil(policy.refusal(for: address(text)), text)
        }
    }

    func testAllowListEntryLetsOneBlockThrough() throws {
        let policy = AddressPolicy(allowList: [try CIDR("10.20.0.0/16"), try CIDR("::1")])
        XCTAssertNil(policy.refusal(for: address("10.20.3.4")))
        XCTAssertNil(policy.refusal(for: address("::ffff:10.20.3.4")))
        XCTAssertNil(policy.refusal(for: address("::1")))
        XCTAssertEqual(policy.refusal(for: address("10.21.0.1"))?.reason, .privateNetwork)
        XCTAssertEqual(policy.refusal(for: address("127.0.0.1"))?.reason, .loopback)
    }

    func testCIDRParsing() throws {
        XCTAssertEqual(try CIDR("192.168.0.0/16").prefixLength, 16)
        XCTAssertEqual(try CIDR("fd00::/8").description, "fd00::/8")
        XCTAssertEqual(try CIDR("10.0.0.1").prefixLength, 32)
        XCTAssertTrue(try CIDR("0.0.0.0/0").contains(address("8.8.8.8")))
        XCTAssertFalse(try CIDR("0.0.0.0/0").contains(address("::1")), "families never match each other")
        for bad in ["10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/x", "0x7f.0.0.1/8", "2130706433", "10.0.0.0/8/8", ""] {
            XCTAssertThrowsError(try CIDR(bad), bad) { error in
                guard case .invalidCIDR(let text, _) = error as? AddressPolicyError else { return XCTFail("\(error)") }
                XCTAssertEqual(text, bad)
            }
        }
    }
}
