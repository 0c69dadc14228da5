/// The outcome of converting one source geometry.
public struct GeometryConversion: Sendable, Equatable {
    /// Canonical GeoJSON geometry (WGS 84, longitude first, rings closed, exterior rings
    /// counter-clockwise, holes clockwise), or nil when the input could not be read or
    /// failed a structural check (empty, unclosed ring, too few positions).
    public var geometry: JSONValue?
    /// The CRS the coordinates were read in, for the record's `sourceCrs`.
    public var sourceCrs: SourceCRS?
    /// Everything wrong with the geometry; the geometry is valid only when this is empty.
    public var issues: [ValidationIssue]
}

/// Turns SIMTARU parcel geometry (WKT, EWKT or GeoJSON; UTM 50S, UTM 50N or WGS 84) into
/// canonical GeoJSON, and checks it: `geometry.invalid` (unreadable, with the position),
/// `geometry.unsupported_crs`, `geometry.empty`, `geometry.unclosed_ring`,
/// `geometry.self_intersection`, `geometry.outside_city`. Safe from any task.
public struct GeometryConverter: Sendable {
    /// The box every converted point must lie in.
    public var bounds: CityBounds

    public init(bounds: CityBounds = .balikpapanBontang) {
        self.bounds = bounds
    }

    /// Converts WKT (`POLYGON((x y, …))`, `MULTIPOLYGON(…)`, EWKT `SRID=32750;POLYGON(…)`).
    /// - Parameters:
    ///   - crs: the record's CRS (`srid` column); may be nil when the EWKT prefix names it.
    ///     When both are given they must agree.
    ///   - field: the canonical field path for issues (default `geometry`).
    public func convert(wkt: String, crs: SourceCRS?, field: String = "geometry") -> GeometryConversion {
        let source: SourceGeometry
        switch WKTParser.parse(wkt) {
        case .success(let parsed): source = parsed
        case .failure(let error): return failed(field, ValidationCode.geometryInvalid, "\(error.reason) at \(error.location)")
        }
        var resolved = crs
        if let srid = source.srid {
            guard let sridCrs = SourceCRS(rawValue: srid) else {
                return failed(field, ValidationCode.geometryUnsupportedCrs,
                              "SRID \(srid) is not supported; use 32750 (UTM 50S), 32650 (UTM 50N) or 4326 (WGS 84)")
            }
            if let crs, crs != sridCrs {
                return failed(field, ValidationCode.geometryInvalid,
                              "the WKT says SRID=\(srid) but the record's CRS is \(crs.name); they must agree")
            }
            resolved = sridCrs
        }
        guard let resolved else {
            return failed(field, ValidationCode.geometryUnsupportedCrs,
                          "no CRS given: send srid (32750, 32650 or 4326) or an EWKT SRID= prefix")
        }
        return finish(source, crs: resolved, field: field)
    }

    /// Converts a GeoJSON geometry object (`Polygon` or `MultiPolygon`) in `crs`
    /// (a FeatureCollection without a `crs` member is EPSG:4326: the caller decides).
    public func convert(geoJSON: JSONValue, crs: SourceCRS, field: String = "geometry") -> GeometryConversion {
        switch GeoJSONGeometryReader.read(geoJSON) {
        case .success(let source): return finish(source, crs: crs, field: field)
        case .failure(let error):
            return failed(field, ValidationCode.geometryInvalid, "\(error.reason) at \(field).\(error.location)")
        }
    }

    /// Converts one source position to (longitude, latitude) in degrees.
    public static func toWGS84(x: Double, y: Double, crs: SourceCRS) -> (longitude: Double, latitude: Double) {
        switch crs {
        case .wgs84: return (x, y)
        case .utm50North: return utm50North.inverse(easting: x, northing: y)
        case .utm50South: return utm50South.inverse(easting: x, northing: y)
        }
    }

    private static let utm50North = TransverseMercator.utm(zone: 50, south: false)
    private static let utm50South = TransverseMercator.utm(zone: 50, south: true)

    // MARK: - Checks and output

