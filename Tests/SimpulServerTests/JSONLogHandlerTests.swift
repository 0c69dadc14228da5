import Foundation
import Logging
import SimpulTestSupport
import XCTest

@testable import SimpulServer

/// Goal (issue 7, structured logs): every line the JSON handler writes is one JSON object
/// that Python's strict `json` parses back to exactly the message and metadata logged,
/// whatever they hold (control characters, quotes, backslashes, non-ASCII); `time` is RFC
/// 3339 UTC; a token or webhook secret logged by mistake never reaches the line.
final class JSONLogHandlerTests: XCTestCase {
    final class Sink: @unchecked Sendable {
        private let lock = NSLock()
        private var text = ""
        func append(_ line: String) { lock.lock(); text += line; lock.unlock() }
        var lines: [String] { lock.lock(); defer { lock.unlock() }; return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init) }
    }

    private func logger(_ sink: Sink, clock: @escaping @Sendable () -> (seconds: Int, milliseconds: Int) = JSONLogHandler.now) -> Logger {
        var logger = Logger(label: "simpul.test") { JSONLogHandler(label: $0, write: { sink.append($0) }, clock: clock) }
        logger.logLevel = .trace
        return logger
    }

    /// Python parses each line (strict: a raw control character is an error) and writes it
    /// back as ASCII-only JSON, which Foundation then reads.
    private func parsedByPython(_ lines: [String]) throws -> [[String: Any]] {
        let directory = try TemporaryDirectory("jsonlog")
        defer { directory.remove() }
        let file = directory.path + "/log.jsonl"
        try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let script = """
            import json, sys
            for number, line in enumerate(open(sys.argv[1], encoding='utf-8'), 1):
                value = json.loads(line)
                assert isinstance(value, dict), number
                print(json.dumps(value, ensure_ascii=True, sort_keys=True))
            """
        let result = try runCommand(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", script, file])
        XCTAssertEqual(result.status, 0, "Python refused a line: \(result.standardError)")
        return try result.standardOutput.split(separator: "\n").map {
            try XCTUnwrap(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    func testEveryLineParsesBackToWhatWasLogged() throws {
        let seed = UInt64.random(in: 1...UInt64.max / 2)
        var random = SeededRandom(seed: seed)
        // No letters that could form `spl_`, `whsec_` or `Bearer `: redaction is tested apart.
        let alphabet: [String] = (0..<0x20).map { String(UnicodeScalar(UInt8($0))) }
            + ["\"", "\\", "/", "'", "{", "}", "[", "]", ":", ",", " ", "a", "Z", "9", "\u{7F}", "é", "Jl. Sudirman",
               "日本", "🙂", "\u{2028}", "\u{FEFF}", "\u{10FFFF}"]
        func text() -> String { (0..<Int.random(in: 0...24, using: &random)).map { _ in alphabet.randomElement(using: &random) ?? "" }.joined() }

        let sink = Sink()
        let log = logger(sink)
        var expected: [(message: String, metadata: [String: String])] = []
        for _ in 0..<300 {
            let message = text()
            let metadata = ["event.id": text(), "topic": text(), "subscription.name": text(), text(): text()]
            log.info("\(message)", metadata: metadata.mapValues { .string($0) })
            expected.append((message, metadata))
        }
        let parsed = try parsedByPython(sink.lines)
        XCTAssertEqual(parsed.count, expected.count, "seed \(seed)")
        for (line, want) in zip(parsed, expected) {
            XCTAssertEqual(line["message"] as? String, want.message, "seed \(seed)")
            XCTAssertEqual(line["level"] as? String, "info")
            XCTAssertEqual(line["label"] as? String, "simpul.test")
            for (key, value) in want.metadata {
                let name = JSONLogHandler.fixedFields.contains(key) ? "metadata." + key : key
                XCTAssertEqual(line[name] as? String, value, "metadata \(key.debugDescription), seed \(seed)")
            }
        }
    }

    func testFieldsTimeNestedMetadataAndCollidingKeys() throws {
        let sink = Sink()
        var log = logger(sink, clock: { (1_700_000_000, 7) })
        log[metadataKey: "source"] = "population"
        log.warning("disk \"almost\" full", metadata: [
            "message": "a key named like a field", "attempts": .array(["1", .dictionary(["status": "503"])]),
            "count": .stringConvertible(42),
        ])
        let line = try XCTUnwrap(try parsedByPython(sink.lines).first)
        XCTAssertEqual(line["time"] as? String, "2023-11-14T22:13:20.007Z")
        XCTAssertEqual(line["level"] as? String, "warning")
        XCTAssertEqual(line["message"] as? String, "disk \"almost\" full")
        XCTAssertEqual(line["metadata.message"] as? String, "a key named like a field")
        XCTAssertEqual(line["source"] as? String, "population")
        XCTAssertEqual(line["count"] as? String, "42")
        XCTAssertEqual(line["module"] as? String, "SimpulServerTests")
        let attempts = try XCTUnwrap(line["attempts"] as? [Any])
        XCTAssertEqual(attempts.first as? String, "1")
        XCTAssertEqual((attempts.last as? [String: String])?["status"], "503")
        XCTAssertEqual(sink.lines.count, 1, "one line per event")
    }

    func testSecretsLoggedByMistakeAreRedacted() throws {
        let token = "spl_adm_" + String(repeating: "3f9a", count: 12)
        let webhookSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        let bearer = "Bearer sk_live_7f3a9c2e41b8d6"
        let sink = Sink()
        let log = logger(sink)
        log.error("authorization failed for \(token) (header: \(bearer))", metadata: [
            "subscription.secret": .string(webhookSecret),
            "nested": .dictionary(["headers": .array([.string("Authorization: \(bearer)")])]),
            "field": "display_name", "text": "whsec_ alone is not a secret",
        ])
        let raw = sink.lines.joined(separator: "\n")
        for secret in [token, webhookSecret, "sk_live_7f3a9c2e41b8d6", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"] {
            XCTAssertFalse(raw.contains(secret), "\(secret) reached the log: \(raw)")
        }
        let line = try XCTUnwrap(try parsedByPython(sink.lines).first)
        XCTAssertEqual(line["message"] as? String, "authorization failed for spl_[redacted] (header: Bearer [redacted])")
        XCTAssertEqual(line["subscription.secret"] as? String, "whsec_[redacted]")
        XCTAssertEqual(line["field"] as? String, "display_name", "ordinary words stay")
        XCTAssertEqual(line["text"] as? String, "whsec_ alone is not a secret")
    }
}
