/// The canonical entities of `schemas/`, by schema file.
public enum CanonicalEntity: String, Sendable, CaseIterable {
    case person, correspondence, permit, business
    case spatialPermit = "spatial-permit"

    /// The schema file of version 1, e.g. `person.v1.json`.
    public var schemaFile: String { "\(rawValue).v1.json" }
}

/// Every cross-field rule of one canonical record, in one call: what JSON Schema cannot
/// say (NIK against birth date and sex, KK/NIB/KBLI/RT/RW formats with their own codes,
/// status history, dispositions after the letter, KDB + KDH, real calendar dates).
/// Run it on the mapped record, beside `SchemaValidator`. Pure; safe from any task.
public enum RecordRules {
    /// Validates `record` (a canonical `data` object) of `entity`.
    public static func validate(_ record: JSONValue, entity: CanonicalEntity) -> [ValidationIssue] {
        switch entity {
        case .person: return person(record)
        case .correspondence: return correspondence(record)
        case .permit: return permit(record)
        case .spatialPermit: return spatialPermit(record)
        case .business: return business(record)
        }
    }

    static func person(_ record: JSONValue) -> [ValidationIssue] {
        var issues = dates(record, fields: ["birthDate"])
        if let nik = record["nik"]?.stringValue {
            issues += NIKValidator.validate(nik: nik, birthDate: record["birthDate"]?.stringValue,
                                            sex: record["sex"]?.stringValue)
        }
        if let kk = record["familyCardNumber"]?.stringValue {
            issues += IdentifierValidator.validate(familyCardNumber: kk)
        }
        issues += address(record["address"], field: "address")
        return issues
    }

    static func correspondence(_ record: JSONValue) -> [ValidationIssue] {
        var issues = dates(record, fields: ["date"])
        if let letterDate = record["date"]?.stringValue, case .array(let items)? = record["dispositions"] {
            issues += DispositionValidator.validate(
                letterDate: letterDate, dispositionDates: items.map { $0["date"]?.stringValue })
        }
        return issues
    }

    static func permit(_ record: JSONValue) -> [ValidationIssue] {
        var issues = dates(record, fields: ["submittedAt", "issuedAt", "validUntil"])
        issues += applicant(record["applicant"])
        if let business = record["business"] {
            issues += nibAndKbli(business, field: "business")
        }
        let status = record["status"]?.stringValue
        if status == "issued" {
            issues += FieldValidator.validate(required: record["permitNumber"], field: "permitNumber")
        }
        var steps: [StatusStep] = []
        if case .array(let items)? = record["statusHistory"] {
            steps = items.map { StatusStep(status: $0["status"]?.stringValue ?? "", at: $0["at"]?.stringValue ?? "") }
        }
        issues += StatusHistoryValidator.validate(status: status, history: steps)
        issues += address(record["location"], field: "location")
        return issues
    }

    static func spatialPermit(_ record: JSONValue) -> [ValidationIssue] {
        var issues = dates(record, fields: ["decidedAt"])
        issues += applicant(record["applicant"])
        if let kbli = record["kbli"]?.stringValue {
            issues += IdentifierValidator.validate(kbli: kbli)
        }
        issues += IntensityValidator.validate(kdb: number(record["kdb"]), kdh: number(record["kdh"]))
        issues += address(record["address"], field: "address")
        return issues
    }

    static func business(_ record: JSONValue) -> [ValidationIssue] {
        nibAndKbli(record, field: nil) + address(record["address"], field: "address")
    }

    // MARK: - Shared parts

    private static func applicant(_ value: JSONValue?) -> [ValidationIssue] {
        guard let value else { return [] }
        var issues: [ValidationIssue] = []
        if let nik = value["nik"]?.stringValue {
            issues += NIKValidator.validate(nik: nik, field: "applicant.nik")
        }
        if let nib = value["nib"]?.stringValue {
            issues += IdentifierValidator.validate(nib: nib, field: "applicant.nib")
        }
        return issues
    }

    private static func nibAndKbli(_ value: JSONValue, field: String?) -> [ValidationIssue] {
        let prefix = field.map { "\($0)." } ?? ""
        var issues: [ValidationIssue] = []
        if let nib = value["nib"]?.stringValue {
            issues += IdentifierValidator.validate(nib: nib, field: prefix + "nib")
        }
        if case .array(let entries)? = value["kbli"] {
            for (index, entry) in entries.enumerated() {
                if let code = entry["code"]?.stringValue ?? entry.stringValue {
                    issues += IdentifierValidator.validate(kbli: code, field: "\(prefix)kbli[\(index)].code")
                }
            }
        }
        return issues
    }

    private static func address(_ value: JSONValue?, field: String) -> [ValidationIssue] {
        guard let value else { return [] }
        var issues: [ValidationIssue] = []
        for part in ["rt", "rw"] {
            if let text = value[part]?.stringValue {
                issues += IdentifierValidator.validate(rtrw: text, field: "\(field).\(part)")
            }
        }
        return issues
    }

    private static func dates(_ record: JSONValue, fields: [String]) -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        for field in fields {
            if let text = record[field]?.stringValue {
                issues += DateValidator.validate(iso: text, field: field)
            }
        }
        return issues
    }

    /// A JSON number (or numeric string) as a Double.
    static func number(_ value: JSONValue?) -> Double? {
        switch value {
        case .number(let text)?: return Double(text)
        case .string(let text)?: return Double(text)
        default: return nil
        }
    }
}