    private func finish(_ source: SourceGeometry, crs: SourceCRS, field: String) -> GeometryConversion {
        if source.polygons.isEmpty || source.polygons.contains(where: { $0.rings.contains(where: \.isEmpty) }) {
            return failed(field, ValidationCode.geometryEmpty, "the geometry has no coordinates; a parcel needs a polygon")
        }
        var issues = structuralIssues(source, field: field)
        guard issues.isEmpty else { return GeometryConversion(geometry: nil, sourceCrs: crs, issues: issues) }
        issues += intersectionIssues(source, field: field)
        var outside: (Double, Double)?
        var polygons: [JSONValue] = []
        for polygon in source.polygons {
            var rings: [JSONValue] = []
            for (ringIndex, ring) in polygon.rings.enumerated() {
                var points = ring.map { position -> (Double, Double) in
                    let converted = GeometryConverter.toWGS84(x: position.x, y: position.y, crs: crs)
                    return (converted.longitude, converted.latitude)
                }
                if outside == nil, let point = points.first(where: { !bounds.contains(longitude: $0.0, latitude: $0.1) }) {
                    outside = point
                }
                let counterClockwise = RingChecks.signedArea2(points) > 0
                var texts = ring
                if counterClockwise != (ringIndex == 0) {
                    points.reverse()
                    texts.reverse()
                }
                rings.append(.array(zip(points, texts).map { position(lonLat: $0, source: $1, crs: crs) }))
            }
            polygons.append(.array(rings))
        }
        if let (longitude, latitude) = outside {
            issues.append(ValidationIssue(
                field: field, code: ValidationCode.geometryOutsideCity,
                message: "point (\(CoordinateText.format(longitude)), \(CoordinateText.format(latitude))) read as \(crs.name) "
                    + "lies outside the city bounds (longitude \(bounds.longitudeMin)…\(bounds.longitudeMax), "
                    + "latitude \(bounds.latitudeMin)…\(bounds.latitudeMax)); check the CRS and the x/y order"))
        }
        let isPolygon = source.kind == .polygon
        let geometry = JSONValue.object(JSONObject([
            ("type", .string(isPolygon ? "Polygon" : "MultiPolygon")),
            ("coordinates", isPolygon ? polygons[0] : .array(polygons)),
        ]))
        return GeometryConversion(geometry: geometry, sourceCrs: crs, issues: issues)
    }

    /// Unclosed rings and rings with fewer than 4 positions.
    private func structuralIssues(_ source: SourceGeometry, field: String) -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        for (polygonIndex, polygon) in source.polygons.enumerated() {
            for (ringIndex, ring) in polygon.rings.enumerated() {
                let path = ringPath(source, field, polygonIndex, ringIndex)
                guard let first = ring.first, let last = ring.last else { continue }
                if first != last {
                    issues.append(ValidationIssue(
                        field: path, code: ValidationCode.geometryUnclosedRing,
                        message: "ring starts at (\(first.x), \(first.y)) but ends at (\(last.x), \(last.y)); repeat the first position at the end"))
                } else if ring.count < 4 {
                    issues.append(ValidationIssue(
                        field: path, code: ValidationCode.geometryInvalid,
                        message: "ring has \(ring.count) positions; a closed ring needs at least 4"))
                }
            }
        }
        return issues
    }

    private func intersectionIssues(_ source: SourceGeometry, field: String) -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        for (polygonIndex, polygon) in source.polygons.enumerated() {
            let rings = polygon.rings.map { RingChecks.deduplicated($0.map { RingChecks.Point(x: $0.x, y: $0.y) }) }
            for (ringIndex, ring) in rings.enumerated() {
                let path = ringPath(source, field, polygonIndex, ringIndex)
                if ring.count < 4 {
                    issues.append(ValidationIssue(field: path, code: ValidationCode.geometryInvalid,
                                                  message: "ring has fewer than 3 distinct positions; it encloses no area"))
                } else if let segment = RingChecks.firstSelfIntersection(ring) {
                    issues.append(ValidationIssue(
                        field: path, code: ValidationCode.geometrySelfIntersection,
                        message: "ring crosses or touches itself at its segment \(segment) (from (\(ring[segment].x), \(ring[segment].y))); "
                            + "a parcel boundary must not cross itself"))
                }
                for otherIndex in 0..<ringIndex where RingChecks.ringsMeet(rings[otherIndex], ring) {
                    issues.append(ValidationIssue(
                        field: path, code: ValidationCode.geometrySelfIntersection,
                        message: "ring \(ringIndex) meets ring \(otherIndex) of the same polygon; a hole must lie strictly inside"))
                    break
                }
            }
        }
        return issues
    }

    private func ringPath(_ source: SourceGeometry, _ field: String, _ polygon: Int, _ ring: Int) -> String {
        source.kind == .polygon ? "\(field).coordinates[\(ring)]" : "\(field).coordinates[\(polygon)][\(ring)]"
    }

    private func position(lonLat: (Double, Double), source: SourcePosition, crs: SourceCRS) -> JSONValue {
        if crs == .wgs84, let xText = source.xText, let yText = source.yText,
           CoordinateText.isJSONNumber(xText), CoordinateText.isJSONNumber(yText) {
            return .array([.number(String(xText)), .number(String(yText))])
        }
        return .array([.number(CoordinateText.format(lonLat.0)), .number(CoordinateText.format(lonLat.1))])
    }

    private func failed(_ field: String, _ code: String, _ message: String) -> GeometryConversion {
        GeometryConversion(geometry: nil, sourceCrs: nil, issues: [ValidationIssue(field: field, code: code, message: message)])
    }
}
