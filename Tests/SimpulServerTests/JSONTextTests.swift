import Foundation
import XCTest

@testable import SimpulServer

/// Goal: error bodies are valid JSON whatever the message holds (quotes, backslashes,
/// control characters, non-ASCII), checked against Foundation's parser as an oracle.
final class JSONTextTests: XCTestCase {
    func testEscapesAreParsedBackToTheSameText() throws {
        let samples = ["plain", "quote \" and \\ backslash", "lines\n\r\t", "\u{0}\u{1}\u{1F}\u{7F}", "Jl. Merdeka №5 — é 日本 🙂", ""]
        for sample in samples {
            let body = JSONText.errorBody(code: "bad_request", message: sample)
            let parsed = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: [String: String]]
            XCTAssertEqual(parsed?["error"]?["message"], sample, body)
            XCTAssertEqual(parsed?["error"]?["code"], "bad_request")
        }
    }

    func testControlCharactersUseShortOrUnicodeEscapes() {
        XCTAssertEqual(JSONText.string("a\u{1}\n"), #""a\u0001\n""#)
        XCTAssertEqual(JSONText.string("\u{1F}"), #""\u001f""#)
    }
}
