/// The path of the value being checked, kept as components and turned into text only
/// when an issue is reported: valid records then cost no string building.
struct SchemaFieldPath {
    enum Component {
        case key(String)
        case index(Int)
    }

    var components: [Component] = []

    /// `address.rt`, `dispositions[1].date`.
    func rendered(appending key: String? = nil) -> String {
        var text = ""
        for component in components {
            switch component {
            case .key(let name): text += text.isEmpty ? name : ".\(name)"
            case .index(let offset): text += "[\(offset)]"
            }
        }
        if let key { text += text.isEmpty ? key : ".\(key)" }
        return text
    }
}

/// Walks a `JSONValue` against compiled schema nodes and collects issues with field
/// paths (`address.rt`, `dispositions[1].date`). Every keyword is evaluated (like
/// Python's `iter_errors`), so one pass reports every problem of a record.
struct SchemaEvaluator {
    /// Read through buffer pointers so that a node's fields are read in place: copying a
    /// `SchemaNode` per visit cost more retains and releases than the checks themselves.
    let nodes: UnsafeBufferPointer<SchemaNode>
    let patterns: UnsafeBufferPointer<PatternMatcher>

    func evaluate(_ value: JSONValue, node index: Int, path: inout SchemaFieldPath, into issues: inout [ValidationIssue]) {
        if nodes[index].rejectsAll {
            issues.append(issue(path, ValidationCode.schemaType, "\(describe(path)) is not allowed here"))
            return
        }
        if let target = nodes[index].ref {
            evaluate(value, node: target, path: &path, into: &issues)
        }
        if let types = nodes[index].types, !SchemaEvaluator.matches(value, types) {
            issues.append(issue(path, ValidationCode.schemaType,
                                "\(describe(path)) must be \(nodes[index].typeNames.joined(separator: " or ")), found \(SchemaEvaluator.typeName(value))"))
        }
        if let allowed = nodes[index].enumValues, !allowed.contains(where: { JSONEquality.equal($0, value) }) {
            issues.append(issue(path, ValidationCode.enumUnknown,
                                "unknown value \(SchemaEvaluator.short(value)) for \(describe(path)); allowed: "
                                    + allowed.map(SchemaEvaluator.short).joined(separator: ", ")))
        }
        if let expected = nodes[index].constValue, !JSONEquality.equal(expected, value) {
            issues.append(issue(path, ValidationCode.schemaConst,
                                "\(describe(path)) must be \(SchemaEvaluator.short(expected)), found \(SchemaEvaluator.short(value))"))
        }
        switch value {
        case .string(let text): checkString(text, index, &path, &issues)
        case .number(let text): checkNumber(text, index, &path, &issues)
        case .array(let items): checkArray(items, index, &path, &issues)
        case .object(let object): checkObject(object, index, &path, &issues)
        case .null, .bool: break
        }
        if let branches = nodes[index].anyOf { checkBranches(value, branches, exactlyOne: false, &path, &issues) }
        if let branches = nodes[index].oneOf { checkBranches(value, branches, exactlyOne: true, &path, &issues) }
    }

    private func checkString(_ text: String, _ node: Int, _ path: inout SchemaFieldPath, _ issues: inout [ValidationIssue]) {
        let minimumLength = nodes[node].minLength ?? 0
        let maximumLength = nodes[node].maxLength ?? Int.max
        // JSON Schema counts code points, not grapheme clusters or UTF-16 units. A code
        // point takes 1 to 4 UTF-8 bytes, so the byte count often decides without counting.
        let bytes = text.utf8.count
        if minimumLength > (bytes + 3) / 4 || maximumLength < bytes {
            let length = text.unicodeScalars.count
            if let minimum = nodes[node].minLength, length < minimum {
                issues.append(issue(path, ValidationCode.schemaMinLength, "\(describe(path)) must have at least \(minimum) characters, has \(length)"))
            }
            if let maximum = nodes[node].maxLength, length > maximum {
                issues.append(issue(path, ValidationCode.schemaMaxLength, "\(describe(path)) must have at most \(maximum) characters, has \(length)"))
            }
        }
        if let format = nodes[node].format, !SchemaEvaluator.conforms(text, to: format) {
            let example = format == .date ? "2024-02-13" : "2024-02-13T10:30:00+08:00"
            issues.append(issue(path, ValidationCode.schemaFormat,
                                "\(describe(path)) '\(text)' is not a valid \(format.rawValue) (e.g. \(example))"))
        }
        if let index = nodes[node].pattern, !patterns[index].matches(text) {
            issues.append(issue(path, ValidationCode.schemaPattern,
                                "\(describe(path)) '\(text)' does not match \(patterns[index].source)"))
        }
    }

    private func checkNumber(_ text: String, _ node: Int, _ path: inout SchemaFieldPath, _ issues: inout [ValidationIssue]) {
        guard let value = Double(text) else { return }
        if let minimum = nodes[node].minimum, value < minimum {
            issues.append(issue(path, ValidationCode.schemaMinimum, "\(describe(path)) \(text) is below the minimum \(SchemaEvaluator.plain(minimum))"))
        }
        if let maximum = nodes[node].maximum, value > maximum {
            issues.append(issue(path, ValidationCode.schemaMaximum, "\(describe(path)) \(text) is above the maximum \(SchemaEvaluator.plain(maximum))"))
        }
        if let bound = nodes[node].exclusiveMinimum, value <= bound {
            issues.append(issue(path, ValidationCode.schemaExclusiveMinimum, "\(describe(path)) \(text) must be greater than \(SchemaEvaluator.plain(bound))"))
        }
    }

