import Foundation

/// A compiled `regex` or `replace` transform.
///
/// `NSRegularExpression` is immutable once built and documented thread-safe, hence the
/// unchecked `Sendable`.
struct RegexRule: @unchecked Sendable {
    let expression: NSRegularExpression
    let template: String
    /// Code of the issue when `regex` finds no match.
    let code: String
    let pattern: String

    init(pattern: String, template: String, code: String) throws {
        self.expression = try NSRegularExpression(pattern: pattern)
        self.template = template
        self.code = code
        self.pattern = pattern
    }

    func extract(_ value: JSONValue, field: String) -> StepResult {
        guard case .string(let text) = value else { return .success(value) }
        let range = NSRange(text.startIndex..., in: text)
        guard let match = expression.firstMatch(in: text, range: range) else {
            return .failure(ValidationIssue(field: field, code: code,
                                            message: "\"\(text)\" does not have the expected form (pattern \(pattern))"))
        }
        let result = expression.replacementString(for: match, in: text, offset: 0, template: template)
        return .success(result.isEmpty ? nil : .string(result))
    }

    func replaceAll(_ value: JSONValue) -> JSONValue? {
        guard case .string(let text) = value else { return value }
        let range = NSRange(text.startIndex..., in: text)
        let result = expression.stringByReplacingMatches(in: text, range: range, withTemplate: template)
        return result.isEmpty ? nil : .string(result)
    }
}
