import XCTest
@testable import SimpulMapping

/// Goal: WKT/EWKT/GeoJSON parcels become canonical GeoJSON (longitude first, closed,
/// exterior counter-clockwise, holes clockwise), and each geometry code is produced:
/// `geometry.invalid` (with the position), `geometry.unsupported_crs`, `geometry.empty`,
/// `geometry.unclosed_ring`, `geometry.self_intersection`, `geometry.outside_city`.
final class GeometryConverterTests: XCTestCase {
    let converter = GeometryConverter()

    // A 40 m square in Balikpapan, UTM 50S, clockwise as many CAD exports write it.
    let clockwiseSquare = "(478000 9859000, 478000 9859040, 478040 9859040, 478040 9859000, 478000 9859000)"

    func testCodeTable() {
        // (wkt, crs, expected "code@field")
        let table: [(String, SourceCRS?, [String])] = [
            ("POLYGON(\(clockwiseSquare))", .utm50South, []),
            ("SRID=32750;POLYGON(\(clockwiseSquare))", nil, []),
            ("srid=32750; polygon z ((478000 9859000 5, 478040 9859000 5, 478040 9859040 5, 478000 9859000 5))", nil, []),
            ("POLYGON((478000 9859000, 478040 9859000, 478040 9859040 478000 9859000))", .utm50South, ["geometry.invalid@geometry"]),
            ("POLYGON((478000 9859000, 478040 9859000, 478040 9859040, 478000 9859000)", .utm50South, ["geometry.invalid@geometry"]),
            ("POINT(478000 9859000)", .utm50South, ["geometry.invalid@geometry"]),
            ("POLYGON((478000 abc, 1 2))", .utm50South, ["geometry.invalid@geometry"]),
            ("SRID=3857;POLYGON(\(clockwiseSquare))", nil, ["geometry.unsupported_crs@geometry"]),
            ("POLYGON(\(clockwiseSquare))", nil, ["geometry.unsupported_crs@geometry"]),
            ("SRID=32650;POLYGON(\(clockwiseSquare))", .utm50South, ["geometry.invalid@geometry"]),
            ("POLYGON EMPTY", .utm50South, ["geometry.empty@geometry"]),
            ("MULTIPOLYGON EMPTY", .utm50South, ["geometry.empty@geometry"]),
            ("POLYGON((478000 9859000, 478040 9859000, 478040 9859040, 478000 9859040))", .utm50South,
             ["geometry.unclosed_ring@geometry.coordinates[0]"]),
            ("POLYGON((478000 9859000, 478040 9859000, 478000 9859000))", .utm50South, ["geometry.invalid@geometry.coordinates[0]"]),
            // A bow tie: the boundary crosses itself.
            ("POLYGON((478000 9859000, 478040 9859040, 478040 9859000, 478000 9859040, 478000 9859000))", .utm50South,
             ["geometry.self_intersection@geometry.coordinates[0]"]),
            // A hole that pokes out of its exterior ring.
            ("POLYGON(\(clockwiseSquare), (478010 9859010, 478050 9859010, 478050 9859020, 478010 9859010))", .utm50South,
             ["geometry.self_intersection@geometry.coordinates[1]"]),
            ("MULTIPOLYGON(((478000 9859000, 478040 9859000, 478040 9859040, 478000 9859000)), "
                + "((478100 9859000, 478140 9859040, 478140 9859000, 478100 9859040, 478100 9859000)))", .utm50South,
             ["geometry.self_intersection@geometry.coordinates[1][0]"]),
            // Easting and northing swapped: lands far outside the city.
            ("POLYGON((9859000 478000, 9859040 478000, 9859040 478040, 9859000 478000))", .utm50South, ["geometry.outside_city@geometry"]),
            // Latitude/longitude swapped in degrees.
            ("POLYGON((-1.27 116.83, -1.27 116.84, -1.26 116.84, -1.27 116.83))", .wgs84, ["geometry.outside_city@geometry"]),
            // Bontang in zone 50N, and the same ground in 50S above 10,000,000 m.
            ("POLYGON((555000 14000, 555040 14000, 555040 14040, 555000 14000))", .utm50North, []),
            ("POLYGON((555000 10014000, 555040 10014000, 555040 10014040, 555000 10014000))", .utm50South, []),
        ]
        for (wkt, crs, expected) in table {
            let result = converter.convert(wkt: wkt, crs: crs)
            XCTAssertEqual(result.issues.map { "\($0.code)@\($0.field)" }, expected, "\(wkt): \(result.issues.map(\.message))")
        }
    }

