/// A longitude/latitude box a city's parcels must fall in; a point outside it is
/// `geometry.outside_city`, which is how swapped axes or a wrong CRS show up.
public struct CityBounds: Sendable, Hashable {
    /// Degrees east, inclusive.
    public var longitudeMin: Double
    public var longitudeMax: Double
    /// Degrees north (negative south), inclusive.
    public var latitudeMin: Double
    public var latitudeMax: Double

    public init(longitudeMin: Double, longitudeMax: Double, latitudeMin: Double, latitudeMax: Double) {
        precondition(longitudeMin <= longitudeMax && latitudeMin <= latitudeMax, "bounds must not be inverted")
        self.longitudeMin = longitudeMin
        self.longitudeMax = longitudeMax
        self.latitudeMin = latitudeMin
        self.latitudeMax = latitudeMax
    }

    /// The bundled adapters' bounds (DOMAIN.md): both Balikpapan and Bontang,
    /// longitude 116.70 to 117.60, latitude −1.45 to 0.30.
    public static let balikpapanBontang = CityBounds(
        longitudeMin: 116.70, longitudeMax: 117.60, latitudeMin: -1.45, latitudeMax: 0.30)

    /// True when the point is inside or on the edge (false for NaN).
    public func contains(longitude: Double, latitude: Double) -> Bool {
        longitude >= longitudeMin && longitude <= longitudeMax
            && latitude >= latitudeMin && latitude <= latitudeMax
    }
}
