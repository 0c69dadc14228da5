/// A parsed route pattern such as `/v1/topics/{topic}/events`.
struct RoutePattern: Sendable {
    enum Segment: Sendable, Hashable {
        case literal(String)
        case parameter(String)
    }

    /// Why a pattern was refused (a programmer error reported by `Router.add`).
    struct Invalid: Error {
        var reason: String
    }

    let segments: [Segment]

    /// The pattern with parameter names erased: two patterns with the same shape match the
    /// same paths, so registering both for one method is a mistake.
    var shape: [String] {
        segments.map {
            switch $0 {
            case .literal(let text): "=" + text
            case .parameter: "{}"
            }
        }
    }

    init(_ pattern: String) throws(Invalid) {
        guard pattern.hasPrefix("/") else { throw Invalid(reason: "must start with '/'") }
        var parsed: [Segment] = []
        var names: Set<String> = []
        for piece in Self.segments(of: pattern) {
            if piece.hasPrefix("{") || piece.hasSuffix("}") {
                guard piece.hasPrefix("{"), piece.hasSuffix("}"), piece.count > 2 else {
                    throw Invalid(reason: "segment '\(piece)' must be a literal or {name}")
                }
                let name = String(piece.dropFirst().dropLast())
                guard names.insert(name).inserted else { throw Invalid(reason: "{\(name)} used twice") }
                parsed.append(.parameter(name))
            } else {
                parsed.append(.literal(piece))
            }
        }
        segments = parsed
    }

    /// The segments of a path; `/` alone has none, and a trailing `/` gives an empty last
    /// segment so `/v1/topics/` does not match `/v1/topics`.
    static func segments(of path: String) -> [String] {
        var pieces = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if pieces.first == "" { pieces.removeFirst() }
        if pieces == [""] { return [] }
        return pieces
    }

    /// The decoded parameters when `pathSegments` (still percent-encoded) match, with the
    /// number of literal segments (more literals = more specific), or `nil`.
    func match(_ pathSegments: [String]) -> (parameters: [String: String], literalCount: Int)? {
        guard pathSegments.count == segments.count else { return nil }
        var parameters: [String: String] = [:]
        var literalCount = 0
        for (segment, piece) in zip(segments, pathSegments) {
            guard let decoded = RequestTarget.percentDecode(piece, plusIsSpace: false) else { return nil }
            switch segment {
            case .literal(let text):
                guard decoded == text else { return nil }
                literalCount += 1
            case .parameter(let name):
                guard !decoded.isEmpty else { return nil }
                parameters[name] = decoded
            }
        }
        return (parameters, literalCount)
    }
}
