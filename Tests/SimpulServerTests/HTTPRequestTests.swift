import XCTest

@testable import SimpulServer

/// Goal: header lookup ignores ASCII case only (`Content-Type` = `content-TYPE`, but `-` is
/// not `\r` and `_` is not DEL, which differ from each other only in bit 0x20), and
/// `mediaType` is the lower-cased type without parameters or blanks.
final class HTTPRequestTests: XCTestCase {
    func testHeaderNamesCompareCaseInsensitivelyForLettersOnly() {
        let request = HTTPRequest(method: .GET, path: "/", headers: [
            ("content-TYPE", "text/csv"), ("X-A", "1"), ("x-a", "2"), ("\r", "cr"), ("\u{7F}", "del"),
        ])
        XCTAssertEqual(request.header("Content-Type"), "text/csv")
        XCTAssertEqual(request.headerValues("x-A"), ["1", "2"])
        XCTAssertNil(request.header("-"), "'-' (0x2D) and CR (0x0D) differ only in bit 0x20")
        XCTAssertNil(request.header("_"), "'_' (0x5F) and DEL (0x7F) differ only in bit 0x20")
        XCTAssertNil(request.header("Content-Typ"))
    }

    func testMediaType() {
        let cases: [(String?, String?)] = [
            (nil, nil), ("application/json", "application/json"), ("Application/JSON; charset=utf-8", "application/json"),
            (" \ttext/CSV \t;x=1", "text/csv"), (";", ""), ("", ""),
        ]
        for (header, expected) in cases {
            let request = HTTPRequest(method: .POST, path: "/", headers: header.map { [("Content-Type", $0)] } ?? [])
            XCTAssertEqual(request.mediaType, expected, "\(header ?? "none")")
        }
    }
}