    func testParseErrorNamesThePosition() {
        let result = converter.convert(wkt: "POLYGON((1 2, 3 4 5 6 7))", crs: .wgs84)
        XCTAssertEqual(result.issues.first?.code, "geometry.invalid")
        XCTAssertTrue(result.issues.first?.message.contains("character 19") ?? false, result.issues.first?.message ?? "")
    }

    func testCanonicalOutputIsCounterClockwiseLongitudeFirst() throws {
        let result = converter.convert(wkt: "SRID=32750;POLYGON(\(clockwiseSquare))", crs: nil)
        XCTAssertEqual(result.issues, [])
        XCTAssertEqual(result.sourceCrs, .utm50South)
        let ring = try ring(result.geometry, polygon: nil, index: 0)
        XCTAssertEqual(ring.count, 5)
        XCTAssertEqual(ring.first?.0, ring.last?.0)
        XCTAssertEqual(ring.first?.1, ring.last?.1)
        XCTAssertGreaterThan(RingChecks.signedArea2(ring), 0, "exterior ring must be counter-clockwise")
        XCTAssertEqual(ring[0].0, 116.80, accuracy: 0.05)   // longitude first
        XCTAssertEqual(ring[0].1, -1.27, accuracy: 0.05)
        // Nine decimals of a degree in the text.
        guard case .object(let object)? = result.geometry, case .array(let rings)? = object["coordinates"],
              case .array(let positions) = rings[0], case .array(let first) = positions[0], case .number(let text) = first[0]
        else { return XCTFail("unexpected geometry shape") }
        XCTAssertEqual(text.split(separator: ".").last?.count, 9)
    }

    func testOutputValidatesAgainstGeometrySchema() throws {
        let schemas = try SchemaValidator(directory: SchemaDifferentialTests.schemasDirectory)
        let inputs: [(String, SourceCRS)] = [
            ("POLYGON(\(clockwiseSquare))", .utm50South),
            ("MULTIPOLYGON(((555000 14000, 555040 14000, 555040 14040, 555000 14000)), ((555100 14000, 555140 14000, 555140 14040, 555100 14000)))", .utm50North),
            ("POLYGON((116.83 -1.27, 116.84 -1.27, 116.84 -1.26, 116.83 -1.27))", .wgs84),
        ]
        for (wkt, crs) in inputs {
            let geometry = try XCTUnwrap(converter.convert(wkt: wkt, crs: crs).geometry)
            XCTAssertEqual(schemas.validate(geometry, schema: "geometry.v1.json"), [], wkt)
        }
    }

    func testHolesAreClockwise() throws {
        let hole = "(478010 9859010, 478020 9859010, 478020 9859020, 478010 9859020, 478010 9859010)"   // counter-clockwise
        let result = converter.convert(wkt: "POLYGON(\(clockwiseSquare), \(hole))", crs: .utm50South)
        XCTAssertEqual(result.issues, [])
        XCTAssertGreaterThan(RingChecks.signedArea2(try ring(result.geometry, polygon: nil, index: 0)), 0)
        XCTAssertLessThan(RingChecks.signedArea2(try ring(result.geometry, polygon: nil, index: 1)), 0)
    }

