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

    /// The segments of a raw path, each percent-decoded once (`nil` where the escape is
    /// bad or the bytes are not UTF-8: such a segment matches nothing).
    static func decodedSegments(of rawPath: String) -> [String?] {
        segments(of: rawPath).map { $0.utf8.contains(UInt8(ascii: "%")) ? RequestTarget.percentDecode($0, plusIsSpace: false) : $0 }
    }

    /// The parameters when the path's `decodedSegments` match, with the number of literal
    /// segments (more literals = more specific), or `nil`.
    func match(_ pathSegments: [String?]) -> (parameters: [String: String], literalCount: Int)? {
        guard pathSegments.count == segments.count else { return nil }
        var parameters: [String: String] = [:]
        var literalCount = 0
        for (segment, piece) in zip(segments, pathSegments) {
            guard let decoded = piece else { return nil }
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
