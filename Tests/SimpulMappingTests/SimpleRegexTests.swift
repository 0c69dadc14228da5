import Foundation
import SimpulTestSupport
import XCTest
@testable import SimpulMapping

/// Goal: the byte-level SimpleRegex agrees with ICU (NSRegularExpression) on every
/// pattern of `schemas/` and a few harder ones, for seeded random strings built from the
/// patterns' own alphabet; and it declines the constructs it does not implement.
final class SimpleRegexTests: XCTestCase {
    static let seed = UInt64(ProcessInfo.processInfo.environment["SIMPUL_TEST_SEED"] ?? "") ?? 0x5E6E_C5

    static let patterns = [
        "^[0-9]{16}$", "^[0-9]{13}$", "^[0-9]{5}$", "^[0-9]{3}$", "^[0-9]{1,3}(\\.[0-9]+)*$",
        "^[0-9]{2}(\\.[0-9]{2}(\\.[0-9]{2}(\\.[0-9]{4})?)?)?$", "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
        "^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$",
        "^[A-Za-z0-9._+-]+/[A-Za-z0-9._+-]+$", "^[0-9a-f]{64}$",
        "R-[0-9]", "(ab|a)*c", "^(a|ab)(c|bcd)$", "x{2,}y?", "^(?:[a-c]+|z)$", "a|b", "[-a]+$",
    ]

    func testAgreesWithICU() throws {
        var random = SeededRandom(seed: Self.seed)
        let alphabet = Array("0123456789.-+:TtZz/abcdefxyzR \n\u{00E9}")
        for pattern in Self.patterns {
            let simple = try XCTUnwrap(SimpleRegex(pattern), "SimpleRegex should accept \(pattern)")
            let icu = try NSRegularExpression(pattern: pattern)
            for _ in 0..<400 {
                let length = Int.random(in: 0...30, using: &random)
                var text = String((0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &random)] })
                if Bool.random(using: &random) { text = Self.samples.randomElement(using: &random) ?? text }
                let expected = icu.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
                XCTAssertEqual(simple.matches(text) ?? expected, expected, "pattern \(pattern) on \(text.debugDescription) (seed \(Self.seed))")
            }
        }
    }

    static let samples = [
        "6471011202900001", "6471011202900001\n", "1234567890123", "47111", "005", "500.16", "64.71.01.1001", "64.71.1",
        "2024-02-13", "2024-02-13T10:30:00+08:00", "2024-02-13t10:30:00.5z", "application/pdf", "R-3", "ababc", "abcd",
        "xxy", "aaaz", "-a",
    ]

    func testPathologicalPatternRunsOutOfBudgetInsteadOfHanging() throws {
        let simple = try XCTUnwrap(SimpleRegex("^(a|a)*(a|a)*(a|a)*b$"))
        XCTAssertNil(simple.matches(String(repeating: "a", count: 40)))
        XCTAssertEqual(try XCTUnwrap(PatternMatcher("^(a|a)*(a|a)*(a|a)*b$")).matches(String(repeating: "a", count: 40)), false)
    }

    func testDeclinesUnsupportedConstructs() {
        for pattern in ["a.b", "\\d+", "[^0-9]", "a+?", "(?=a)", "a^b", "é", "[[:digit:]]", "\\1", "^a|b"] {
            XCTAssertNil(SimpleRegex(pattern), pattern)
        }
    }
}
