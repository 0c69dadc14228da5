import Foundation
import XCTest
@testable import SimpulBus
import SimpulTestSupport

/// Goal: the hand-written RFC 3339 formatting (on every published event) gives exactly what
/// Foundation's ISO 8601 formatter gives, with and without milliseconds, for a seeded spread
/// of instants from 1970 to 2200 and the edges around them.
final class TimestampTests: XCTestCase {
    func testMatchesFoundationsFormatter() {
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var generator = SystemRandomNumberGenerator()
        let seed = UInt64.random(in: 0...UInt64.max, using: &generator)
        var random = SeededRandom(seed: seed)
        var instants: [Int64] = [0, 999, 1000, 86_399_999, 951_782_400_000, 1_795_000_000_123, 7_258_118_399_999]
        for _ in 0..<2000 { instants.append(Int64(random.next() % 7_258_118_400_000)) }
        for milliseconds in instants {
            let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
            XCTAssertEqual(Timestamp.rfc3339(milliseconds: milliseconds), fractional.string(from: date), "seed \(seed), \(milliseconds)")
            let whole = Date(timeIntervalSince1970: Double(milliseconds / 1000))
            XCTAssertEqual(Timestamp.rfc3339(whole), plain.string(from: whole), "seed \(seed), \(milliseconds)")
        }
    }

}
