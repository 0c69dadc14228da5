import Foundation
import XCTest
@testable import SimpulAPI
import SimpulDelivery
import SimpulTestSupport

/// Goal (issue 5 points 1 and 6): the config file's `delivery` section and `subscriptions`
/// are read with every key checked; private networks stay refused unless the config says so.
final class DeliveryConfigurationTests: XCTestCase {
    private func load(_ text: String) throws -> ServeConfiguration {
        let directory = try TemporaryDirectory("config")
        defer { directory.remove() }
        let path = directory.path + "/simpul.json"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return try ServeConfiguration.load(file: path)
    }

    func testDeliverySectionAndSubscriptions() throws {
        let configuration = try load("""
            {"delivery": {"allowPrivateNetworks": false, "allowList": ["10.20.0.0/16"], "breakerThreshold": 3,
                          "breakerCooldownSeconds": 10, "pauseAfterFailingHours": 48},
             "subscriptions": [{"name": "bappeda", "topics": ["city.spatial.permit"], "url": "https://gis.example.go.id/hook"}]}
            """)
        XCTAssertFalse(configuration.delivery.addressPolicy.allowPrivateNetworks)
        XCTAssertEqual(configuration.delivery.addressPolicy.allowList.map(\.description), ["10.20.0.0/16"])
        XCTAssertEqual(configuration.delivery.breaker.threshold, 3)
        XCTAssertEqual(configuration.delivery.breaker.cooldownMs, 10_000)
        XCTAssertEqual(configuration.delivery.pauseAfterFailingMs, 48 * 3_600_000)
        XCTAssertEqual(configuration.subscriptions.count, 1)
        XCTAssertFalse(ServeConfiguration().delivery.addressPolicy.allowPrivateNetworks, "private networks are refused by default")
    }

    func testMistakesNameTheKey() {
        for (text, key) in [
            (#"{"delivery": {"allowPrivateNetwork": true}}"#, "delivery.allowPrivateNetwork"),
            (#"{"delivery": {"allowList": ["10.0.0.0/99"]}}"#, "delivery.allowList"),
            (#"{"delivery": {"breakerThreshold": 0}}"#, "delivery.breakerThreshold"),
            (#"{"subscriptions": {}}"#, "subscriptions"),
            (#"{"subscriptions": [{"name": "x", "topics": ["a.b"], "url": "gopher://x"}]}"#, "subscriptions[0]"),
        ] {
            XCTAssertThrowsError(try load(text), text) { error in
                XCTAssertTrue("\(error)".contains(key), "\(text): \(error)")
            }
        }
    }
}
