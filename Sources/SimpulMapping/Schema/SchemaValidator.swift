import Foundation

/// Validates canonical records against the JSON Schema files of `schemas/`, for the
/// keyword subset they use (listed in `schemas/README.md`). Load once at start-up; then
/// `validate` is pure and safe from any task (the value is immutable and `Sendable`).
///
/// ```swift
/// let schemas = try SchemaValidator(directory: URL(fileURLWithPath: "schemas"))
/// let issues = schemas.validate(record, schema: "person.v1.json")   // [] when valid
/// ```
/// Codes: `required.missing`, `enum.unknown`, `schema.type`, `schema.pattern`,
/// `schema.format`, `schema.const`, `schema.min_length`, `schema.max_length`,
/// `schema.minimum`, `schema.maximum`, `schema.exclusive_minimum`, `schema.min_items`,
/// `schema.max_items`, `schema.additional_property`, `schema.one_of`, `schema.any_of`.
public struct SchemaValidator: Sendable {
    private let schemas: CompiledSchemas

    /// The `$id`s of the loaded files (`person.v1.json`, …), sorted.
    public var schemaIDs: [String] { schemas.roots.keys.sorted() }

    /// Loads every `*.json` file of `directory`. Each file is known by its `$id` (or its
    /// file name when it has none).
    /// - Throws: `SchemaLoadError` naming the file (and JSON pointer) for unreadable JSON,
    ///   an unsupported keyword, an invalid pattern or a `$ref` that resolves nowhere.
    public init(directory: URL) throws(SchemaLoadError) {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
                .filter { $0.hasSuffix(".json") }.sorted()
        } catch {
            throw SchemaLoadError(location: directory.path, reason: "cannot list the schema folder: \(error)")
        }
        var texts: [(name: String, text: String)] = []
        for name in names {
            let url = directory.appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw SchemaLoadError(location: url.path, reason: "cannot read the file")
            }
            texts.append((name, String(decoding: data, as: UTF8.self)))
        }
        try self.init(texts: texts)
    }

    /// Loads schemas given as (file name, JSON text) pairs, e.g. from tests or resources.
    public init(texts: [(name: String, text: String)]) throws(SchemaLoadError) {
        var documents: [(id: String, schema: JSONValue)] = []
        for (name, text) in texts {
            let schema: JSONValue
            do {
                schema = try JSONReader.parse(Array(text.utf8))
            } catch {
                throw SchemaLoadError(location: "\(name) line \(error.line) column \(error.column ?? 1)", reason: error.message)
            }
            let id = schema["$id"]?.stringValue ?? name
            if let earlier = documents.firstIndex(where: { $0.id == id }) {
                throw SchemaLoadError(location: name, reason: "$id '\(id)' is already used by \(texts[earlier].name); each file needs its own $id")
            }
            documents.append((id, schema))
        }
        schemas = try SchemaCompiler.compile(documents)
    }

    /// True when a schema with this `$id` is loaded.
    public func contains(schema id: String) -> Bool {
        schemas.roots[id] != nil
    }

    /// Validates `value` against the schema with `$id` `schema` (`person.v1.json`).
    /// - Parameter path: prefix for the issue paths, e.g. `data` when validating the data
    ///   of a CloudEvent; empty for a bare record (a root-level issue then has field `$`).
    /// - Returns: every issue found; empty when the value is valid. An unknown schema id
    ///   gives one `schema.unknown` issue (a programming or configuration error).
    public func validate(_ value: JSONValue, schema id: String, path: String = "") -> [ValidationIssue] {
        guard let root = schemas.roots[id] else {
            return [ValidationIssue(field: path.isEmpty ? "$" : path, code: ValidationCode.schemaUnknown,
                                    message: "no schema '\(id)' is loaded; known: \(schemaIDs.joined(separator: ", "))")]
        }
        var issues: [ValidationIssue] = []
        evaluate(value, root: root, path: path, into: &issues)
        return issues
    }

    private func evaluate(_ value: JSONValue, root: Int, path: String, into issues: inout [ValidationIssue]) {
        var fieldPath = SchemaFieldPath(components: path.isEmpty ? [] : [.key(path)])
        schemas.nodes.withUnsafeBufferPointer { nodes in
            schemas.patterns.withUnsafeBufferPointer { patterns in
                SchemaEvaluator(nodes: nodes, patterns: patterns).evaluate(value, node: root, path: &fieldPath, into: &issues)
            }
        }
    }

    /// Validates a whole CloudEvent: the envelope against `cloudevent.v1.json`, then its
    /// `data` against the schema its `dataschema` names (`schemas/person.v1.json` →
    /// `person.v1.json`), with `data.` prefixed to the field paths. For canonical
    /// producers posting events directly.
    public func validate(cloudEvent event: JSONValue) -> [ValidationIssue] {
        var issues = validate(event, schema: "cloudevent.v1.json")
        guard let dataschema = event["dataschema"]?.stringValue else { return issues }
        let id = Self.lastPathSegment(dataschema)
        guard let root = schemas.roots[id] else {
            issues.append(ValidationIssue(
                field: "dataschema", code: ValidationCode.schemaUnknown,
                message: "dataschema '\(dataschema)' names no loaded schema; known: \(schemaIDs.joined(separator: ", "))"))
            return issues
        }
        evaluate(event["data"] ?? .null, root: root, path: "data", into: &issues)
        return issues
    }

    /// `person.v1.json` of `schemas/person.v1.json`: the last non-empty segment between
    /// slashes, or the whole text when it has none (what `split(separator: "/").last` gives,
    /// without building every segment and walking grapheme clusters once per event).
    static func lastPathSegment(_ text: String) -> String {
        let utf8 = text.utf8
        // Bytes and Characters split alike on ASCII; elsewhere a combining mark after a
        // slash would join it into one Character, so the Character split decides.
        guard !utf8.contains(where: { $0 >= 0x80 }) else {
            return text.split(separator: "/").last.map(String.init) ?? text
        }
        let slash = UInt8(ascii: "/")
        var end = utf8.endIndex
        while end > utf8.startIndex, utf8[utf8.index(before: end)] == slash { end = utf8.index(before: end) }
        guard end > utf8.startIndex else { return text }
        let start = utf8[..<end].lastIndex(of: slash).map { utf8.index(after: $0) } ?? utf8.startIndex
        return String(Substring(utf8[start..<end]))
    }
}
