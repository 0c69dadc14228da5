/// The validators and geometry conversion the bundled adapters name, wired to the
/// domain validators of `Validation/` and `Geometry/`.
///
/// Field validators (`"validate"` on a field): `nik`, `kk`, `nib`, `kbli`, `rtrw`.
/// Record validators (`"validate"` at the top): one per canonical entity, running every
/// cross-field rule of `RecordRules` (`person`, `correspondence`, `permit`,
/// `spatial-permit`, `business`).
extension ValidatorRegistry {
    /// Everything built in; adapters of other cities add their own entries to a copy.
    public static let builtIn: ValidatorRegistry = {
        var registry = ValidatorRegistry(geometry: BuiltInGeometry())
        registry.fieldValidators = [
            "nik": { value, field in value.stringValue.map { NIKValidator.validate(nik: $0, field: field) } ?? [] },
            "kk": { value, field in value.stringValue.map { IdentifierValidator.validate(familyCardNumber: $0, field: field) } ?? [] },
            "nib": { value, field in value.stringValue.map { IdentifierValidator.validate(nib: $0, field: field) } ?? [] },
            "kbli": { value, field in value.stringValue.map { IdentifierValidator.validate(kbli: $0, field: field) } ?? [] },
            "rtrw": { value, field in value.stringValue.map { IdentifierValidator.validate(rtrw: $0, field: field) } ?? [] },
        ]
        for entity in CanonicalEntity.allCases {
            registry.recordValidators[entity.rawValue] = { data in RecordRules.validate(.object(data), entity: entity) }
        }
        return registry
    }()
}

/// `GeometryConverting` over the geometry module's `GeometryConverter`.
struct BuiltInGeometry: GeometryConverting {
    func convert(_ request: GeometryRequest) -> GeometryOutcome {
        var converter = GeometryConverter()
        if let bounds = request.bounds { converter.bounds = bounds }
        guard let crs = CRSName.parse(request.sourceCRS) else {
            return .rejected([ValidationIssue(field: request.field, code: ValidationCode.geometryUnsupportedCrs,
                                              message: "CRS \(request.sourceCRS) is not supported")])
        }
        let conversion: GeometryConversion
        switch request.source {
        case .string(let wkt): conversion = converter.convert(wkt: wkt, crs: crs, field: request.field)
        case .object: conversion = converter.convert(geoJSON: request.source, crs: crs, field: request.field)
        default:
            return .rejected([ValidationIssue(field: request.field, code: ValidationCode.geometryInvalid,
                                              message: "expected a GeoJSON geometry object or WKT text, found \(request.source.kindName)")])
        }
        if let geometry = conversion.geometry, conversion.issues.isEmpty { return .converted(geometry) }
        return .rejected(conversion.issues)
    }
}
