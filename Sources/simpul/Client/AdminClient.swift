import Foundation
import SimpulDelivery
import SimpulMapping

/// The admin API over the same libcurl client that delivers webhooks. Every failure
/// becomes a `CLIError` with the exit code scripts rely on: 3 when no server answered,
/// 4 when the token was refused, 1 for any other refusal (with the server's own message).
///
/// Not `Sendable`: one curl handle, used by one command at a time.
final class AdminClient {
    /// A whole `dlq list` page or a big publish answer fits; a runaway answer does not.
    static let responseBytesMax = 256 << 20
    /// An ordinary call's limit; long polls add their wait to it.
    static let timeout: Duration = .seconds(60)

    let server: String
    private let token: String
    private let http: HTTPDeliveryClient

    struct Response {
        var status: Int
        var body: [UInt8]
    }

    init(server: String, token: String) throws(CLIError) {
        self.server = server.hasSuffix("/") ? String(server.dropLast()) : server
        self.token = token
        // The admin API usually lives on this machine or the city's network: loopback and
        // private addresses are the point here, not an SSRF risk.
        let options = HTTPDeliveryClientOptions(addressPolicy: AddressPolicy(allowPrivateNetworks: true),
                                                responseBytesMax: Self.responseBytesMax, userAgent: "simpul-cli/1")
        do {
            http = try HTTPDeliveryClient(options: options)
        } catch {
            throw CLIError("cannot set up the HTTP client: \(error)")
        }
    }

    /// Sends one call and returns any answer; throws only when there was none (exit 3) or
    /// the token was refused (exit 4).
    func send(_ method: DeliveryRequest.Method, _ path: String, query: [(String, String?)] = [], body: [UInt8] = [],
              contentType: String = "application/json", timeout: Duration = timeout) throws(CLIError) -> Response {
        let url = server + path + QueryString.encode(query)
        var headers = [(name: "Authorization", value: "Bearer \(token)"), (name: "Accept", value: "application/json")]
        if method.sendsBody { headers.append((name: "Content-Type", value: contentType)) }
        let response = http.send(DeliveryRequest(url: url, method: method, body: body, headers: headers, timeout: timeout))
        if let error = response.error { throw transportError(error, timeout: timeout) }
        guard let status = response.status else { throw CLIError("no answer from \(server)", exit: .unreachable) }
        if response.bodyTruncated {
            throw CLIError("the answer to \(method.rawValue) \(path) is larger than \(Self.responseBytesMax >> 20) MiB; "
                           + "ask for less (--limit, --since)")
        }
        if status == 401 || status == 403 { throw authorisationError(status: status, body: response.body) }
        return Response(status: status, body: response.body)
    }

    /// Sends a call that must succeed (2xx) and returns its JSON body (`.null` for 204).
    func json(_ method: DeliveryRequest.Method, _ path: String, query: [(String, String?)] = [], body: JSONValue? = nil,
              timeout: Duration = timeout) throws(CLIError) -> JSONValue {
        let response = try send(method, path, query: query, body: body.map(JSONWriter.write) ?? [], timeout: timeout)
        guard (200..<300).contains(response.status) else { throw refusal(response, method: method, path: path) }
        if response.body.isEmpty { return .null }
        guard let value = try? JSONReader.parse(response.body) else {
            throw CLIError("\(server) answered \(method.rawValue) \(path) with something that is not JSON; "
                           + "does --server point at a Simpul server?")
        }
        return value
    }

    /// The error for a non-2xx answer, with the server's own message (it says what to do).
    func refusal(_ response: Response, method: DeliveryRequest.Method, path: String) -> CLIError {
        let parsed = try? JSONReader.parse(response.body)
        if let message = parsed?["error"]?["message"]?.stringValue {
            return CLIError(message + " (HTTP \(response.status))")
        }
        let text = String(decoding: response.body.prefix(200), as: UTF8.self)
        return CLIError("\(method.rawValue) \(path) answered HTTP \(response.status)"
                        + (text.isEmpty ? "" : ": \(text)") + (response.status == 404 ? "; is this server a newer Simpul?" : ""))
    }

    private func transportError(_ error: DeliveryError, timeout: Duration) -> CLIError {
        let hint = "is `simpul serve` running? try --server URL or set SIMPUL_SERVER"
        switch error {
        case .timeout:
            return CLIError("\(server) did not answer within \(timeout); \(hint)", exit: .unreachable)
        case .invalidURL:
            return CLIError.usage("\"\(server)\" is not a usable server URL; pass --server http://HOST:PORT")
        case .setup, .blockedByPolicy:
            return CLIError("cannot send the request to \(server): \(error)")
        case .connectionRefused:
            return CLIError("cannot reach \(server): connection refused; \(hint)", exit: .unreachable)
        default:
            return CLIError("cannot reach \(server) (\(error)); \(hint)", exit: .unreachable)
        }
    }

    private func authorisationError(status: Int, body: [UInt8]) -> CLIError {
        let message = (try? JSONReader.parse(body))?["error"]?["message"]?.stringValue ?? "HTTP \(status)"
        if status == 403 {
            return CLIError("\(server) refused: \(message)", exit: .unauthorised)
        }
        return CLIError("\(server) refused the token: \(message); pass an admin token with --token or SIMPUL_TOKEN "
                        + "(`simpul tokens create --kind admin` makes one)", exit: .unauthorised)
    }
}

/// `?a=1&b=x%20y` from pairs; nil values are left out.
enum QueryString {
    static func encode(_ pairs: [(String, String?)]) -> String {
        let present = pairs.compactMap { name, value in value.map { "\(name)=\(escape($0))" } }
        return present.isEmpty ? "" : "?" + present.joined(separator: "&")
    }

    /// Percent-encodes everything but RFC 3986 unreserved characters (so `+` and `:` in a
    /// time, `/` in an id, survive as data).
    static func escape(_ text: String) -> String {
        var output = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                output.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                output += String(format: "%%%02X", byte)
            }
        }
        return output
    }

    /// A path segment (`/v1/dlq/` + segment(id)).
    static func segment(_ text: String) -> String { escape(text) }
}
