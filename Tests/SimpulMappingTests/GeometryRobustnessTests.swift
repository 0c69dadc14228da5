import Foundation
import SimpulTestSupport
import XCTest
@testable import SimpulMapping

/// Goal: malformed geometry never crashes the converter: seeded random edits of valid
/// WKT (bytes inserted, deleted, replaced, non-ASCII included) and of GeoJSON trees
/// always come back as a conversion whose issues use only geometry codes, and whose
/// geometry, when present without issues, is closed and in bounds.
final class GeometryRobustnessTests: XCTestCase {
    static let seed = UInt64(ProcessInfo.processInfo.environment["SIMPUL_TEST_SEED"] ?? "") ?? 0x0000_F022
    static let geometryCodes: Set<String> = [
        ValidationCode.geometryInvalid, ValidationCode.geometryEmpty, ValidationCode.geometryUnclosedRing,
        ValidationCode.geometrySelfIntersection, ValidationCode.geometryOutsideCity, ValidationCode.geometryUnsupportedCrs,
    ]

    func testRandomWKTEdits() {
        var random = SeededRandom(seed: Self.seed)
        let base = Array("SRID=32750;MULTIPOLYGON(((478000 9859000, 478040 9859000, 478040 9859040, 478000 9859000)), "
            + "((478100.5 9859000, 478140 9859000, 478140 9859040e0, 478100.5 9859000)))")
        let alphabet = Array("0123456789 ,.()-+eE;=SRIDPOLYGNMTZ\u{00E9}\u{0000}\n")
        for round in 0..<3_000 {
            var text = base
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let position = Int.random(in: 0..<text.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: text.insert(alphabet[Int.random(in: 0..<alphabet.count, using: &random)], at: position)
                case 1: text.remove(at: position)
                default: text[position] = alphabet[Int.random(in: 0..<alphabet.count, using: &random)]
                }
            }
            let result = GeometryConverter().convert(wkt: String(text), crs: nil)
            check(result, "round \(round): \(String(text).debugDescription)")
        }
    }

    func testRandomGeoJSONEdits() {
        var random = SeededRandom(seed: Self.seed)
        var generator = CanonicalRecordGenerator(seed: Self.seed)
        for round in 0..<1_500 {
            var geometry = generator.geometry()
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                geometry = RecordMutator.mutate(geometry, using: &random)
            }
            check(GeometryConverter().convert(geoJSON: geometry, crs: .wgs84), "round \(round): \(TestJSONWriter.write(geometry))")
        }
    }

    private func check(_ result: GeometryConversion, _ context: String) {
        XCTAssertTrue(result.issues.allSatisfy { Self.geometryCodes.contains($0.code) }, "\(context) (seed \(Self.seed)): \(result.issues.map(\.code))")
        XCTAssertTrue(result.geometry != nil || !result.issues.isEmpty, "\(context): neither geometry nor issues")
    }
}
