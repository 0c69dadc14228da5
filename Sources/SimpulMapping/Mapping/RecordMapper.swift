/// Runs compiled `FieldPlan`s over one source record, collecting every issue rather than
/// stopping at the first (an admin fixes a file once, not once per error).
///
/// One mapper per record; not shared between tasks.
struct RecordMapper {
    let root: JSONValue
    private(set) var issues: [ValidationIssue] = []
    private var deferred: [(field: String, condition: Condition)] = []

    init(root: JSONValue) {
        self.root = root
    }

    /// Maps a record into a canonical object and checks the deferred `requiredWhen` rules.
    mutating func map(_ plans: [FieldPlan], record: JSONValue) -> JSONObject {
        let data = mapObject(plans, from: record, prefix: "")
        if !deferred.isEmpty {
            let tree = JSONValue.object(data)
            for (field, condition) in deferred where condition.field.resolve(in: tree, root: tree) == condition.equals {
                issues.append(ValidationIssue(field: field, code: ValidationCode.requiredMissing, message:
                    "\(field) is required when \(condition.field) is \(condition.equals.scalarText ?? condition.equals.jsonText)"))
            }
        }
        return data
    }

    private mutating func mapObject(_ plans: [FieldPlan], from current: JSONValue, prefix: String) -> JSONObject {
        var members: [(key: String, value: JSONValue)] = []
        members.reserveCapacity(plans.count)
        for plan in plans {
            let produced: JSONValue?
            if case .geometry(let rule) = plan.kind {
                produced = mapGeometry(rule, plan: plan, current: current, siblings: members, prefix: prefix)
            } else {
                produced = evaluate(plan, current: current, prefix: prefix)
            }
            if let produced { members.append((plan.key, produced)) }
        }
        return JSONObject(members)
    }

    /// Produces one field: source → transforms → default → required → validators.
    private mutating func evaluate(_ plan: FieldPlan, current: JSONValue, prefix: String) -> JSONValue? {
        if plan.condition != nil, !holds(plan.condition, current: current) { return nil }
        var value: JSONValue?
        switch plan.kind {
        case .choice(let alternatives):
            for alternative in alternatives where holds(alternative.condition, current: current) {
                return evaluate(alternative, current: current, prefix: prefix)
            }
            return nil
        case .scalar(let source): value = resolve(source, current: current)
        case .object(let children):
            let object = mapObject(children, from: current, prefix: prefix)
            value = object.isEmpty ? nil : .object(object)
        case .each(let paths, let element): value = mapEach(paths, element, plan: plan, current: current, prefix: prefix)
        case .geometry: value = nil
        }
        if case .string(let text)? = value, text.isEmpty { value = nil }
        for transform in plan.transforms {
            guard let input = value else { break }
            switch transform.apply(input, field: Self.join(prefix, plan.path)) {
            case .success(let output): value = output
            case .failure(let issue):
                issues.append(issue)
                return nil
            }
        }
        if value == nil, let fallback = plan.defaultValue { value = fallback }
        guard let value else {
            let field = Self.join(prefix, plan.path)
            if plan.required {
                issues.append(ValidationIssue(field: field, code: ValidationCode.requiredMissing, message: "\(field) is required but missing or empty"))
            } else if let condition = plan.requiredWhen {
                deferred.append((field, condition))
            }
            return nil
        }
        for validator in plan.validators {
            issues.append(contentsOf: validator.check(value, Self.join(prefix, plan.path)))
        }
        return value
    }

    private func holds(_ condition: [SourcePath]?, current: JSONValue) -> Bool {
        guard let condition else { return true }
        guard case .string(let text)? = resolve(.paths(condition), current: current) else {
            return resolve(.paths(condition), current: current) != nil
        }
        return !text.trimmingASCIIWhitespace().isEmpty
    }

    @inline(__always)
    private func resolve(_ source: ValueSource, current: JSONValue) -> JSONValue? {
        switch source {
        case .paths(let paths):
            for path in paths {
                if let found = path.resolve(in: current, root: root), found != .null { return found }
            }
            return nil
        case .constant(let constant): return constant
        case .concat(let parts, let separator):
            var text = ""
            for (offset, part) in parts.enumerated() {
                if offset > 0 { text += separator }
                switch part {
                case .text(let literal): text += literal
                case .path(let path):
                    guard let piece = path.resolve(in: current, root: root)?.scalarText, !piece.isEmpty else { return nil }
                    text += piece
                }
            }
            return .string(text)
        }
    }

    private mutating func mapEach(_ paths: [SourcePath], _ element: FieldPlan.Element, plan: FieldPlan,
                                  current: JSONValue, prefix: String) -> JSONValue? {
        guard let found = resolve(.paths(paths), current: current) else { return nil }
        let sources: [JSONValue]
        if case .array(let elements) = found { sources = elements } else { sources = [found] }
        var results: [JSONValue] = []
        results.reserveCapacity(sources.count)
        let base = Self.join(prefix, plan.path)
        for (offset, source) in sources.enumerated() {
            let elementPrefix = "\(base)[\(offset)]"
            switch element {
            case .object(let children):
                let object = mapObject(children, from: source, prefix: elementPrefix)
                if !object.isEmpty { results.append(.object(object)) }
            case .scalar(let itemPlan):
                if let value = evaluate(itemPlan, current: source, prefix: elementPrefix) { results.append(value) }
            }
        }
        return .array(results)
    }

    private mutating func mapGeometry(_ rule: GeometryRule, plan: FieldPlan, current: JSONValue,
                                      siblings: [(key: String, value: JSONValue)], prefix: String) -> JSONValue? {
        let field = Self.join(prefix, plan.path)
        guard let source = resolve(.paths(rule.paths), current: current) else {
            if plan.required {
                issues.append(ValidationIssue(field: field, code: ValidationCode.geometryEmpty, message: "\(field) is missing; a parcel needs a geometry"))
            }
            return nil
        }
        guard let crs = siblings.first(where: { $0.key == rule.crsField })?.value.stringValue else {
            // The CRS rule already reported why it has no value.
            return nil
        }
        let request = GeometryRequest(source: source, sourceCRS: crs, bounds: rule.bounds, field: field)
        switch rule.converter.convert(request) {
        case .converted(let geometry): return geometry
        case .rejected(let found):
            issues.append(contentsOf: found)
            return nil
        }
    }

    /// `prefix.path`, leaving out empty parts; built only for issues and array elements.
    static func join(_ prefix: String, _ path: String) -> String {
        if prefix.isEmpty { return path }
        if path.isEmpty { return prefix }
        return "\(prefix).\(path)"
    }
}
