import Foundation

/// A compiled `pattern`: ECMA-262 semantics as JSON Schema asks, i.e. a search anywhere
/// in the string unless the pattern anchors itself. Backed by NSRegularExpression (ICU),
/// which agrees with Python's `re` on the subset the schemas use (classes, quantifiers,
/// groups, `^`/`$`).
struct PatternMatcher: @unchecked Sendable {
    // @unchecked: NSRegularExpression is immutable after creation and documented as safe
    // to use from several threads at once; it is only missing the annotation on Linux.
    let source: String
    private let expression: NSRegularExpression
    /// The byte-level matcher when the pattern is in its subset (all of `schemas/` is).
    private let simple: SimpleRegex?

    init?(_ source: String) {
        guard let expression = try? NSRegularExpression(pattern: source) else { return nil }
        self.source = source
        self.expression = expression
        self.simple = SimpleRegex(source)
    }

    func matches(_ text: String) -> Bool {
        if let simple, let matched = simple.matches(text) { return matched }
        let range = NSRange(text.startIndex..<text.endIndex, in: text)
        return expression.firstMatch(in: text, options: [], range: range) != nil
    }
}
