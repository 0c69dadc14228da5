/// One reason a record was refused: which field, a stable machine code, and a sentence
/// for the admin. Codes are a contract (clients match on them): never rename one.
public struct ValidationIssue: Sendable, Equatable, Hashable, Codable {
    /// Path of the canonical field (`nik`, `address.rt`, `dispositions[1].date`), or of the
    /// source field when the record could not be mapped at all.
    public var field: String
    /// Stable dotted code such as `nik.format` or `geometry.outside_city`.
    public var code: String
    /// What is wrong and, where it helps, what a correct value looks like.
    public var message: String

    public init(field: String, code: String, message: String) {
        self.field = field
        self.code = code
        self.message = message
    }
}
