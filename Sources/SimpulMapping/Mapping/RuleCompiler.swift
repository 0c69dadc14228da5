/// Compiles the `fields` of an adapter file into `FieldPlan`s, refusing unknown keys,
/// unknown transforms and unknown validator names with the file and location.
struct RuleCompiler {
    let file: String
    let registry: ValidatorRegistry

    static let ruleKeys = ["description", "from", "value", "concat", "separator", "transforms", "default",
                           "required", "requiredWhen", "validate", "fields", "each", "item", "geometry", "if"]

    /// Compiles an object of `target: rule` members.
    func compileFields(_ value: JSONValue, location: String, pathPrefix: String) throws(AdapterFileError) -> [FieldPlan] {
        guard case .object(let object) = value, !object.isEmpty else {
            throw AdapterFileError(file: file, location: location, message: "expected a non-empty object of field rules")
        }
        var plans: [FieldPlan] = []
        for (key, rule) in object.members {
            let path = pathPrefix.isEmpty ? key : "\(pathPrefix).\(key)"
            plans.append(try compileRule(key: key, rule, location: "\(location).\(key)", path: path))
        }
        return plans
    }

    /// Compiles one rule. A string rule is shorthand for `{"from": "<string>"}`.
    func compileRule(key: String, _ value: JSONValue, location: String, path: String) throws(AdapterFileError) -> FieldPlan {
        if case .array(let alternatives) = value {
            guard !alternatives.isEmpty else { throw AdapterFileError(file: file, location: location, message: "an array of rules needs at least one rule") }
            var plans: [FieldPlan] = []
            for (offset, alternative) in alternatives.enumerated() {
                plans.append(try compileRule(key: key, alternative, location: "\(location)[\(offset)]", path: path))
            }
            return FieldPlan(key: key, path: path, kind: .choice(plans), transforms: [], defaultValue: nil,
                             required: false, requiredWhen: nil, validators: [], condition: nil)
        }
        if case .string = value {
            return try compileRule(key: key, .object(JSONObject([("from", value)])), location: location, path: path)
        }
        var spec = try SpecObject(value, file: file, location: location)
        _ = try spec.string("description")
        let kind = try compileKind(&spec, path: path)
        let transforms = try compileTransforms(spec.value("transforms"), location: spec.child("transforms"))
        let required = try spec.bool("required") ?? false
        let requiredWhen = try compileCondition(spec.value("requiredWhen"), location: spec.child("requiredWhen"))
        let validators = try compileValidators(spec.strings("validate"), location: spec.child("validate"))
        let defaultValue = spec.value("default")
        let condition = try spec.strings("if").map { (texts) throws(AdapterFileError) -> [SourcePath] in
            try compilePaths(texts, location: spec.child("if"))
        }
        try spec.finish(allowed: Self.ruleKeys)
        return FieldPlan(key: key, path: path, kind: kind, transforms: transforms, defaultValue: defaultValue,
                         required: required, requiredWhen: requiredWhen, validators: validators, condition: condition)
    }

    private func compileKind(_ spec: inout SpecObject, path: String) throws(AdapterFileError) -> FieldPlan.Kind {
        let from = try spec.strings("from")
        let constant = spec.value("value")
        let concat = spec.value("concat")
        let separator = try spec.string("separator")
        let fields = spec.value("fields")
        let each = try spec.strings("each")
        let item = spec.value("item")
        let geometry = spec.value("geometry")
        let sources = [from != nil, constant != nil, concat != nil, geometry != nil, fields != nil && each == nil]
        guard sources.filter({ $0 }).count <= 1, each == nil || (from == nil && constant == nil && concat == nil) else {
            throw spec.error(nil, "give one of from, value, concat, fields, each or geometry")
        }
        if let each {
            let paths = try compilePaths(each, location: spec.child("each"))
            if let fields, item == nil {
                return .each(paths: paths, element: .object(try compileFields(fields, location: spec.child("fields"), pathPrefix: "")))
            }
            if let item, fields == nil {
                var itemRule = item
                if case .object(var object) = item, object["from"] == nil, object["value"] == nil, object["concat"] == nil {
                    object.members.insert(("from", .string(".")), at: 0)
                    itemRule = .object(object)
                }
                return .each(paths: paths, element: .scalar(try compileRule(key: "", itemRule, location: spec.child("item"), path: "")))
            }
            throw spec.error("each", "an each rule needs either fields (array of objects) or item (array of values)")
        }
        if item != nil { throw spec.error("item", "item belongs with each") }
        if let fields { return .object(try compileFields(fields, location: spec.child("fields"), pathPrefix: path)) }
        if let geometry { return .geometry(try compileGeometry(geometry, location: spec.child("geometry"))) }
        if let constant { return .scalar(.constant(constant)) }
        if let concat { return .scalar(try compileConcat(concat, separator: separator ?? "", location: spec.child("concat"))) }
        guard let from else { throw spec.error(nil, "a rule needs from, value, concat, fields, each or geometry") }
        return .scalar(.paths(try compilePaths(from, location: spec.child("from"))))
    }

