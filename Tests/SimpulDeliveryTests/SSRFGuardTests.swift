import Foundation
import XCTest
@testable import SimpulDelivery

/// Goal (RELIABILITY.md S1 through curl): with private networks not allowed, every spelling
/// of loopback is refused in the open-socket callback — a typed error naming the address —
/// and the listeners on 127.0.0.1 and ::1 accept 0 connections; addresses outside loopback
/// (10.0.0.1, 169.254.169.254) are refused before any socket exists, so no packet leaves
/// this machine; allowing private networks or allow-listing the address lets a sink through;
/// a redirect to loopback is never followed.
final class SSRFGuardTests: XCTestCase {
    private var sinks: [LoopbackSink] = []

    override func tearDown() {
        sinks.forEach { $0.stop() }
        sinks = []
    }

    private func startSinks() throws -> (v4: LoopbackSink, v6: LoopbackSink) {
        let pair = (try LoopbackSink(host: "127.0.0.1"), try LoopbackSink(host: "::1"))
        sinks += [pair.0, pair.1]
        return pair
    }

    /// Every odd spelling of an address on the two loopback listeners.
    private func loopbackURLs(v4 port: UInt16, v6 port6: UInt16) -> [(url: String, connectsTo: String)] {
        [
            ("http://127.0.0.1:\(port)/ok", "127.0.0.1"),
            ("http://127.1:\(port)/ok", "127.0.0.1"),
            ("http://2130706433:\(port)/ok", "127.0.0.1"),
            ("http://0x7f.0.0.1:\(port)/ok", "127.0.0.1"),
            ("http://0177.0.0.1:\(port)/ok", "127.0.0.1"),
            ("http://localhost:\(port)/ok", "127.0.0.1"),
            ("http://[::ffff:127.0.0.1]:\(port)/ok", "::ffff:127.0.0.1"),
            ("http://[::1]:\(port6)/ok", "::1"),
        ]
    }

    func testLoopbackSpellingsAreRefusedAndNothingConnects() throws {
        let (v4, v6) = try startSinks()
        let client = try HTTPDeliveryClient(options: HTTPDeliveryClientOptions(addressPolicy: .publicOnly))
        for (url, _) in loopbackURLs(v4: v4.port, v6: v6.port) {
            let response = client.send(DeliveryRequest(url: url, body: [1], timeout: .milliseconds(500)))
            XCTAssertNil(response.status, url)
            guard case .blockedByPolicy(let refusal) = response.error else {
                XCTFail("\(url): \(String(describing: response.error))")
                continue
            }
            XCTAssertEqual(refusal.reason, .loopback, url)
            XCTAssertTrue("\(response.error.map { "\($0)" } ?? "")".contains("SSRF guard"), url)
            guard case .permanent = response.outcome else { return XCTFail("\(url): \(response.outcome)") }
        }
        XCTAssertEqual(v4.accepts, 0, "the 127.0.0.1 listener must see no connection")
        XCTAssertEqual(v6.accepts, 0, "the ::1 listener must see no connection")
    }

    func testNonLoopbackTargetsAreRefusedBeforeAnySocketExists() throws {
        let client = try HTTPDeliveryClient(options: HTTPDeliveryClientOptions(addressPolicy: .publicOnly))
        let table: [(String, String, AddressRefusal.Reason)] = [
            ("http://10.0.0.1:9/", "10.0.0.1", .privateNetwork),
            ("http://169.254.169.254/latest/meta-data/", "169.254.169.254", .linkLocal),
            ("http://172.16.0.1:9/", "172.16.0.1", .privateNetwork),
            ("http://192.168.1.1:9/", "192.168.1.1", .privateNetwork),
            ("http://100.64.0.1:9/", "100.64.0.1", .sharedAddressSpace),
            ("http://0.0.0.0:9/", "0.0.0.0", .unspecified),
            ("http://[fd00::1]:9/", "fd00::1", .privateNetwork),
            ("http://[fe80::1]:9/", "fe80::1", .linkLocal),
        ]
        for (url, address, reason) in table {
            // Belt and braces: never hand curl an outside address the pure policy would allow,
            // so a broken guard fails here instead of sending a packet off this machine.
            guard let parsed = IPAddress(address), AddressPolicy.publicOnly.refusal(for: parsed) != nil else {
                XCTFail("\(address) is not refused by the policy itself; not sending")
                continue
            }
            let response = client.send(DeliveryRequest(url: url, body: [], timeout: .milliseconds(300)))
            // The refusal is recorded by the open-socket callback, which returns before socket():
            // a blockedByPolicy error for this very address proves no connection was attempted.
            XCTAssertEqual(response.error, .blockedByPolicy(AddressRefusal(address: address, reason: reason)), url)
            XCTAssertLessThan(response.duration, .milliseconds(250), "\(url): refused at once, not timed out")
        }
    }

