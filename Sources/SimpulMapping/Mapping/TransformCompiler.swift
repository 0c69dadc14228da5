extension RuleCompiler {
    static let transformNames = ["trim", "upper", "lower", "date", "datetime", "number", "crs",
                                 "{\"enum\": {…}}", "{\"regex\": {…}}", "{\"replace\": {…}}",
                                 "{\"split\": \",\"}", "{\"pad\": 3}", "{\"regionCode\": {…}}", "{\"prefix\": …}", "{\"suffix\": …}"]

    /// Compiles a `transforms` array.
    func compileTransforms(_ value: JSONValue?, location: String) throws(AdapterFileError) -> [Transform] {
        guard let value else { return [] }
        guard case .array(let elements) = value else {
            throw AdapterFileError(file: file, location: location, message: "expected an array of transforms")
        }
        var transforms: [Transform] = []
        for (offset, element) in elements.enumerated() {
            transforms.append(try compileTransform(element, location: "\(location)[\(offset)]"))
        }
        return transforms
    }

    private func compileTransform(_ value: JSONValue, location: String) throws(AdapterFileError) -> Transform {
        let unknown = { (name: String) in
            AdapterFileError(file: self.file, location: location, message:
                "unknown transform \"\(name)\"; known: \(Self.transformNames.joined(separator: ", "))")
        }
        if case .string(let name) = value {
            switch name {
            case "trim": return .trim
            case "upper": return .upper
            case "lower": return .lower
            case "date": return .date
            case "datetime": return .dateTime
            case "number": return .number
            case "crs": return .crs
            default: throw unknown(name)
            }
        }
        guard case .object(let object) = value, object.members.count == 1, let (name, argument) = object.members.first else {
            throw AdapterFileError(file: file, location: location, message: "a transform is a name or an object with one key")
        }
        let here = "\(location).\(name)"
        switch (name, argument) {
        case ("enum", .object(let table)):
            guard !table.isEmpty else { throw AdapterFileError(file: file, location: here, message: "an enum table needs entries") }
            return .enumTable(EnumTable(table.members))
        case ("regionCode", _):
            var spec = try SpecObject(argument, file: file, location: here)
            let levelName = try spec.requiredString("level")
            guard let level = RegionCodeTable.levels[levelName] else {
                throw spec.error("level", "unknown level \"\(levelName)\"; use province, city, district or village")
            }
            let within = try spec.string("within")
            try spec.finish(allowed: ["level", "within"])
            return .regionCode(RegionCodeTable(level: level, within: within))
        case ("regex", _), ("replace", _):
            return try compileRegex(name, argument, location: here)
        case ("split", .string(let separator)) where !separator.isEmpty: return .split(separator)
        case ("pad", .number(let text)):
            guard let width = Int(text), (1...64).contains(width) else {
                throw AdapterFileError(file: file, location: here, message: "pad takes a width from 1 to 64")
            }
            return .zeroPad(width)
        case ("prefix", .string(let text)): return .wrap(prefix: text, suffix: "")
        case ("suffix", .string(let text)): return .wrap(prefix: "", suffix: text)
        case ("enum", _), ("split", _), ("prefix", _), ("suffix", _), ("pad", _):
            throw AdapterFileError(file: file, location: here, message: "wrong argument for \(name); see adapters/README.md")
        default: throw unknown(name)
        }
    }

    private func compileRegex(_ name: String, _ argument: JSONValue, location: String) throws(AdapterFileError) -> Transform {
        var spec = try SpecObject(argument, file: file, location: location)
        let pattern = try spec.requiredString("pattern")
        let template: String
        let code: String
        if name == "regex" {
            template = try spec.string("template") ?? "$0"
            code = try spec.string("code") ?? "format.mismatch"
            try spec.finish(allowed: ["pattern", "template", "code"])
        } else {
            template = try spec.string("with") ?? ""
            code = "format.mismatch"
            try spec.finish(allowed: ["pattern", "with"])
        }
        do {
            let rule = try RegexRule(pattern: pattern, template: template, code: code)
            return name == "regex" ? .regex(rule) : .replace(rule)
        } catch {
            throw AdapterFileError(file: file, location: location, message: "invalid regular expression \"\(pattern)\": \(error)")
        }
    }
}
