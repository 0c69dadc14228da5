/// Compiles an `adapter.json` into a `DeclarativeAdapter`.
public enum AdapterCompiler {
    static let topKeys = ["name", "description", "source", "formats", "type", "topic", "schema", "key",
                          "subject", "recordElement", "fields", "validate", "unique"]

    /// Compiles the text of an adapter file.
    /// - Parameters:
    ///   - file: the file's path, named in every error.
    ///   - registry: the validators and geometry conversion names may refer to.
    /// - Throws: `AdapterFileError` for malformed JSON, unknown keys, names or values.
    public static func compile(_ bytes: [UInt8], file: String, registry: ValidatorRegistry) throws(AdapterFileError) -> DeclarativeAdapter {
        let document: JSONValue
        do {
            document = try JSONReader.parse(bytes)
        } catch {
            throw AdapterFileError(file: file, location: "", message: "not valid JSON: \(error)")
        }
        var spec = try SpecObject(document, file: file, location: "")
        let descriptor = try readDescriptor(&spec)
        let compiler = RuleCompiler(file: file, registry: registry)
        guard let fieldsValue = spec.value("fields") else { throw spec.error("fields", "is required") }
        let fields = try compiler.compileFields(fieldsValue, location: "fields", pathPrefix: "")
        let keyPath = try compiler.compilePaths([descriptor.key], location: "key")[0]
        let subjectText = try spec.string("subject") ?? "{\(descriptor.key)}"
        let subject: SubjectTemplate
        switch SubjectTemplate.parse(subjectText) {
        case .success(let template): subject = template
        case .failure(let error): throw spec.error("subject", error.reason)
        }
        let recordChecks = try readRecordChecks(&spec, registry: registry)
        let unique = try readUnique(&spec, compiler: compiler)
        try spec.finish(allowed: topKeys)
        var schemaCheck: SchemaCheck?
        if let schemas = registry.schemas {
            let id = descriptor.schema.split(separator: "/").last.map(String.init) ?? descriptor.schema
            guard schemas.contains(schema: id) else {
                throw AdapterFileError(file: file, location: "schema", message:
                    "no schema \(id) is loaded; known: \(schemas.schemaIDs.joined(separator: ", "))")
            }
            schemaCheck = SchemaCheck(validator: schemas, id: id)
        }
        return DeclarativeAdapter(descriptor: descriptor, fields: fields, keyPath: keyPath, subject: subject,
                                  recordChecks: recordChecks, uniqueRules: unique, schemaCheck: schemaCheck)
    }

    private static func readDescriptor(_ spec: inout SpecObject) throws(AdapterFileError) -> AdapterDescriptor {
        let name = try spec.requiredString("name")
        let source = try spec.requiredString("source")
        guard source.hasPrefix("/") else { throw spec.error("source", "a source is a path such as /balikpapan/disdukcapil/siak") }
        var formats: [InputFormat] = []
        for text in try spec.strings("formats") ?? [] {
            guard let format = InputFormat(rawValue: text) else {
                throw spec.error("formats", "unknown format \"\(text)\"; known: \(InputFormat.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            formats.append(format)
        }
        guard !formats.isEmpty else { throw spec.error("formats", "is required: the input formats this adapter reads") }
        return AdapterDescriptor(
            name: name, description: try spec.string("description") ?? "", source: source,
            eventType: try spec.requiredString("type"), topic: try spec.requiredString("topic"),
            schema: try spec.requiredString("schema"), formats: formats, key: try spec.requiredString("key"),
            recordElement: try spec.string("recordElement") ?? "record")
    }

    private static func readRecordChecks(_ spec: inout SpecObject, registry: ValidatorRegistry) throws(AdapterFileError) -> [NamedRecordCheck] {
        var checks: [NamedRecordCheck] = []
        for name in try spec.strings("validate") ?? [] {
            guard let check = registry.recordValidators[name] else {
                let known = registry.recordValidators.keys.sorted().joined(separator: ", ")
                throw spec.error("validate", "unknown record validator \"\(name)\"; known: \(known.isEmpty ? "(none registered)" : known)")
            }
            checks.append(NamedRecordCheck(name: name, check: check))
        }
        return checks
    }

    private static func readUnique(_ spec: inout SpecObject, compiler: RuleCompiler) throws(AdapterFileError) -> [UniqueRule] {
        guard let value = spec.value("unique") else { return [] }
        guard case .array(let elements) = value else { throw spec.error("unique", "expected an array of {\"field\", \"code\"}") }
        var rules: [UniqueRule] = []
        for (offset, element) in elements.enumerated() {
            var rule = try SpecObject(element, file: spec.file, location: "unique[\(offset)]")
            let field = try compiler.compilePaths([rule.requiredString("field")], location: rule.child("field"))[0]
            let code = try rule.string("code") ?? "\(field).duplicate"
            try rule.finish(allowed: ["field", "code"])
            rules.append(UniqueRule(field: field, code: code))
        }
        return rules
    }
}