    /// A public-looking name that resolves to loopback (as DNS rebinding would make it) is
    /// judged on the address, not the name.
    func testHostnameResolvingToLoopbackIsRefused() throws {
        let (v4, _) = try startSinks()
        let options = { (policy: AddressPolicy) in
            HTTPDeliveryClientOptions(addressPolicy: policy, resolve: ["receiver.example.go.id:\(v4.port):127.0.0.1"])
        }
        let url = "http://receiver.example.go.id:\(v4.port)/ok"
        let refused = try HTTPDeliveryClient(options: options(.publicOnly)).send(DeliveryRequest(url: url, body: []))
        XCTAssertEqual(refused.error, .blockedByPolicy(AddressRefusal(address: "127.0.0.1", reason: .loopback)))
        XCTAssertEqual(v4.accepts, 0)
        let allowed = try HTTPDeliveryClient(options: options(AddressPolicy(allowPrivateNetworks: true)))
            .send(DeliveryRequest(url: url, body: []))
        XCTAssertEqual(allowed.status, 200)
    }

    func testAllowPrivateNetworksLetsEverySpellingThrough() throws {
        let (v4, v6) = try startSinks()
        let client = try HTTPDeliveryClient(
            options: HTTPDeliveryClientOptions(addressPolicy: AddressPolicy(allowPrivateNetworks: true)))
        for (url, _) in loopbackURLs(v4: v4.port, v6: v6.port) {
            let response = client.send(DeliveryRequest(url: url, body: [1], timeout: .seconds(2)))
            XCTAssertEqual(response.status, 200, "\(url): \(String(describing: response.error))")
        }
        XCTAssertGreaterThan(v4.accepts, 0)
        XCTAssertGreaterThan(v6.accepts, 0)
    }

    func testAllowListEntryLetsOneSinkThrough() throws {
        let (v4, v6) = try startSinks()
        let client = try HTTPDeliveryClient(
            options: HTTPDeliveryClientOptions(addressPolicy: AddressPolicy(allowList: [try CIDR("127.0.0.1/32")])))
        let allowed = client.send(DeliveryRequest(url: "http://127.0.0.1:\(v4.port)/ok", body: [], timeout: .seconds(2)))
        XCTAssertEqual(allowed.status, 200)
        let refused = client.send(DeliveryRequest(url: "http://[::1]:\(v6.port)/ok", body: [], timeout: .seconds(2)))
        XCTAssertEqual(refused.error, .blockedByPolicy(AddressRefusal(address: "::1", reason: .loopback)))
        XCTAssertEqual(v6.accepts, 0)
    }

    func testRedirectToLoopbackIsNotFollowed() throws {
        let (front, inside) = (try LoopbackSink(), try LoopbackSink())
        sinks += [front, inside]
        front.redirectTarget = "http://127.0.0.1:\(inside.port)/ok"
        // The front sink stands in for a public endpoint (so private networks are allowed here):
        // even then, the client must not follow its redirect to the inside listener.
        let client = try HTTPDeliveryClient(
            options: HTTPDeliveryClientOptions(addressPolicy: AddressPolicy(allowPrivateNetworks: true)))
        let response = client.send(DeliveryRequest(url: "http://127.0.0.1:\(front.port)/redirect", body: [],
                                                   timeout: .seconds(2)))
        XCTAssertEqual(response.status, 302)
        guard case .permanent(let reason) = response.outcome else { return XCTFail("\(response.outcome)") }
        XCTAssertTrue(reason.contains("redirects are not followed"))
        XCTAssertEqual(inside.accepts, 0)
    }

    /// A name with a refused address (::1) and an allowed one (127.0.0.1): the allowed one is
    /// still tried, and its own failure (nothing listens) is what gets reported.
    func testAllowedAddressIsStillTriedBesideARefusedOne() throws {
        // Only ::1 listens on this port; on 127.0.0.1 the same port is (almost surely) closed.
        let (_, v6) = try startSinks()
        let policy = AddressPolicy(allowList: [try CIDR("127.0.0.1/32")])
        let both = HTTPDeliveryClientOptions(addressPolicy: policy, resolve: ["two.example:\(v6.port):[::1],127.0.0.1"])
        let response = try HTTPDeliveryClient(options: both)
            .send(DeliveryRequest(url: "http://two.example:\(v6.port)/ok", body: [], timeout: .seconds(2)))
        XCTAssertEqual(v6.accepts, 0, "::1 was refused by the guard")
        guard case .connectionRefused = response.error else {
            return XCTFail("expected the IPv4 attempt's own failure, got \(String(describing: response.error))")
        }
    }
}
