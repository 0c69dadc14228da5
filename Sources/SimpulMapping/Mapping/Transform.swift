/// One compiled step of a field rule's `transforms` list.
///
/// A transform takes the value found so far and returns the next one, `nil` for
/// "missing" (an empty string becomes missing, so defaults and `required` apply), or a
/// `ValidationIssue` that rejects the record. Names and options are documented in
/// `adapters/README.md`.
enum Transform: Sendable {
    case trim
    case upper
    case lower
    /// Any Indonesian or ISO date form → `yyyy-mm-dd`.
    case date
    /// A date → `yyyy-mm-dd`; a date with a time → ISO date-time, WITA (+08:00) unless
    /// the input carries an offset.
    case dateTime
    /// Indonesian number text → JSON number; a JSON number passes unchanged.
    case number
    /// A table of source terms (matched trimmed, case-insensitively) → canonical values.
    case enumTable(EnumTable)
    /// The first match of a pattern, rewritten by a template (`$1`), or an issue.
    case regex(RegexRule)
    /// Every match of a pattern replaced by a template.
    case replace(RegexRule)
    /// A string split on a separator into an array of trimmed, non-empty strings.
    case split(String)
    /// A CRS name (`urn:ogc:def:crs:EPSG::32750`, `EPSG:32750`, `32750`, EWKT `SRID=…;`)
    /// → `EPSG:32750`; plain WKT (no SRID) is missing, so a default can apply.
    case crs
    /// Text before and after the value.
    case wrap(prefix: String, suffix: String)
    /// All-digit text left-padded with zeros to a width (`5` → `005` for RT/RW); other
    /// text passes unchanged for the validators to judge.
    case zeroPad(Int)
    /// A region name → its dotted Kemendagri code, or missing when unknown or ambiguous.
    case regionCode(RegionCodeTable)

    /// Applies the transform.
    /// - Parameters:
    ///   - field: canonical field path, for issues.
    func apply(_ value: JSONValue, field: @autoclosure () -> String) -> StepResult {
        switch self {
        case .trim: return .success(mapString(value) { $0.trimmingASCIIWhitespace() })
        case .upper: return .success(mapString(value) { $0.uppercased() })
        case .lower: return .success(mapString(value) { $0.lowercased() })
        case .date, .dateTime: return applyDate(value, field: field(), allowTime: self.isDateTime)
        case .number: return applyNumber(value, field: field())
        case .enumTable(let table): return table.lookup(value, field: field())
        case .regex(let rule): return rule.extract(value, field: field())
        case .replace(let rule): return .success(rule.replaceAll(value))
        case .split(let separator):
            guard case .string(let text) = value else { return .success(value) }
            let parts = text.components(separatedBy: separator).map { $0.trimmingASCIIWhitespace() }.filter { !$0.isEmpty }
            return .success(parts.isEmpty ? nil : .array(parts.map(JSONValue.string)))
        case .crs: return CRSName.normalise(value, field: field())
        case .wrap(let prefix, let suffix): return .success(mapString(value) { prefix + $0 + suffix })
        case .regionCode(let table): return .success(table.code(for: value))
        case .zeroPad(let width):
            return .success(mapString(value) { text in
                guard text.utf8.count < width, text.utf8.allSatisfy({ $0 &- UInt8(ascii: "0") < 10 }) else { return text }
                return String(repeating: "0", count: width - text.utf8.count) + text
            })
        }
    }

    private var isDateTime: Bool {
        if case .dateTime = self { return true }
        return false
    }

    private func mapString(_ value: JSONValue, _ body: (String) -> String) -> JSONValue? {
        guard case .string(let text) = value else { return value }
        let result = body(text)
        return result.isEmpty ? nil : .string(result)
    }

