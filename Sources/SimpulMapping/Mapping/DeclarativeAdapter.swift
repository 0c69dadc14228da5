/// An adapter described by an `adapter.json` file, compiled once into a plan.
public struct DeclarativeAdapter: Adapter {
    public let descriptor: AdapterDescriptor
    let fields: [FieldPlan]
    let keyPath: SourcePath
    let subject: SubjectTemplate
    let recordChecks: [NamedRecordCheck]
    let uniqueRules: [UniqueRule]
    let schemaCheck: SchemaCheck?

    /// Maps every record of a batch, in input order; batch rules (`unique`) see the
    /// records in that order, so the first occurrence of a value passes.
    public func map(_ input: DecodedInput, options: EventOptions) -> [MappedRecord] {
        var results: [MappedRecord] = []
        results.reserveCapacity(input.records.count)
        map(input, options: options) { results.append($0) }
        return results
    }

    /// Maps a batch record by record, handing each result to `body` as soon as it is
    /// ready, so a large batch need not hold every event in memory at once.
    public func map(_ input: DecodedInput, options: EventOptions, _ body: (MappedRecord) throws -> Void) rethrows {
        var seen = [Set<String>](repeating: Set(minimumCapacity: input.records.count), count: uniqueRules.count)
        let useIdempotencyKey = input.records.count == 1 ? options.idempotencyKey : nil
        for record in input.records {
            try body(MappedRecord(position: record.position, line: record.line,
                                  outcome: mapOne(record, root: input.root, time: options.time, id: useIdempotencyKey, seen: &seen)))
        }
    }

    /// Maps one record; `seen` carries the unique values of the batch so far.
    func mapOne(_ record: SourceRecord, root: JSONValue, time: String, id: String?,
                seen: inout [Set<String>]) -> MappedRecord.Outcome {
        guard case .object = record.value else {
            return .rejected([ValidationIssue(field: "", code: "record.shape",
                                              message: "record \(record.position) is \(record.value.kindName), expected an object")])
        }
        var mapper = RecordMapper(root: root)
        let data = mapper.map(fields, record: record.value)
        var issues = mapper.issues
        let tree = JSONValue.object(data)
        for (index, rule) in uniqueRules.enumerated() {
            guard let value = rule.field.resolve(in: tree, root: tree)?.scalarText else { continue }
            if !seen[index].insert(value).inserted {
                issues.append(ValidationIssue(field: rule.field.description, code: rule.code, message:
                    "\(rule.field) \(value) already appeared earlier in this batch; the later record is refused"))
            }
        }
        // Cross-field rules run even when a field failed, so one pass shows every problem.
        for validator in recordChecks { issues.append(contentsOf: validator.check(data)) }
        if let schemaCheck {
            // A field that already has an issue (nik.format), or whose part or parent has
            // one (geometry.coordinates[0]), keeps only that: the schema's generic code
            // (schema.pattern, required.missing) would say the same again; so would a
            // whole-record alternative (`$`, schema.any_of) once a field is named.
            let known = issues.map(\.field)
            issues += schemaCheck.validator.validate(tree, schema: schemaCheck.id).filter { issue in
                !known.contains { Self.overlaps($0, issue.field) } && !(issue.field == "$" && !known.isEmpty)
            }
        }
        guard let key = keyPath.resolve(in: tree, root: tree)?.scalarText, !key.isEmpty else {
            if !issues.contains(where: { $0.field == keyPath.description }) {
                issues.append(ValidationIssue(field: keyPath.description, code: ValidationCode.requiredMissing,
                                              message: "the entity key \(keyPath) is missing"))
            }
            return .rejected(issues)
        }
        guard issues.isEmpty else { return .rejected(issues) }
        var dataBytes: [UInt8] = []
        dataBytes.reserveCapacity(1024)
        JSONWriter.write(tree, into: &dataBytes)
        let eventID = id ?? CloudEvent.derivedID(source: descriptor.source, key: key, dataBytes: dataBytes)
        return .accepted(CloudEvent(id: eventID, source: descriptor.source, type: descriptor.eventType,
                                    subject: subject.render(tree), time: time, dataSchema: descriptor.schema,
                                    partitionKey: key, data: data, dataBytes: dataBytes))
    }
}

extension DeclarativeAdapter {
    /// Whether two field paths are the same field or one contains the other.
    static func overlaps(_ first: String, _ second: String) -> Bool {
        func contains(_ outer: String, _ inner: String) -> Bool {
            inner.hasPrefix(outer) && inner.count > outer.count
                && (inner.dropFirst(outer.count).first == "." || inner.dropFirst(outer.count).first == "[")
        }
        return first == second || contains(first, second) || contains(second, first)
    }
}

/// The compiled schema check of an adapter: the loaded schemas and the `$id` to use.
struct SchemaCheck: Sendable {
    let validator: SchemaValidator
    let id: String
}
