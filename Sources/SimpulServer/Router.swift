import NIOHTTP1

/// A route as registered: the method and the pattern, e.g. `POST /v1/sources/{source}/records`.
///
/// `Router.routes` lists these so a test can walk every route (S5: each admin route refuses
/// a request without a token) and compare them with `docs/openapi.yaml`.
public struct Route: Sendable, Hashable, CustomStringConvertible {
    /// The method name in upper case, e.g. `POST`.
    public var method: String
    /// The pattern with `{name}` placeholders, each matching one path segment.
    public var pattern: String

    /// `METHOD pattern`.
    public var description: String { "\(method) \(pattern)" }
}

/// Dispatches requests to closures by method and path pattern.
///
/// Patterns are literal segments and `{name}` placeholders; a placeholder matches exactly one
/// non-empty segment and its percent-decoded value lands in `request.pathParameters[name]`.
/// Literal segments win over placeholders when both match: the most literal patterns
/// own a path, for dispatch and for `Allow`. An unknown path is answered
/// `404 not_found`; a known path with another method `405 method_not_allowed` with `Allow`.
/// `HEAD` is served by the `GET` route of a path when no `HEAD` route is registered (the
/// server then sends the headers only). Build it before starting the server: a `Router` is
/// a value, safe from any task once built.
public struct Router: HTTPHandler {
    /// What a route runs.
    public typealias Handler = @Sendable (HTTPRequest) async -> HTTPResponse

    private struct Entry: Sendable {
        var route: Route
        var pattern: RoutePattern
        var handler: Handler
    }

    private var entries: [Entry] = []

    /// An empty router: every request gets `404`.
    public init() {}

    /// Every registered route, in registration order.
    public var routes: [Route] { entries.map(\.route) }

    /// Registers `handler` for `method` and `pattern`.
    ///
    /// A malformed pattern (not starting with `/`, an empty or unclosed `{}`, a name used
    /// twice) or a duplicate route is a programmer error and traps: routes are fixed in code.
    public mutating func add(_ method: HTTPMethod, _ pattern: String, _ handler: @escaping Handler) {
        let parsed: RoutePattern
        do {
            parsed = try RoutePattern(pattern)
        } catch {
            preconditionFailure("route pattern \(pattern): \(error.reason)")
        }
        let route = Route(method: method.rawValue, pattern: pattern)
        precondition(
            !entries.contains { $0.route.method == route.method && $0.pattern.shape == parsed.shape },
            "route \(route) registered twice")
        entries.append(Entry(route: route, pattern: parsed, handler: handler))
    }

    /// Finds the route for `request`, fills `pathParameters` and runs it.
    public func handle(_ request: HTTPRequest) async -> HTTPResponse {
        let segments = RoutePattern.decodedSegments(of: request.rawPath)
        var candidates: [(entry: Entry, parameters: [String: String], score: Int)] = []
        for entry in entries {
            if let match = entry.pattern.match(segments) {
                candidates.append((entry, match.parameters, match.literalCount))
            }
        }
        guard !candidates.isEmpty else {
            return .error(
                status: 404, code: "not_found",
                message: "no route for \(request.method.rawValue) \(request.path); docs/openapi.yaml lists the routes")
        }
        let method = request.method.rawValue
        // The most literal patterns own the path: `/v1/dlq/replay` is not `/v1/dlq/{id}`.
        let best = candidates.map(\.score).max() ?? 0
        let owners = candidates.filter { $0.score == best }
        let chosen =
            owners.first { $0.entry.route.method == method }
            ?? (method == "HEAD" ? owners.first { $0.entry.route.method == "GET" } : nil)
        guard let chosen else {
            var allowed = Set(owners.map(\.entry.route.method))
            if allowed.contains("GET") { allowed.insert("HEAD") }
            let allow = allowed.sorted().joined(separator: ", ")
            return .error(
                status: 405, code: "method_not_allowed",
                message: "\(request.path) does not accept \(method); it accepts \(allow)",
                headers: [("Allow", allow)])
        }
        var routed = request
        routed.pathParameters = chosen.parameters
        return await chosen.entry.handler(routed)
    }
}
