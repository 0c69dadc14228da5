import SimpulBus
import SimpulServer

/// Bearer authentication and the rights of each kind of principal. A missing or unknown
/// token is `401`; a valid token outside its rights is `403`. Tokens are never logged.
enum Authentication {
    static func principal(_ request: HTTPRequest, bus: Bus) -> Result<Principal, HTTPResponseBox> {
        guard let header = request.header("Authorization") else {
            return .failure(HTTPResponseBox(unauthorized("this route needs `Authorization: Bearer <token>`")))
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", let principal = bus.tokens.authenticate(String(parts[1])) else {
            return .failure(HTTPResponseBox(unauthorized("the bearer token is not valid (revoked, mistyped or from another server)")))
        }
        return .success(principal)
    }

    /// Runs `body` with the caller's principal, or answers `401` without running it.
    static func withPrincipal(_ request: HTTPRequest, bus: Bus, _ body: (Principal) async -> HTTPResponse) async -> HTTPResponse {
        switch principal(request, bus: bus) {
        case .success(let principal): return await body(principal)
        case .failure(let box): return box.response
        }
    }

    /// The principal if it is an admin; the `401`/`403` answer otherwise.
    static func admin(_ request: HTTPRequest, bus: Bus) -> Result<Principal, HTTPResponseBox> {
        principal(request, bus: bus).flatMap { principal in
            principal.kind == .admin ? .success(principal)
                : .failure(HTTPResponseBox(forbidden("this route is for admins; use an admin token")))
        }
    }

    static func unauthorized(_ message: String) -> HTTPResponse {
        .error(status: 401, code: "unauthorized", message: message, headers: [("WWW-Authenticate", "Bearer")])
    }

    static func forbidden(_ message: String) -> HTTPResponse {
        .error(status: 403, code: "forbidden", message: message)
    }
}

/// `HTTPResponse` as an `Error`, so that authentication can fail through `Result`.
struct HTTPResponseBox: Error {
    let response: HTTPResponse
    init(_ response: HTTPResponse) { self.response = response }
}
