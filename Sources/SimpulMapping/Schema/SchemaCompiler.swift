/// The compiled schema set: an arena of nodes, the compiled patterns, and each file's
/// root node by `$id`.
struct CompiledSchemas: Sendable {
    var nodes: [SchemaNode] = []
    var patterns: [PatternMatcher] = []
    var roots: [String: Int] = [:]
}

/// Compiles schema documents into `CompiledSchemas`, resolving every `$ref` to a node
/// index. Refuses (with file and JSON pointer) any keyword outside the subset
/// `schemas/README.md` lists, rather than silently not checking it.
struct SchemaCompiler {
    private var compiled = CompiledSchemas()
    private var byLocation: [String: Int] = [:]
    private var pendingRefs: [(node: Int, document: String, reference: String)] = []

    /// Keywords that only annotate: accepted and ignored.
    private static let annotations: Set<String> = [
        "$schema", "$id", "$comment", "title", "description", "examples", "default",
        "deprecated", "readOnly", "writeOnly",
    ]

    /// Compiles `documents` (`$id` → schema) and links their references.
    static func compile(_ documents: [(id: String, schema: JSONValue)]) throws(SchemaLoadError) -> CompiledSchemas {
        var compiler = SchemaCompiler()
        for document in documents {
            let root = try compiler.compile(document.schema, document: document.id, pointer: "")
            compiler.compiled.roots[document.id] = root
        }
        try compiler.link()
        return compiler.compiled
    }

    private mutating func compile(_ value: JSONValue, document: String, pointer: String) throws(SchemaLoadError) -> Int {
        let location = "\(document)#\(pointer)"
        let index = compiled.nodes.count
        compiled.nodes.append(SchemaNode(location: location))
        byLocation[location] = index
        switch value {
        case .bool(let accepts):
            compiled.nodes[index].rejectsAll = !accepts
            return index
        case .object(let object):
            var node = SchemaNode(location: location)
            for (keyword, argument) in object.members {
                try apply(keyword, argument, to: &node, nodeIndex: index, document: document, pointer: pointer)
            }
            compiled.nodes[index] = node
            return index
        default:
            throw SchemaLoadError(location: location, reason: "a schema must be an object or a boolean")
        }
    }

    private mutating func apply(
        _ keyword: String, _ argument: JSONValue, to node: inout SchemaNode,
        nodeIndex: Int, document: String, pointer: String
    ) throws(SchemaLoadError) {
        let here = "\(pointer)/\(SchemaCompiler.escape(keyword))"
        func fail(_ reason: String) -> SchemaLoadError {
            SchemaLoadError(location: "\(document)#\(here)", reason: reason)
        }
        if try applyValueConstraint(keyword, argument, to: &node, fail: fail) { return }
        switch keyword {
        case "type":
            let names: [String]
            switch argument {
            case .string(let name): names = [name]
            case .array(let items): names = items.compactMap(\.stringValue)
            default: throw fail("type must be a name or a list of names")
            }
            var set: SchemaNode.TypeSet = []
            for name in names {
                guard let bit = SchemaNode.TypeSet.names.first(where: { $0.0 == name })?.1 else { throw fail("unknown type '\(name)'") }
                set.insert(bit)
            }
            node.types = set
            node.typeNames = names
        case "properties":
            guard case .object(let properties) = argument else { throw fail("properties must be an object") }
            for (name, schema) in properties.members {
                let child = try compile(schema, document: document, pointer: "\(here)/\(SchemaCompiler.escape(name))")
                node.properties.append((name, child))
            }
        case "$defs":
            guard case .object(let definitions) = argument else { throw fail("$defs must be an object") }
            for (name, schema) in definitions.members {
                _ = try compile(schema, document: document, pointer: "\(here)/\(SchemaCompiler.escape(name))")
            }
        case "required":
            guard case .array(let items) = argument else { throw fail("required must be a list of names") }
            node.required = items.compactMap(\.stringValue)
        case "additionalProperties":
            if case .bool(let allowed) = argument {
                node.additional = allowed ? .allowed : .forbidden
            } else {
                node.additional = .schema(try compile(argument, document: document, pointer: here))
            }
        case "items":
            if case .array = argument { throw fail("items must be one schema (2020-12); tuple form is prefixItems, not supported") }
            node.items = try compile(argument, document: document, pointer: here)
        case "oneOf", "anyOf":
            guard case .array(let items) = argument, !items.isEmpty else { throw fail("\(keyword) must be a non-empty list of schemas") }
            var children: [Int] = []
            for (offset, item) in items.enumerated() {
                children.append(try compile(item, document: document, pointer: "\(here)/\(offset)"))
            }
            if keyword == "oneOf" { node.oneOf = children } else { node.anyOf = children }
        case "$ref":
            guard let reference = argument.stringValue else { throw fail("$ref must be a string") }
            pendingRefs.append((nodeIndex, document, reference))
        default:
            guard SchemaCompiler.annotations.contains(keyword) else {
                throw fail("keyword '\(keyword)' is not in the supported subset (see schemas/README.md)")
            }
        }
    }