    func testGeoJSONInputAndDegreesPassThroughUnrounded() throws {
        let geometry = CanonicalRecordGenerator.object([
            ("type", .string("MultiPolygon")),
            ("coordinates", .array([.array([.array([
                [116.830000000001, -1.27], [116.83, -1.26], [116.84, -1.26], [116.830000000001, -1.27],
            ].map { JSONValue.array([.number(String($0[0])), .number(String($0[1]))]) })])])),
        ])
        let result = converter.convert(geoJSON: geometry, crs: .wgs84)
        XCTAssertEqual(result.issues, [])
        guard case .object(let object)? = result.geometry, case .array(let polygons)? = object["coordinates"],
              case .array(let rings) = polygons[0], case .array(let positions) = rings[0]
        else { return XCTFail("unexpected geometry shape") }
        XCTAssertEqual(object["type"], .string("MultiPolygon"))
        // The input ring was clockwise; reversed, its text kept exactly.
        XCTAssertEqual(positions.first, .array([.number("116.830000000001"), .number("-1.27")]))
        XCTAssertEqual(positions[1], .array([.number("116.84"), .number("-1.26")]))
    }

    func testGeoJSONErrors() {
        let table: [(JSONValue, String)] = [
            (.string("POLYGON"), "geometry.invalid"),
            (CanonicalRecordGenerator.object([("type", .string("Point")), ("coordinates", .array([]))]), "geometry.invalid"),
            (CanonicalRecordGenerator.object([("type", .string("Polygon")), ("coordinates", .array([]))]), "geometry.empty"),
            (CanonicalRecordGenerator.object([("type", .string("Polygon")), ("coordinates", .array([.array([.array([.string("1"), .number("2")])])]))]),
             "geometry.invalid"),
        ]
        for (value, code) in table {
            XCTAssertEqual(converter.convert(geoJSON: value, crs: .wgs84).issues.map(\.code), [code], TestJSONWriter.write(value))
        }
        let located = converter.convert(geoJSON: table[3].0, crs: .wgs84).issues.first?.message ?? ""
        XCTAssertTrue(located.contains("geometry.coordinates[0][0]"), located)
    }

    func testCustomBounds() {
        let samarindaOnly = GeometryConverter(bounds: CityBounds(longitudeMin: 117.0, longitudeMax: 117.3, latitudeMin: -0.7, latitudeMax: -0.3))
        let result = samarindaOnly.convert(wkt: "POLYGON(\(clockwiseSquare))", crs: .utm50South)
        XCTAssertEqual(result.issues.map(\.code), ["geometry.outside_city"])
        XCTAssertNotNil(result.geometry, "an out-of-bounds geometry is still converted, for the admin to see")
    }

    func testCRSNames() {
        let table: [(String, SourceCRS?)] = [
            ("EPSG:32750", .utm50South), ("urn:ogc:def:crs:EPSG::32650", .utm50North), ("4326", .wgs84),
            ("urn:ogc:def:crs:OGC:1.3:CRS84", .wgs84), (" epsg:32750 ", .utm50South), ("EPSG:3857", nil), ("UTM50S", nil),
        ]
        for (name, expected) in table {
            XCTAssertEqual(SourceCRS(name: name), expected, name)
        }
        XCTAssertEqual(SourceCRS.utm50South.name, "EPSG:32750")
    }

    private func ring(_ geometry: JSONValue?, polygon: Int?, index: Int) throws -> [(Double, Double)] {
        guard case .object(let object)? = geometry, case .array(var rings)? = object["coordinates"] else {
            throw XCTSkip("no geometry")
        }
        if let polygon, case .array(let inner) = rings[polygon] { rings = inner }
        guard case .array(let positions) = rings[index] else { throw XCTSkip("no ring") }
        return positions.compactMap { position in
            guard case .array(let pair) = position, case .number(let x) = pair[0], case .number(let y) = pair[1],
                  let lon = Double(x), let lat = Double(y) else { return nil }
            return (lon, lat)
        }
    }
}