    private func applyDate(_ value: JSONValue, field: String, allowTime: Bool) -> StepResult {
        guard case .string(let text) = value else {
            return .failure(ValidationIssue(field: field, code: ValidationCode.dateInvalid,
                                            message: "expected a date as text, found \(value.kindName)"))
        }
        let trimmed = text.trimmingASCIIWhitespace()
        switch IndonesianDate.parse(trimmed) {
        case .success(let parsed):
            if let time = parsed.time {
                guard allowTime else {
                    return .failure(ValidationIssue(field: field, code: ValidationCode.dateInvalid,
                                                    message: "\"\(text)\" carries a time; this field takes a date such as 12-01-2024"))
                }
                return .success(.string(parsed.day.iso + time))
            }
            return .success(.string(parsed.day.iso))
        case .failure(.impossible):
            return .failure(ValidationIssue(field: field, code: ValidationCode.dateInvalid,
                                            message: "\"\(text)\" is not a real date or time (check day and month)"))
        case .failure(.unrecognised):
            return .failure(ValidationIssue(field: field, code: ValidationCode.dateInvalid, message:
                "\"\(text)\" is not a date; use 12-01-2024, 12/01/2024, 2024-01-12 or 12 Januari 2024\(allowTime ? ", optionally with HH:MM:SS" : "")"))
        }
    }

    private func applyNumber(_ value: JSONValue, field: String) -> StepResult {
        switch value {
        case .number: return .success(value)
        case .string(let text):
            let trimmed = text.trimmingASCIIWhitespace()
            if trimmed.isEmpty { return .success(nil) }
            guard let number = IndonesianNumber.parse(trimmed) else {
                return .failure(ValidationIssue(field: field, code: "number.invalid", message:
                    "\"\(text)\" is not a number; write 1.234,5 (dot for thousands, comma for decimals) or 1234"))
            }
            return .success(.number(number))
        default:
            return .failure(ValidationIssue(field: field, code: "number.invalid", message: "expected a number, found \(value.kindName)"))
        }
    }
}

/// Normalises the names a CRS is given by in exports, through `SourceCRS(name:)`.
enum CRSName {
    /// The spellings seen in every record of a batch, answered without parsing.
    static let fastNames: [String: SourceCRS] = {
        var names: [String: SourceCRS] = [:]
        for crs in SourceCRS.allCases {
            names[crs.name] = crs
            names[String(crs.epsg)] = crs
            names["urn:ogc:def:crs:EPSG::\(crs.epsg)"] = crs
        }
        return names
    }()

    /// `SourceCRS(name:)` with the common spellings looked up first.
    static func parse(_ text: String) -> SourceCRS? {
        fastNames[text] ?? SourceCRS(name: text)
    }
    static func normalise(_ value: JSONValue, field: String) -> StepResult {
        var text: String
        switch value {
        case .number(let number): text = number
        case .string(let string): text = string.trimmingASCIIWhitespace()
        default:
            return .failure(ValidationIssue(field: field, code: ValidationCode.geometryUnsupportedCrs,
                                            message: "expected a CRS name, found \(value.kindName)"))
        }
        if let known = CRSName.fastNames[text] { return .success(.string(known.name)) }
        let upper = text.uppercased()
        if upper.hasPrefix("SRID=") {
            guard let semicolon = text.firstIndex(of: ";") else { return .success(nil) }
            text = String(text[text.index(text.startIndex, offsetBy: 5)..<semicolon])
        } else if upper.hasPrefix("POLYGON") || upper.hasPrefix("MULTIPOLYGON") {
            // Plain WKT names no CRS: missing, so the rule's default applies.
            return .success(nil)
        }
        guard let crs = SourceCRS(name: text) else {
            return .failure(ValidationIssue(field: field, code: ValidationCode.geometryUnsupportedCrs, message:
                "CRS \"\(text)\" is not supported; use EPSG:32750 (UTM 50S), EPSG:32650 (UTM 50N) or EPSG:4326"))
        }
        return .success(.string(crs.name))
    }
}
