/// One step of a permit's status history, in canonical form.
public struct StatusStep: Sendable, Hashable {
    /// Canonical status (`submitted`, `verified`, …).
    public var status: String
    /// Date-time with offset (`2024-02-13T10:30:00+08:00`).
    public var at: String

    public init(status: String, at: String) {
        self.status = status
        self.at = at
    }
}

/// Checks a licensing status history (Si Peri Etnik `riwayat`) against the allowed steps
/// of DOMAIN.md: submitted → verified | rejected, verified → approved | rejected,
/// approved → issued, issued → revoked | expired.
///
/// Codes: `status.transition` (a step not allowed, or `status` differing from the last
/// step), `status.time_order` (a step earlier than the one before), `enum.unknown` (a
/// status that does not exist), `date.invalid` (an unreadable `at`).
public enum StatusHistoryValidator {
    /// The permit statuses, in the order of a normal life.
    public static let statuses = ["submitted", "verified", "approved", "rejected", "issued", "revoked", "expired"]

    /// Allowed (from, to) steps.
    public static func isAllowed(from: String, to: String) -> Bool {
        switch (from, to) {
        case ("submitted", "verified"), ("submitted", "rejected"),
             ("verified", "approved"), ("verified", "rejected"),
             ("approved", "issued"),
             ("issued", "revoked"), ("issued", "expired"):
            return true
        default:
            return false
        }
    }

    /// Validates the history and the current status.
    /// - Parameters:
    ///   - status: the record's current status, or nil when it has none.
    ///   - history: the steps in source order.
    ///   - statusField / historyField: paths used in the issues (`status`, `statusHistory`);
    ///     a step's issues use `statusHistory[i].status` and `statusHistory[i].at`.
    public static func validate(
        status: String?, history: [StatusStep],
        statusField: String = "status", historyField: String = "statusHistory"
    ) -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        var previous: (status: String, time: ISODateTime?)?
        for (index, step) in history.enumerated() {
            let path = "\(historyField)[\(index)]"
            let known = statuses.contains(step.status)
            if !known {
                issues.append(unknownStatus(step.status, field: "\(path).status"))
            }
            let time = ISODateTime(step.at)
            if time == nil {
                issues.append(DateValidator.issue(field: "\(path).at", text: "'\(step.at)'"))
            }
            if let previous, known, statuses.contains(previous.status),
               !isAllowed(from: previous.status, to: step.status) {
                issues.append(ValidationIssue(
                    field: "\(path).status", code: ValidationCode.statusTransition,
                    message: "status cannot go from \(previous.status) to \(step.status); allowed next: "
                        + allowedNext(previous.status)))
            }
            if let earlier = previous?.time, let time, time < earlier {
                issues.append(ValidationIssue(
                    field: "\(path).at", code: ValidationCode.statusTimeOrder,
                    message: "step \(index) (\(step.status)) at \(step.at) is earlier than the step before it; "
                        + "history times must not go backwards"))
            }
            previous = (step.status, time ?? previous?.time)
        }
        if let status {
            if !statuses.contains(status) {
                issues.append(unknownStatus(status, field: statusField))
            } else if let last = history.last, last.status != status {
                issues.append(ValidationIssue(
                    field: statusField, code: ValidationCode.statusTransition,
                    message: "status is \(status) but the last step of \(historyField) is \(last.status); they must be equal"))
            }
        }
        return issues
    }

    private static func allowedNext(_ status: String) -> String {
        let next = statuses.filter { isAllowed(from: status, to: $0) }
        return next.isEmpty ? "none (\(status) is final)" : next.joined(separator: ", ")
    }

    private static func unknownStatus(_ value: String, field: String) -> ValidationIssue {
        ValidationIssue(field: field, code: ValidationCode.enumUnknown,
                        message: "unknown status '\(value)'; allowed: \(statuses.joined(separator: ", "))")
    }
}
