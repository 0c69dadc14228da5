import Foundation
import SimpulBus
import SimpulLog
import SimpulServer

/// `GET /` (the status page), `POST /login`, `POST /logout`. The login form takes the
/// admin token once and sets a random session cookie (HttpOnly, SameSite=Lax, 12 h);
/// the token itself is never stored in the browser. `Authorization: Bearer` works too.
enum StatusRoutes {
    static let cookieName = "simpul_session"
    static let sessionSeconds: Int64 = 12 * 3600

    static func page(_ request: HTTPRequest, bus: Bus, sessions: Sessions) async -> HTTPResponse {
        if sessions.isValid(cookie(request), bus: bus) || isAdmin(request, bus: bus) {
            return html(200, await StatusPage.render(bus: bus))
        }
        return html(401, StatusPage.login(message: nil))
    }

    static func login(_ request: HTTPRequest, bus: Bus, sessions: Sessions) async -> HTTPResponse {
        let form = RequestTarget.formFields(String(decoding: request.body, as: UTF8.self))
        guard let token = form["token"], let principal = bus.tokens.authenticate(token), principal.kind == .admin else {
            return html(401, StatusPage.login(message: "That is not a valid admin token."))
        }
        let session = sessions.open(seconds: sessionSeconds, tokenID: principal.id)
        return HTTPResponse(status: 303, headers: [
            ("Location", "/"),
            ("Set-Cookie", "\(cookieName)=\(session); Path=/; Max-Age=\(sessionSeconds); HttpOnly; SameSite=Lax"),
        ])
    }

    static func logout(_ request: HTTPRequest, bus: Bus, sessions: Sessions) async -> HTTPResponse {
        guard let session = cookie(request), sessions.isValid(session, bus: bus) else {
            return html(401, StatusPage.login(message: nil))
        }
        sessions.close(session)
        return HTTPResponse(status: 303, headers: [
            ("Location", "/"), ("Set-Cookie", "\(cookieName)=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"),
        ])
    }

    private static func isAdmin(_ request: HTTPRequest, bus: Bus) -> Bool {
        if case .success = Authentication.admin(request, bus: bus) { return true }
        return false
    }

    private static func cookie(_ request: HTTPRequest) -> String? {
        for header in request.headerValues("Cookie") {
            for pair in header.split(separator: ";") {
                let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0] == cookieName { return String(parts[1]) }
            }
        }
        return nil
    }

    private static func html(_ status: Int, _ text: String) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store"),
                                               ("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")],
                     body: Array(text.utf8))
    }
}

/// Status-page sessions: random ids with an expiry and the admin token they were opened
/// with, in memory (a restart logs everyone out). A session ends when its token is revoked.
final class Sessions: Sendable {
    private let sessions = Locked<[String: (expiresMs: Int64, tokenID: String)]>([:])

    func open(seconds: Int64, tokenID: String) -> String {
        let id = TokenStore.randomSessionID()
        let now = currentTimeMs()
        sessions.withLock { sessions in
            sessions = sessions.filter { $0.value.expiresMs > now }
            sessions[id] = (now + seconds * 1000, tokenID)
        }
        return id
    }

    func isValid(_ id: String?, bus: Bus) -> Bool {
        guard let id, let session = sessions.withLock({ $0[id] }), session.expiresMs > currentTimeMs() else { return false }
        return bus.tokens.isActive(id: session.tokenID)
    }

    func close(_ id: String) { _ = sessions.withLock { $0.removeValue(forKey: id) } }
}
