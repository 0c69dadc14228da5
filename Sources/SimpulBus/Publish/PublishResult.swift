import SimpulMapping

/// The answer to one publish: an HTTP status and a JSON body with one entry per record.
public struct PublishResult: Sendable {
    public enum Record: Sendable, Equatable {
        /// Appended now, or (`duplicate`) found already appended with the same content.
        case published(record: Int, id: String, topic: String, partition: Int, offset: Int64, duplicate: Bool)
        case rejected(record: Int, line: Int, quarantineId: String, errors: [ValidationIssue])
        /// The event id was used before for other content.
        case conflict(record: Int, id: String)
    }

    public var status: Int
    public var records: [Record]

    public var published: Int { counts.published }
    public var duplicates: Int { counts.duplicates }
    public var rejected: Int { counts.rejected }
    public var conflicts: Int { counts.conflicts }

    /// The records of each kind, counted in one pass.
    var counts: (published: Int, duplicates: Int, rejected: Int, conflicts: Int) {
        var counts = (published: 0, duplicates: 0, rejected: 0, conflicts: 0)
        for record in records {
            switch record {
            case .published(_, _, _, _, _, let duplicate):
                if duplicate { counts.duplicates += 1 } else { counts.published += 1 }
            case .rejected: counts.rejected += 1
            case .conflict: counts.conflicts += 1
            }
        }
        return counts
    }

    /// 202 when something was appended; 200 when everything was already there; 409 when
    /// only reused ids remain; 422 when records were refused and nothing was appended.
    static func status(for records: [Record]) -> Int {
        let counts = PublishResult(status: 0, records: records).counts
        if counts.published > 0 { return 202 }
        if counts.rejected > 0 { return 422 }
        if counts.conflicts > 0 { return 409 }
        return 200
    }

    /// The body: counts and one entry per record; a refusal (`422`, `409`) also carries the
    /// API's `error` member, so that every 4xx answer has `{"error":{"code","message"}}`.
    public var json: JSONValue {
        let counts = self.counts
        var members: [(String, JSONValue)] = []
        if let (code, message) = refusal(counts) {
            members.append(("error", .object(JSONObject([("code", .string(code)), ("message", .string(message))]))))
        }
        members += [
            ("published", .number(String(counts.published))), ("duplicates", .number(String(counts.duplicates))),
            ("rejected", .number(String(counts.rejected))), ("conflicts", .number(String(counts.conflicts))),
            ("records", .array(records.map(Self.json))),
        ]
        return .object(JSONObject(members))
    }

    /// The code and summary of a refused publish; nil when something was (or had been) appended.
    func refusal(_ counts: (published: Int, duplicates: Int, rejected: Int, conflicts: Int)) -> (code: String, message: String)? {
        switch status {
        case 422:
            return ("records.refused", "no record was appended: \(counts.rejected) of \(records.count) refused (reasons in "
                    + "records[].errors); they are kept in quarantine, retry them with POST /v1/quarantine/{id}/retry "
                    + "once the payload or the adapter is fixed")
        case 409:
            return ("idempotency.conflict", "no record was appended: the event ids were already published with "
                    + "different content; send new ids or the original content")
        default:
            return nil
        }
    }


    static func json(_ record: Record) -> JSONValue {
        switch record {
        case .published(let number, let id, let topic, let partition, let offset, let duplicate):
            return .object(JSONObject([
                ("record", .number(String(number))), ("ok", .bool(true)), ("id", .string(id)), ("topic", .string(topic)),
                ("partition", .number(String(partition))), ("offset", .number(String(offset))), ("duplicate", .bool(duplicate)),
            ]))
        case .rejected(let number, let line, let quarantineId, let errors):
            return .object(JSONObject([
                ("record", .number(String(number))), ("ok", .bool(false)), ("line", .number(String(line))),
                ("quarantineId", .string(quarantineId)), ("errors", .array(errors.map(issueJSON))),
            ]))
        case .conflict(let number, let id):
            return .object(JSONObject([
                ("record", .number(String(number))), ("ok", .bool(false)), ("id", .string(id)),
                ("errors", .array([issueJSON(conflictIssue(id: id))])),
            ]))
        }
    }

    static func conflictIssue(id: String) -> ValidationIssue {
        ValidationIssue(field: "id", code: "idempotency.conflict", message:
            "event id \(id) was already published with different content; send a new Idempotency-Key")
    }

    static func issueJSON(_ issue: ValidationIssue) -> JSONValue {
        .object(JSONObject([("field", .string(issue.field)), ("code", .string(issue.code)), ("message", .string(issue.message))]))
    }
}
