/// The stable validation codes, in one place so that a typo cannot invent a new one.
/// Codes are a contract with clients (they match on them): add, never rename.
/// `docs/validation.md` lists each with its meaning and an example.
public enum ValidationCode {
    // Generic field rules.
    public static let requiredMissing = "required.missing"
    public static let enumUnknown = "enum.unknown"
    public static let dateInvalid = "date.invalid"

    // Identifiers.
    public static let nikFormat = "nik.format"
    public static let nikRegion = "nik.region"
    public static let nikBirthdateMismatch = "nik.birthdate_mismatch"
    public static let nikSexMismatch = "nik.sex_mismatch"
    public static let nikDuplicate = "nik.duplicate"
    public static let kkFormat = "kk.format"
    public static let rtrwFormat = "rtrw.format"
    public static let nibFormat = "nib.format"
    public static let kbliFormat = "kbli.format"

    // Cross-field rules.
    public static let intensityKdbKdhSum = "intensity.kdb_kdh_sum"
    public static let statusTransition = "status.transition"
    public static let statusTimeOrder = "status.time_order"
    public static let dispositionBeforeLetterDate = "disposition.before_letter_date"

    // Geometry.
    public static let geometryInvalid = "geometry.invalid"
    public static let geometryEmpty = "geometry.empty"
    public static let geometryUnclosedRing = "geometry.unclosed_ring"
    public static let geometrySelfIntersection = "geometry.self_intersection"
    public static let geometryOutsideCity = "geometry.outside_city"
    public static let geometryUnsupportedCrs = "geometry.unsupported_crs"

    // JSON Schema keywords (SchemaValidator). `required` and `enum` use the generic
    // codes above so that a client sees one code for one kind of mistake.
    public static let schemaType = "schema.type"
    public static let schemaPattern = "schema.pattern"
    public static let schemaFormat = "schema.format"
    public static let schemaConst = "schema.const"
    public static let schemaMinLength = "schema.min_length"
    public static let schemaMaxLength = "schema.max_length"
    public static let schemaMinimum = "schema.minimum"
    public static let schemaMaximum = "schema.maximum"
    public static let schemaExclusiveMinimum = "schema.exclusive_minimum"
    public static let schemaMinItems = "schema.min_items"
    public static let schemaMaxItems = "schema.max_items"
    public static let schemaAdditionalProperty = "schema.additional_property"
    public static let schemaOneOf = "schema.one_of"
    public static let schemaAnyOf = "schema.any_of"
    /// A schema id that is not loaded: a configuration error, not bad input.
    public static let schemaUnknown = "schema.unknown"
}
