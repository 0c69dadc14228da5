import Foundation
import SimpulTestSupport
import XCTest
@testable import SimpulMapping

/// Goal: UTM 50S/50N → WGS 84 agrees with PROJ (`cs2cs`, the oracle) within 1 mm on
/// seeded random points across Balikpapan (50S), Bontang (50N, and 50S with northings
/// above 10,000,000 m) and out to the zone edges.
final class UTMConversionTests: XCTestCase {
    struct Sample {
        var crs: SourceCRS
        var easting: Double
        var northing: Double
    }

    /// Fixed default seed; override with SIMPUL_TEST_SEED to replay another run.
    static let seed = UInt64(ProcessInfo.processInfo.environment["SIMPUL_TEST_SEED"] ?? "") ?? 0x5150_0A50

    func testMatchesCs2csWithinOneMillimetre() throws {
        guard let cs2cs = ExternalTool.find("cs2cs") else {
            throw XCTSkip("cs2cs not found on PATH; install Debian's proj-bin (apt-get install -y proj-bin) to run the PROJ comparison")
        }
        var random = SeededRandom(seed: Self.seed)
        var samples: [Sample] = []
        // Balikpapan, zone 50S: about 116.75–117.2 E, 1.45–1.0 S.
        for _ in 0..<120 {
            samples.append(Sample(crs: .utm50South, easting: .random(in: 440_000...530_000, using: &random),
                                  northing: .random(in: 9_840_000...9_890_000, using: &random)))
        }
        // Bontang, zone 50N and the same ground in 50S (northings above 10,000,000 m).
        for _ in 0..<80 {
            let easting = Double.random(in: 530_000...580_000, using: &random)
            let north = Double.random(in: 2_000...33_000, using: &random)
            samples.append(Sample(crs: .utm50North, easting: easting, northing: north))
            samples.append(Sample(crs: .utm50South, easting: easting, northing: 10_000_000 + north))
        }
        // Zone edges, where low-order formulas fail first.
        for _ in 0..<40 {
            samples.append(Sample(crs: .utm50South, easting: .random(in: 160_000...840_000, using: &random),
                                  northing: .random(in: 9_700_000...9_999_999, using: &random)))
        }
        var worstMetres = 0.0
        for crs in [SourceCRS.utm50South, .utm50North] {
            let subset = samples.filter { $0.crs == crs }
            let input = subset.map { "\($0.easting) \($0.northing)" }.joined(separator: "\n") + "\n"
            let output = try ExternalTool.run(cs2cs, ["-f", "%.12f", crs.name, "EPSG:4326"], input: input)
            XCTAssertEqual(output.status, 0, "cs2cs failed: \(output.stderr)")
            let lines = output.stdout.split(separator: "\n")
            XCTAssertEqual(lines.count, subset.count, "cs2cs answered \(lines.count) lines for \(subset.count) points")
            for (sample, line) in zip(subset, lines) {
                // cs2cs prints EPSG:4326 in its official axis order: latitude, then longitude.
                let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
                guard fields.count >= 2, let latitude = Double(fields[0]), let longitude = Double(fields[1]) else {
                    XCTFail("unreadable cs2cs line '\(line)' (seed \(Self.seed))")
                    continue
                }
                let ours = GeometryConverter.toWGS84(x: sample.easting, y: sample.northing, crs: crs)
                let metres = Self.groundDistance(ours.latitude - latitude, ours.longitude - longitude, latitude)
                worstMetres = max(worstMetres, metres)
                XCTAssertLessThan(metres, 0.001, "\(crs.name) \(sample.easting) \(sample.northing): off by \(metres * 1000) mm (seed \(Self.seed))")
            }
        }
        XCTAssertGreaterThanOrEqual(samples.count, 200)
        print("UTMConversionTests: \(samples.count) points, max difference to cs2cs \(worstMetres * 1000) mm (seed \(Self.seed))")
    }

    /// Goal: the series itself is right at known points (central meridian, equator).
    func testKnownPoints() {
        let onMeridian = GeometryConverter.toWGS84(x: 500_000, y: 10_000_000, crs: .utm50South)
        XCTAssertEqual(onMeridian.longitude, 117, accuracy: 1e-12)
        XCTAssertEqual(onMeridian.latitude, 0, accuracy: 1e-12)
        // 50N and 50S describe the same ground 10,000,000 m apart.
        let north = GeometryConverter.toWGS84(x: 560_000, y: 14_000, crs: .utm50North)
        let south = GeometryConverter.toWGS84(x: 560_000, y: 10_014_000, crs: .utm50South)
        XCTAssertEqual(north.latitude, south.latitude, accuracy: 1e-12)
        XCTAssertEqual(north.longitude, south.longitude, accuracy: 1e-12)
    }

    /// Metres on the ground for small latitude/longitude differences (an upper bound:
    /// 111,320 m per degree is the equatorial figure).
    static func groundDistance(_ latitudeDelta: Double, _ longitudeDelta: Double, _ latitude: Double) -> Double {
        let metresPerDegree = 111_320.0
        let north = latitudeDelta * metresPerDegree
        let east = longitudeDelta * metresPerDegree * cos(latitude * .pi / 180)
        return (north * north + east * east).squareRoot()
    }
}
