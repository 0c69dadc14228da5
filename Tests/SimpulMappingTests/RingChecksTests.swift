import Foundation
import SimpulTestSupport
import XCTest
@testable import SimpulMapping

/// Goal: the sweep-based ring checks give the same answers as the plain all-pairs
/// check on seeded random rings (simple and crossing, with shared vertices and collinear
/// overlaps on a coarse grid), and a large parcel is checked quickly.
final class RingChecksTests: XCTestCase {
    static let seed = UInt64(ProcessInfo.processInfo.environment["SIMPUL_TEST_SEED"] ?? "") ?? 0x0000_81A6

    func testSweepMatchesAllPairs() {
        var random = SeededRandom(seed: Self.seed)
        for round in 0..<600 {
            let count = Int.random(in: 3...12, using: &random)
            // A coarse grid makes touching vertices and collinear overlaps common.
            var ring = (0..<count).map { _ in RingChecks.Point(x: Double(Int.random(in: 0...6, using: &random)), y: Double(Int.random(in: 0...6, using: &random))) }
            ring.append(ring[0])
            ring = RingChecks.deduplicated(ring)
            guard ring.count >= 4 else { continue }
            XCTAssertEqual(RingChecks.firstSelfIntersection(ring) != nil, Self.bruteForceSelfIntersects(ring),
                           "round \(round) ring \(ring.map { "(\($0.x),\($0.y))" }) (seed \(Self.seed))")
            var other = (0..<4).map { _ in RingChecks.Point(x: Double(Int.random(in: 0...6, using: &random)), y: Double(Int.random(in: 0...6, using: &random))) }
            other.append(other[0])
            XCTAssertEqual(RingChecks.ringsMeet(ring, other), Self.bruteForceMeet(ring, other), "round \(round) (seed \(Self.seed))")
        }
    }

    func testLargeParcelIsFast() {
        // A 20,000-vertex circle around a Balikpapan point, in UTM 50S.
        let count = 20_000
        let positions = (0...count).map { index -> String in
            let angle = 2 * Double.pi * Double(index % count) / Double(count)
            return "\(478_000 + 100 * cos(angle)) \(9_859_000 + 100 * sin(angle))"
        }
        let start = Date()
        let result = GeometryConverter().convert(wkt: "POLYGON((\(positions.joined(separator: ", "))))", crs: .utm50South)
        let seconds = Date().timeIntervalSince(start)
        XCTAssertEqual(result.issues, [])
        XCTAssertLessThan(seconds, 5, "20,000 vertices took \(seconds) s")
    }

    static func bruteForceSelfIntersects(_ ring: [RingChecks.Point]) -> Bool {
        let segments = ring.count - 1
        for i in 0..<segments {
            for j in (i + 1)..<segments {
                let adjacent = j == i + 1 || (i == 0 && j == segments - 1)
                if adjacent {
                    let u = (ring[i + 1].x - ring[i].x, ring[i + 1].y - ring[i].y)
                    let v = (ring[j + 1].x - ring[j].x, ring[j + 1].y - ring[j].y)
                    if u.0 * v.1 - u.1 * v.0 == 0 && u.0 * v.0 + u.1 * v.1 < 0 { return true }
                } else if RingChecks.intersects(ring[i], ring[i + 1], ring[j], ring[j + 1]) {
                    return true
                }
            }
        }
        return false
    }

    static func bruteForceMeet(_ first: [RingChecks.Point], _ second: [RingChecks.Point]) -> Bool {
        for i in 0..<(first.count - 1) {
            for j in 0..<(second.count - 1) where RingChecks.intersects(first[i], first[i + 1], second[j], second[j + 1]) {
                return true
            }
        }
        return false
    }
}
