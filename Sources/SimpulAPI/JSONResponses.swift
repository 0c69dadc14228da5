import SimpulMapping
import SimpulServer

extension HTTPResponse {
    /// A JSON response from a `JSONValue` (written with the mapping module's writer).
    static func json(status: Int, value: JSONValue, headers: [(String, String)] = []) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: JSONWriter.write(value))
    }

    static func json(status: Int, bytes: [UInt8]) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json")], body: bytes)
    }
}
