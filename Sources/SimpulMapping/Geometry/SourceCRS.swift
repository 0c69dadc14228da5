/// The coordinate reference systems SIMTARU parcels arrive in (DOMAIN.md): metres in
/// WGS 84 / UTM zone 50S or 50N, or WGS 84 degrees. Axis order is always x = easting or
/// longitude, y = northing or latitude (the GIS convention, EPSG:4326 included).
public enum SourceCRS: Int, Sendable, Hashable, CaseIterable {
    /// WGS 84 / UTM zone 50S: false northing 10,000,000 m (Balikpapan; Bontang too,
    /// with northings above 10,000,000 m).
    case utm50South = 32750
    /// WGS 84 / UTM zone 50N: false northing 0 (Bontang, north of the equator).
    case utm50North = 32650
    /// WGS 84 longitude/latitude in degrees.
    case wgs84 = 4326

    /// The EPSG code (`32750`).
    public var epsg: Int { rawValue }
    /// The canonical name written to `sourceCrs`: `EPSG:32750`.
    public var name: String { "EPSG:\(rawValue)" }

    /// Reads a CRS name as sources write it: `EPSG:32750`, `urn:ogc:def:crs:EPSG::32750`,
    /// `urn:ogc:def:crs:EPSG:9.9.1:32750`, `32750`, or `urn:ogc:def:crs:OGC:1.3:CRS84` /
    /// `CRS84` for WGS 84 degrees. Nil for anything else (the caller reports
    /// `geometry.unsupported_crs`).
    public init?(name: String) {
        let trimmed = name.trimmingSpaces().uppercased()
        if trimmed == "CRS84" || trimmed.hasSuffix(":CRS84") {
            self = .wgs84
            return
        }
        let digits = trimmed.split(separator: ":").last.map(String.init) ?? trimmed
        guard trimmed == digits || trimmed.hasPrefix("EPSG:") || trimmed.hasPrefix("URN:OGC:DEF:CRS:EPSG:"),
              let code = Int(digits)
        else { return nil }
        self.init(rawValue: code)
    }
}

extension String {
    /// Without leading and trailing ASCII spaces and tabs (no Foundation needed).
    func trimmingSpaces() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
