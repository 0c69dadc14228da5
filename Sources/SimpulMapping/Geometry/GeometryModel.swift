/// One coordinate pair as read from the source, in source units (metres or degrees).
struct SourcePosition: Sendable, Equatable {
    var x: Double
    var y: Double
    /// The x and y texts as written, kept for WGS 84 input so that degrees pass through
    /// unrounded when they already are valid JSON numbers.
    var xText: Substring?
    var yText: Substring?

    static func == (lhs: SourcePosition, rhs: SourcePosition) -> Bool {
        lhs.x == rhs.x && lhs.y == rhs.y
    }
}

/// A polygon as parsed: exterior ring first, then holes. Rings as written (maybe unclosed).
struct SourcePolygon: Sendable {
    var rings: [[SourcePosition]]
}

/// A parsed Polygon or MultiPolygon before checks and conversion.
struct SourceGeometry: Sendable {
    enum Kind: Sendable { case polygon, multiPolygon }
    var kind: Kind
    var polygons: [SourcePolygon]
    /// The EWKT `SRID=…;` prefix, when present.
    var srid: Int?
}

/// A parse failure with where it happened, for `geometry.invalid`.
struct GeometryParseError: Error, Sendable {
    /// Where: `character 37` for WKT, `coordinates[0][3]` for GeoJSON.
    var location: String
    var reason: String
}
