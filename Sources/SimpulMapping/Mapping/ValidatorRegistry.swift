/// The validators and the geometry conversion an adapter file may name.
///
/// Adapter files refer to validators by name (`"validate": ["nik"]` on a field,
/// `"validate": ["nik_birthdate"]` at the top for whole-record rules); compiling a file
/// resolves every name here once, and an unknown name is an `AdapterFileError`.
/// Safe to share between tasks: all members are `@Sendable` values.
public struct ValidatorRegistry: Sendable {
    /// Checks one canonical field value; `field` is its path for the issues.
    public typealias FieldCheck = @Sendable (_ value: JSONValue, _ field: String) -> [ValidationIssue]
    /// Checks a whole canonical record (cross-field rules).
    public typealias RecordCheck = @Sendable (_ data: JSONObject) -> [ValidationIssue]

    public var fieldValidators: [String: FieldCheck]
    public var recordValidators: [String: RecordCheck]
    /// Converts source geometry (GeoJSON or WKT) to canonical WGS84 GeoJSON; nil when
    /// no conversion is available (then adapters with a `geometry` rule fail to load).
    public var geometry: (any GeometryConverting)?
    /// When set, every mapped record is also checked against the schema its adapter
    /// names (`schema`), after the domain rules; nil skips the schema check.
    public var schemas: SchemaValidator?

    public init(fieldValidators: [String: FieldCheck] = [:], recordValidators: [String: RecordCheck] = [:],
                geometry: (any GeometryConverting)? = nil) {
        self.fieldValidators = fieldValidators
        self.recordValidators = recordValidators
        self.geometry = geometry
        self.schemas = nil
    }

    /// A copy that also checks records against `schemas`.
    public func checkingSchemas(_ schemas: SchemaValidator) -> ValidatorRegistry {
        var copy = self
        copy.schemas = schemas
        return copy
    }
}

/// What a `geometry` rule asks of the conversion.
public struct GeometryRequest: Sendable {
    /// A GeoJSON geometry object or a WKT/EWKT string, as found in the source.
    public var source: JSONValue
    /// Normalised source CRS (`EPSG:32750`, `EPSG:32650`, `EPSG:4326`).
    public var sourceCRS: String
    /// Allowed WGS84 box, when the adapter configures one (`geometry.outside_city`).
    public var bounds: CityBounds?
    /// Canonical field path, for issues.
    public var field: String
}

/// Turns source geometry into canonical GeoJSON (WGS84, longitude first, closed rings,
/// exterior counter-clockwise) or explains why it cannot.
public protocol GeometryConverting: Sendable {
    func convert(_ request: GeometryRequest) -> GeometryOutcome
}

/// What a geometry conversion gives back.
public enum GeometryOutcome: Sendable {
    /// Canonical GeoJSON geometry.
    case converted(JSONValue)
    /// Why the geometry was refused (`geometry.unclosed_ring`, …).
    case rejected([ValidationIssue])
}