    private func checkArray(_ items: [JSONValue], _ node: Int, _ path: inout SchemaFieldPath, _ issues: inout [ValidationIssue]) {
        if let minimum = nodes[node].minItems, items.count < minimum {
            issues.append(issue(path, ValidationCode.schemaMinItems, "\(describe(path)) must have at least \(minimum) items, has \(items.count)"))
        }
        if let maximum = nodes[node].maxItems, items.count > maximum {
            issues.append(issue(path, ValidationCode.schemaMaxItems, "\(describe(path)) must have at most \(maximum) items, has \(items.count)"))
        }
        if let itemNode = nodes[node].items {
            for (offset, item) in items.enumerated() {
                path.components.append(.index(offset))
                evaluate(item, node: itemNode, path: &path, into: &issues)
                path.components.removeLast()
            }
        }
    }

    private func checkObject(_ object: JSONObject, _ node: Int, _ path: inout SchemaFieldPath, _ issues: inout [ValidationIssue]) {
        for name in nodes[node].required where object[name] == nil {
            let field = path.rendered(appending: name)
            issues.append(ValidationIssue(field: field, code: ValidationCode.requiredMissing, message: "\(field) is required but missing"))
        }
        for (name, value) in object.members {
            path.components.append(.key(name))
            defer { path.components.removeLast() }
            if let property = nodes[node].properties.first(where: { $0.name == name }) {
                evaluate(value, node: property.node, path: &path, into: &issues)
                continue
            }
            switch nodes[node].additional {
            case .allowed: break
            case .forbidden:
                issues.append(issue(path, ValidationCode.schemaAdditionalProperty,
                                    "\(describe(path)) is not a field of this record; allowed: "
                                        + nodes[node].properties.map(\.name).joined(separator: ", ")))
            case .schema(let additional):
                evaluate(value, node: additional, path: &path, into: &issues)
            }
        }
    }

    /// anyOf / oneOf. When branches fail, the issues of the closest branch (fewest
    /// issues, if only one is closest) are reported, since they say what to fix;
    /// otherwise one summary issue.
    private func checkBranches(_ value: JSONValue, _ branches: [Int], exactlyOne: Bool, _ path: inout SchemaFieldPath, _ issues: inout [ValidationIssue]) {
        var failures: [[ValidationIssue]] = []
        var passed = 0
        for branch in branches {
            var branchIssues: [ValidationIssue] = []
            evaluate(value, node: branch, path: &path, into: &branchIssues)
            if branchIssues.isEmpty { passed += 1 } else { failures.append(branchIssues) }
        }
        if exactlyOne, passed > 1 {
            issues.append(issue(path, ValidationCode.schemaOneOf, "\(describe(path)) matches \(passed) alternatives; it must match exactly one"))
            return
        }
        guard passed == 0 else { return }
        let fewest = failures.map(\.count).min() ?? 0
        let closest = failures.filter { $0.count == fewest }
        if closest.count == 1 {
            issues += closest[0]
            return
        }
        let firstCodes = Set(closest.compactMap(\.first?.code))
        let code = firstCodes.count == 1 ? (firstCodes.first ?? ValidationCode.schemaAnyOf)
            : (exactlyOne ? ValidationCode.schemaOneOf : ValidationCode.schemaAnyOf)
        let reasons = closest.compactMap(\.first?.message).joined(separator: "; or ")
        issues.append(issue(path, code, "\(describe(path)) matches none of the allowed forms: \(reasons)"))
    }

    // MARK: - Helpers

    static func matches(_ value: JSONValue, _ types: SchemaNode.TypeSet) -> Bool {
        switch value {
        case .null: return types.contains(.null)
        case .bool: return types.contains(.boolean)
        case .string: return types.contains(.string)
        case .array: return types.contains(.array)
        case .object: return types.contains(.object)
        case .number(let text):
            if types.contains(.number) { return true }
            // An integer is any number with a zero fractional part (1.0 counts), as in JSON Schema.
            guard types.contains(.integer), let number = Double(text) else { return false }
            return number.isFinite && number == number.rounded(.towardZero)
        }
    }

    static func conforms(_ text: String, to format: SchemaNode.Format) -> Bool {
        switch format {
        case .date: return text.utf8.count == 10 && CalendarDate(iso: text) != nil
        case .dateTime: return ISODateTime(text) != nil
        }
    }

    static func typeName(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    /// A value for a message, cut short.
    static func short(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): return "'" + (text.count > 60 ? String(text.prefix(60)) + "…" : text) + "'"
        case .number(let text): return text
        case .bool(let flag): return flag ? "true" : "false"
        case .null: return "null"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    static func plain(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    private func describe(_ path: SchemaFieldPath) -> String {
        path.components.isEmpty ? "the record" : path.rendered()
    }

    private func issue(_ path: SchemaFieldPath, _ code: String, _ message: String) -> ValidationIssue {
        ValidationIssue(field: path.components.isEmpty ? "$" : path.rendered(), code: code, message: message)
    }
}
