/// One compiled subschema. Nodes live in an arena (`[SchemaNode]`) and point at each
/// other by index, so `$ref` cycles need no reference types and the whole compiled set
/// is a plain `Sendable` value.
struct SchemaNode: Sendable {
    /// JSON Schema `type` names as a bit set.
    struct TypeSet: OptionSet, Sendable {
        let rawValue: UInt8
        static let null = TypeSet(rawValue: 1 << 0)
        static let boolean = TypeSet(rawValue: 1 << 1)
        static let object = TypeSet(rawValue: 1 << 2)
        static let array = TypeSet(rawValue: 1 << 3)
        static let number = TypeSet(rawValue: 1 << 4)
        static let string = TypeSet(rawValue: 1 << 5)
        static let integer = TypeSet(rawValue: 1 << 6)

        static let names: [(String, TypeSet)] = [
            ("null", .null), ("boolean", .boolean), ("object", .object), ("array", .array),
            ("number", .number), ("string", .string), ("integer", .integer),
        ]
    }

    /// `format` values that are asserted; other formats are annotations only.
    enum Format: String, Sendable {
        case date
        case dateTime = "date-time"
    }

    /// `additionalProperties`.
    enum Additional: Sendable {
        case allowed
        case forbidden
        case schema(Int)
    }

    /// Where the node was defined, for load errors: `person.v1.json#/properties/nik`.
    var location: String
    /// A boolean schema: `true` accepts everything, `false` nothing.
    var rejectsAll = false
    var types: TypeSet?
    var typeNames: [String] = []
    var properties: [(name: String, node: Int)] = []
    var required: [String] = []
    var additional: Additional = .allowed
    var items: Int?
    var enumValues: [JSONValue]?
    var constValue: JSONValue?
    /// Index into `CompiledSchemas.patterns`.
    var pattern: Int?
    var format: Format?
    var minLength: Int?
    var maxLength: Int?
    var minimum: Double?
    var maximum: Double?
    var exclusiveMinimum: Double?
    var minItems: Int?
    var maxItems: Int?
    /// The `$ref` target, resolved after every file is compiled.
    var ref: Int?
    var oneOf: [Int]?
    var anyOf: [Int]?
}
