/// The compiled form of an adapter file's `fields`: built once when the file is loaded,
/// then run for every record without looking up rule names or options again.
///
/// A class, so that walking the plan per record retains one reference per rule rather
/// than copying (and retaining) every member of a struct.
final class FieldPlan: Sendable {
    /// Member name in the canonical object.
    let key: String
    /// Path of the field relative to the nearest array element (`address.rt`), for issues.
    let path: String
    let kind: Kind
    let transforms: [Transform]
    let defaultValue: JSONValue?
    let required: Bool
    let requiredWhen: Condition?
    let validators: [NamedFieldCheck]
    /// `if`: the rule applies only when one of these source paths holds a value.
    let condition: [SourcePath]?

    init(key: String, path: String, kind: Kind, transforms: [Transform], defaultValue: JSONValue?, required: Bool,
         requiredWhen: Condition?, validators: [NamedFieldCheck], condition: [SourcePath]?) {
        self.key = key
        self.path = path
        self.kind = kind
        self.transforms = transforms
        self.defaultValue = defaultValue
        self.required = required
        self.requiredWhen = requiredWhen
        self.validators = validators
        self.condition = condition
    }

    indirect enum Kind: Sendable {
        /// A value read from the source (or a constant, or a concatenation).
        case scalar(ValueSource)
        /// A nested object built from the same source element.
        case object([FieldPlan])
        /// An array: one element per source element found at `paths` (a single
        /// non-array value counts as one element, as XML repeats do).
        case each(paths: [SourcePath], element: Element)
        /// Geometry converted through the registry's `GeometryConverting`.
        case geometry(GeometryRule)
        /// An array of rules in the file: the first whose `if` holds (or that has none)
        /// produces the field.
        case choice([FieldPlan])
    }

    enum Element: Sendable {
        case object([FieldPlan])
        case scalar(FieldPlan)
    }
}

/// Where a scalar's value comes from.
enum ValueSource: Sendable {
    /// The first of these paths that holds a value.
    case paths([SourcePath])
    case constant(JSONValue)
    /// Parts joined by a separator; missing when any path part is missing.
    case concat([ConcatPart], separator: String)
}

enum ConcatPart: Sendable {
    case path(SourcePath)
    case text(String)
}

/// `requiredWhen`: the field is required when the canonical field at `field` (from the
/// record's root) equals `equals`.
struct Condition: Sendable {
    let field: SourcePath
    let equals: JSONValue
}

struct NamedFieldCheck: Sendable {
    let name: String
    let check: ValidatorRegistry.FieldCheck
}

struct NamedRecordCheck: Sendable {
    let name: String
    let check: ValidatorRegistry.RecordCheck
}

struct GeometryRule: Sendable {
    let paths: [SourcePath]
    /// Key of a sibling canonical field, mapped before this one, holding the CRS.
    let crsField: String
    let bounds: CityBounds?
    let converter: any GeometryConverting
}

/// `unique`: a canonical field whose value may appear once per batch.
struct UniqueRule: Sendable {
    let field: SourcePath
    let code: String
}

/// `subject`: literal text with `{canonical.path}` holes.
struct SubjectTemplate: Sendable {
    enum Part: Sendable {
        case text(String)
        case field(SourcePath)
    }

    let parts: [Part]

    static func parse(_ text: String) -> Result<SubjectTemplate, PathError> {
        var parts: [Part] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            if open > rest.startIndex { parts.append(.text(String(rest[..<open]))) }
            guard let close = rest[open...].firstIndex(of: "}") else { return .failure("unclosed '{' in \"\(text)\"") }
            let name = String(rest[rest.index(after: open)..<close])
            switch SourcePath.parse(name) {
            case .success(let path): parts.append(.field(path))
            case .failure(let error): return .failure(error)
            }
            rest = rest[rest.index(after: close)...]
        }
        if !rest.isEmpty { parts.append(.text(String(rest))) }
        return .success(SubjectTemplate(parts: parts))
    }

    func render(_ data: JSONValue) -> String {
        var result = ""
        for part in parts {
            switch part {
            case .text(let text): result += text
            case .field(let path): result += path.resolve(in: data, root: data)?.scalarText ?? ""
            }
        }
        return result
    }
}

extension JSONValue {
    /// Text of a string, number or boolean; nil for null, arrays and objects.
    var scalarText: String? {
        switch self {
        case .string(let text), .number(let text): return text
        case .bool(let flag): return flag ? "true" : "false"
        default: return nil
        }
    }
}

/// Why a path or template in an adapter file could not be read.
struct PathError: Error, ExpressibleByStringInterpolation {
    let reason: String

    init(stringLiteral value: String) {
        reason = value
    }

    init(stringInterpolation: DefaultStringInterpolation) {
        reason = String(stringInterpolation: stringInterpolation)
    }
}

/// The result of one transform step: the next value (nil for missing) or an issue that
/// refuses the record. (Not `Result`: a `ValidationIssue` is data, not an `Error`.)
enum StepResult {
    case success(JSONValue?)
    case failure(ValidationIssue)
}
