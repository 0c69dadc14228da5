import SimpulMapping

/// One attempt to hand an event to a receiver, as the attempt history shows it.
public struct DeliveryAttempt: Sendable, Equatable {
    /// 1-based, counted over the event's whole life (replays continue the count).
    public var attempt: Int
    /// Wall-clock start of the attempt, milliseconds since the Unix epoch.
    public var atMs: Int64
    /// The HTTP status, nil when no response came.
    public var status: Int?
    /// What went wrong, nil on success.
    public var error: String?
    public var durationMs: Int

    public var json: JSONValue {
        .object([("attempt", .int(attempt)), ("at", .string(Timestamp.rfc3339(milliseconds: atMs))),
                 ("status", status.map { .int($0) } ?? .null), ("error", .optional(error)), ("durationMs", .int(durationMs))])
    }

    /// Reads the journal form (`at` kept in milliseconds there).
    init?(stored value: JSONValue) {
        guard let attempt = value["attempt"]?.intValue, let at = value["atMs"]?.intValue,
              let duration = value["durationMs"]?.intValue else { return nil }
        self.attempt = attempt
        atMs = Int64(at)
        status = value["status"]?.intValue
        error = value["error"]?.stringValue
        durationMs = duration
    }

    init(attempt: Int, atMs: Int64, status: Int?, error: String?, durationMs: Int) {
        self.attempt = attempt
        self.atMs = atMs
        self.status = status
        self.error = error
        self.durationMs = durationMs
    }

    var stored: JSONValue {
        .object([("attempt", .int(attempt)), ("atMs", .int(atMs)), ("status", status.map { .int($0) } ?? .null),
                 ("error", .optional(error)), ("durationMs", .int(durationMs))])
    }
}
