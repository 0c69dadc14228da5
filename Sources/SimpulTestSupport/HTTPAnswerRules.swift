import Foundation

/// The promises of RELIABILITY S4 about what a server writes back to hostile input, checked
/// on the raw bytes of one connection: every answer is well-framed HTTP/1.1, no answer is a
/// `5xx` (which would mean a bug), every `4xx` carries `{"error":{"code","message"}}` with
/// both strings non-empty, and every `application/json` body parses.
///
/// Used by the HTTP fuzz target (`simpul-fuzz-http`) and the tests that replay its findings.
public enum HTTPAnswerRules {
    /// One answer as read from the wire.
    public struct Answer: Sendable, Equatable {
        public var status: Int
        public var contentType: String?
        public var body: [UInt8]
        /// The body was declared but not sent: the answer to a `HEAD`.
        public var bodyOmitted = false
    }

    /// The answers in `bytes`, in order, and what breaks the rules (empty when all is well).
    ///
    /// - Parameter requestsMayBeHead: whether the input could hold a `HEAD` request: an
    ///   answer whose declared body is absent is accepted only then (the wire does not say
    ///   which request an answer belongs to).
    public static func check(_ bytes: [UInt8], requestsMayBeHead: Bool) -> (answers: [Answer], problems: [String]) {
        var answers: [Answer] = []
        var problems: [String] = []
        var rest = bytes[...]
        while !rest.isEmpty {
            guard let answer = nextAnswer(&rest, requestsMayBeHead: requestsMayBeHead, problems: &problems) else { break }
            if answer.status >= 200 { answers.append(answer) }
        }
        for (index, answer) in answers.enumerated() {
            problems += self.problems(in: answer).map { "answer \(index + 1) (\(answer.status)): \($0)" }
        }
        return (answers, problems)
    }

    /// What is wrong with one answer's status and body.
    public static func problems(in answer: Answer) -> [String] {
        var problems: [String] = []
        if answer.status >= 500 {
            problems.append("a 5xx means a bug: \(String(decoding: answer.body.prefix(300), as: UTF8.self))")
        }
        let isJSON = answer.contentType?.lowercased().hasPrefix("application/json") ?? false
        let isHTML = answer.contentType?.lowercased().hasPrefix("text/html") ?? false
        if answer.status == 401, isHTML {
            // The one exception: the status page answers a browser with its login form.
            if !answer.bodyOmitted, !String(decoding: answer.body, as: UTF8.self).contains("<form") {
                problems.append("an HTML 401 that is not the login form")
            }
        } else if (400..<500).contains(answer.status) {
            if !isJSON { problems.append("a 4xx without Content-Type application/json") }
            if !answer.bodyOmitted, errorShape(answer.body) == nil {
                problems.append("a 4xx whose body is not {\"error\":{\"code\",\"message\"}}: "
                                + String(decoding: answer.body.prefix(300), as: UTF8.self))
            }
        } else if isJSON, !answer.body.isEmpty,
                  (try? JSONSerialization.jsonObject(with: Data(answer.body), options: [.fragmentsAllowed])) == nil {
            problems.append("an application/json body that does not parse")
        }
        return problems
    }

    /// The `code` and `message` of an error body, when it has the promised shape.
    public static func errorShape(_ body: [UInt8]) -> (code: String, message: String)? {
        guard let root = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              let error = root["error"] as? [String: Any],
              let code = error["code"] as? String, !code.isEmpty,
              let message = error["message"] as? String, !message.isEmpty else { return nil }
        return (code, message)
    }

    /// Reads one answer (interim `1xx` included) off the front of `rest`.
    private static func nextAnswer(_ rest: inout ArraySlice<UInt8>, requestsMayBeHead: Bool,
                                   problems: inout [String]) -> Answer? {
        let separator = Array("\r\n\r\n".utf8)
        guard rest.starts(with: Array("HTTP/1.".utf8)), let headEnd = rest.firstRange(of: separator) else {
            problems.append("bytes that are not an HTTP/1.x answer: \(String(decoding: rest.prefix(120), as: UTF8.self).debugDescription)")
            return nil
        }
        var lines = String(decoding: rest[rest.startIndex..<headEnd.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines.removeFirst().split(separator: " ", maxSplits: 2)
        guard statusParts.count >= 2, let status = Int(statusParts[1]), (100...599).contains(status) else {
            problems.append("a malformed status line")
            return nil
        }
        var contentType: String?
        var length: Int?
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else {
                problems.append("a header line without a colon")
                return nil
            }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if name == "content-type" { contentType = value }
            if name == "content-length" { length = Int(value) }
        }
        rest = rest[headEnd.upperBound...]
        guard status >= 200 else { return Answer(status: status, contentType: nil, body: []) }
        let declared = length ?? 0
        if status != 204 && status != 304 && length == nil {
            problems.append("an answer without Content-Length")
        }
        // The answer to a HEAD declares its body but sends none: the next answer or the end follows.
        if requestsMayBeHead, declared > 0, rest.isEmpty || rest.starts(with: Array("HTTP/1.".utf8)) {
            return Answer(status: status, contentType: contentType, body: [], bodyOmitted: true)
        }
        guard rest.count >= declared else {
            problems.append("an answer cut short: \(rest.count) of \(declared) body bytes")
            return nil
        }
        let body = Array(rest.prefix(declared))
        rest = rest.dropFirst(declared)
        return Answer(status: status, contentType: contentType, body: body)
    }
}
