/// Reads a GeoJSON geometry object (`Polygon` or `MultiPolygon`) from a `JSONValue`.
/// Positions need two numbers; a third (altitude) is allowed and dropped. Errors name the
/// JSON path of the problem (`coordinates[0][3]`).
enum GeoJSONGeometryReader {
    static func read(_ value: JSONValue) -> Result<SourceGeometry, GeometryParseError> {
        do {
            return .success(try readGeometry(value))
        } catch {
            return .failure(error)
        }
    }

    private static func readGeometry(_ value: JSONValue) throws(GeometryParseError) -> SourceGeometry {
        guard case .object(let object) = value else {
            throw GeometryParseError(location: "geometry", reason: "expected a GeoJSON geometry object")
        }
        guard let type = object["type"]?.stringValue else {
            throw GeometryParseError(location: "type", reason: "missing geometry type; expected Polygon or MultiPolygon")
        }
        let coordinates = object["coordinates"] ?? .null
        switch type {
        case "Polygon":
            let rings = try array(coordinates, at: "coordinates")
            let polygon = try readPolygon(rings, at: "coordinates")
            return SourceGeometry(kind: .polygon, polygons: polygon.rings.isEmpty ? [] : [polygon])
        case "MultiPolygon":
            let items = try array(coordinates, at: "coordinates")
            var polygons: [SourcePolygon] = []
            for (index, item) in items.enumerated() {
                let path = "coordinates[\(index)]"
                let polygon = try readPolygon(try array(item, at: path), at: path)
                if !polygon.rings.isEmpty { polygons.append(polygon) }
            }
            return SourceGeometry(kind: .multiPolygon, polygons: polygons)
        default:
            throw GeometryParseError(location: "type", reason: "geometry type '\(type)' is not supported; expected Polygon or MultiPolygon")
        }
    }

    private static func readPolygon(_ rings: [JSONValue], at path: String) throws(GeometryParseError) -> SourcePolygon {
        var result: [[SourcePosition]] = []
        result.reserveCapacity(rings.count)
        for (ringIndex, ring) in rings.enumerated() {
            let ringPath = "\(path)[\(ringIndex)]"
            let positions = try array(ring, at: ringPath)
            var converted: [SourcePosition] = []
            converted.reserveCapacity(positions.count)
            for (index, position) in positions.enumerated() {
                converted.append(try readPosition(position, at: "\(ringPath)[\(index)]"))
            }
            result.append(converted)
        }
        return SourcePolygon(rings: result)
    }

    private static func readPosition(_ value: JSONValue, at path: String) throws(GeometryParseError) -> SourcePosition {
        let ordinates = try array(value, at: path)
        guard (2...3).contains(ordinates.count) else {
            throw GeometryParseError(location: path, reason: "a position needs 2 numbers [x, y] (or 3 with altitude), found \(ordinates.count)")
        }
        guard case .number(let xText) = ordinates[0], case .number(let yText) = ordinates[1],
              let x = Double(xText), let y = Double(yText), x.isFinite, y.isFinite
        else {
            throw GeometryParseError(location: path, reason: "position ordinates must be JSON numbers")
        }
        return SourcePosition(x: x, y: y, xText: Substring(xText), yText: Substring(yText))
    }

    private static func array(_ value: JSONValue, at path: String) throws(GeometryParseError) -> [JSONValue] {
        guard case .array(let items) = value else {
            throw GeometryParseError(location: path, reason: "expected an array")
        }
        return items
    }
}