    func compilePaths(_ texts: [String], location: String) throws(AdapterFileError) -> [SourcePath] {
        guard !texts.isEmpty else { throw AdapterFileError(file: file, location: location, message: "needs at least one path") }
        var paths: [SourcePath] = []
        for text in texts {
            switch SourcePath.parse(text) {
            case .success(let path): paths.append(path)
            case .failure(let error): throw AdapterFileError(file: file, location: location, message: error.reason)
            }
        }
        return paths
    }

    private func compileConcat(_ value: JSONValue, separator: String, location: String) throws(AdapterFileError) -> ValueSource {
        guard case .array(let elements) = value, !elements.isEmpty else {
            throw AdapterFileError(file: file, location: location, message: "expected an array of paths and {\"text\": …} parts")
        }
        var parts: [ConcatPart] = []
        for (offset, element) in elements.enumerated() {
            let here = "\(location)[\(offset)]"
            switch element {
            case .string(let text): parts.append(.path(try compilePaths([text], location: here)[0]))
            case .object:
                var spec = try SpecObject(element, file: file, location: here)
                parts.append(.text(try spec.requiredString("text")))
                try spec.finish(allowed: ["text"])
            default: throw AdapterFileError(file: file, location: here, message: "expected a path or {\"text\": …}")
            }
        }
        return .concat(parts, separator: separator)
    }

    private func compileCondition(_ value: JSONValue?, location: String) throws(AdapterFileError) -> Condition? {
        guard let value else { return nil }
        var spec = try SpecObject(value, file: file, location: location)
        let field = try compilePaths([spec.requiredString("field")], location: spec.child("field"))[0]
        guard let equals = spec.value("equals") else { throw spec.error("equals", "is required") }
        try spec.finish(allowed: ["field", "equals"])
        return Condition(field: field, equals: equals)
    }

    private func compileValidators(_ names: [String]?, location: String) throws(AdapterFileError) -> [NamedFieldCheck] {
        var checks: [NamedFieldCheck] = []
        for name in names ?? [] {
            guard let check = registry.fieldValidators[name] else {
                let known = registry.fieldValidators.keys.sorted().joined(separator: ", ")
                throw AdapterFileError(file: file, location: location,
                                       message: "unknown field validator \"\(name)\"; known: \(known.isEmpty ? "(none registered)" : known)")
            }
            checks.append(NamedFieldCheck(name: name, check: check))
        }
        return checks
    }

    private func compileGeometry(_ value: JSONValue, location: String) throws(AdapterFileError) -> GeometryRule {
        var spec = try SpecObject(value, file: file, location: location)
        let paths = try compilePaths(spec.strings("from") ?? [], location: spec.child("from"))
        let crsField = try spec.requiredString("crs")
        var bounds: CityBounds?
        if let box = spec.value("bounds") {
            guard case .array(let numbers) = box, numbers.count == 4,
                  case let values = numbers.compactMap({ $0.scalarText.flatMap(Double.init) }), values.count == 4 else {
                throw spec.error("bounds", "expected [minLongitude, minLatitude, maxLongitude, maxLatitude]")
            }
            guard values[0] <= values[2], values[1] <= values[3], values[0] >= -180, values[2] <= 180,
                  values[1] >= -90, values[3] <= 90 else {
                throw spec.error("bounds", "expected [minLongitude, minLatitude, maxLongitude, maxLatitude] in degrees "
                    + "with each minimum below its maximum, e.g. [116.70, -1.45, 117.60, 0.30]")
            }
            bounds = CityBounds(longitudeMin: values[0], longitudeMax: values[2], latitudeMin: values[1], latitudeMax: values[3])
        }
        try spec.finish(allowed: ["from", "crs", "bounds"])
        guard let converter = registry.geometry else {
            throw spec.error(nil, "this build has no geometry conversion registered; a geometry rule cannot run")
        }
        return GeometryRule(paths: paths, crsField: crsField, bounds: bounds, converter: converter)
    }
}