    /// The keywords that constrain a value in place (no subschemas); true when handled.
    private mutating func applyValueConstraint(
        _ keyword: String, _ argument: JSONValue, to node: inout SchemaNode, fail: (String) -> SchemaLoadError
    ) throws(SchemaLoadError) -> Bool {
        switch keyword {
        case "enum":
            guard case .array(let items) = argument else { throw fail("enum must be a list") }
            node.enumValues = items
        case "const":
            node.constValue = argument
        case "pattern":
            guard let source = argument.stringValue, let matcher = PatternMatcher(source) else { throw fail("pattern is not a valid regular expression") }
            node.pattern = compiled.patterns.count
            compiled.patterns.append(matcher)
        case "format":
            guard let name = argument.stringValue else { throw fail("format must be a string") }
            node.format = SchemaNode.Format(rawValue: name)
        case "minLength", "maxLength", "minItems", "maxItems":
            guard case .number(let text) = argument, let value = Int(text), value >= 0 else { throw fail("\(keyword) must be a non-negative integer") }
            switch keyword {
            case "minLength": node.minLength = value
            case "maxLength": node.maxLength = value
            case "minItems": node.minItems = value
            default: node.maxItems = value
            }
        case "minimum", "maximum", "exclusiveMinimum":
            guard case .number(let text) = argument, let value = Double(text) else { throw fail("\(keyword) must be a number") }
            switch keyword {
            case "minimum": node.minimum = value
            case "maximum": node.maximum = value
            default: node.exclusiveMinimum = value
            }
        default:
            return false
        }
        return true
    }

    /// Resolves each `$ref`: `other.v1.json`, `other.v1.json#/$defs/x` or `#/$defs/x`,
    /// relative to the referring file (all files share one folder).
    private mutating func link() throws(SchemaLoadError) {
        for pending in pendingRefs {
            let parts = pending.reference.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
            var document = parts.first.map(String.init) ?? ""
            let fragment = parts.count > 1 ? String(parts[1]) : ""
            if document.isEmpty {
                document = pending.document
            } else if compiled.roots[document] == nil, let last = document.split(separator: "/").last {
                document = String(last)
            }
            guard compiled.roots[document] != nil else {
                throw SchemaLoadError(location: compiled.nodes[pending.node].location,
                                      reason: "$ref '\(pending.reference)' names a schema file that is not in the folder")
            }
            guard let pointer = SchemaCompiler.normalizedPointer(fragment),
                  let target = byLocation["\(document)#\(pointer)"]
            else {
                throw SchemaLoadError(location: compiled.nodes[pending.node].location,
                                      reason: "$ref '\(pending.reference)' does not point at a schema")
            }
            compiled.nodes[pending.node].ref = target
        }
    }

    /// A fragment as a JSON pointer in this compiler's escaping; nil for anchors.
    private static func normalizedPointer(_ fragment: String) -> String? {
        if fragment.isEmpty { return "" }
        guard fragment.hasPrefix("/") else { return nil }
        let decoded = fragment.removingPercentEncodingSimple()
        let tokens = decoded.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        return tokens.map { "/" + escape($0.replacingOccurrences("~1", "/").replacingOccurrences("~0", "~")) }.joined()
    }

    static func escape<S: StringProtocol>(_ token: S) -> String {
        String(token).replacingOccurrences("~", "~0").replacingOccurrences("/", "~1")
    }
}

/// Why a schema folder could not be loaded: which file and JSON pointer, and what to fix.
public struct SchemaLoadError: Error, Sendable, CustomStringConvertible {
    /// `person.v1.json#/properties/nik`, or a file path.
    public var location: String
    /// What is wrong and what to change.
    public var reason: String
    public var description: String { "schema \(location): \(reason)" }
}

fileprivate extension StringProtocol {
    /// Plain substring replacement without Foundation.
    func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        guard !target.isEmpty else { return String(self) }
        var result = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound] + replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }

    /// Decodes `%XX` escapes (JSON pointers in URI fragments); invalid escapes stay as they are.
    func removingPercentEncodingSimple() -> String {
        var bytes: [UInt8] = []
        let source = Array(utf8)
        var index = 0
        while index < source.count {
            if source[index] == UInt8(ascii: "%"), index + 2 < source.count,
               let value = UInt8(String(decoding: source[index + 1...index + 2], as: UTF8.self), radix: 16) {
                bytes.append(value)
                index += 3
            } else {
                bytes.append(source[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
