import Foundation
import SimpulTestSupport
import XCTest
@testable import SimpulMapping

/// Goal: the byte-level JSON reader and writer agree with Foundation's JSONSerialization
/// on thousands of generated documents (strings with escapes, controls, non-ASCII and
/// astral characters; integers, decimals, exponents; nesting), in both directions.
final class JSONDifferentialTests: XCTestCase {
    static let documentCount = 3000

    func testWriterOutputParsesToTheSameTreeInFoundation() throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["SIMPUL_SEED"] ?? "") ?? 0x5EED_0001
        var random = SeededRandom(seed: seed)
        for index in 0..<Self.documentCount {
            let value = JSONGenerator.value(depth: 0, random: &random)
            let bytes = JSONWriter.write(value)
            let foundation = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
            guard JSONGenerator.matches(value, foundation) else {
                return XCTFail("seed \(seed), document \(index): Foundation read \(String(decoding: bytes, as: UTF8.self)) differently")
            }
            let reread = try JSONReader.parse(bytes)
            XCTAssertEqual(reread, value, "seed \(seed), document \(index): round trip differs")
        }
    }

    func testReaderAgreesWithFoundationOnFoundationOutput() throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["SIMPUL_SEED"] ?? "") ?? 0x5EED_0002
        var random = SeededRandom(seed: seed)
        for index in 0..<Self.documentCount {
            let value = JSONGenerator.value(depth: 0, random: &random)
            let object = try JSONSerialization.jsonObject(with: Data(JSONWriter.write(value)), options: [.fragmentsAllowed])
            let foundationBytes = try JSONSerialization.data(withJSONObject: object, options: [.fragmentsAllowed, .prettyPrinted])
            let parsed = try JSONReader.parse([UInt8](foundationBytes))
            guard JSONGenerator.matches(parsed, object) else {
                return XCTFail("seed \(seed), document \(index): reader differs on \(String(decoding: foundationBytes, as: UTF8.self))")
            }
        }
    }
}

/// Random JSON trees and a structural comparison with Foundation's `Any` form.
enum JSONGenerator {
    static let alphabet: [String] = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\u{01}", "\u{1F}", "é", "ß",
                                     "€", "中", "🙂", "𝄞", "\u{7F}", "\u{2028}"]

    static func value<R: RandomNumberGenerator>(depth: Int, random: inout R) -> JSONValue {
        let choice = Int.random(in: 0..<(depth > 4 ? 5 : 7), using: &random)
        switch choice {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &random))
        case 2: return .number(number(&random))
        case 3, 4: return .string(string(&random))
        case 5: return .array((0..<Int.random(in: 0...5, using: &random)).map { _ in value(depth: depth + 1, random: &random) })
        default:
            var members: [(key: String, value: JSONValue)] = []
            for index in 0..<Int.random(in: 0...5, using: &random) {
                members.append(("\(string(&random))#\(index)", value(depth: depth + 1, random: &random)))
            }
            return .object(JSONObject(members))
        }
    }

    static func string<R: RandomNumberGenerator>(_ random: inout R) -> String {
        (0..<Int.random(in: 0...12, using: &random)).map { _ in alphabet.randomElement(using: &random) ?? "a" }.joined()
    }

    static func number<R: RandomNumberGenerator>(_ random: inout R) -> String {
        switch Int.random(in: 0..<4, using: &random) {
        case 0: return String(Int.random(in: -1_000_000...1_000_000, using: &random))
        case 1: return "\(Int.random(in: -999...999, using: &random)).\(Int.random(in: 0...99, using: &random))5"
        case 2: return "\(Int.random(in: 1...9, using: &random)).\(Int.random(in: 0...9, using: &random))e\(Int.random(in: -20...20, using: &random))"
        default: return "0"
        }
    }

    /// Whether our tree and Foundation's object describe the same document.
    static func matches(_ value: JSONValue, _ object: Any) -> Bool {
        switch value {
        case .null: return object is NSNull
        case .bool(let flag):
            guard let number = object as? NSNumber else { return false }
            return number.boolValue == flag
        case .number(let text):
            guard let number = object as? NSNumber, let expected = Double(text) else { return false }
            let actual = number.doubleValue
            return actual == expected || abs(actual - expected) <= 1e-9 * max(1, abs(expected))
        case .string(let text): return (object as? String) == text
        case .array(let elements):
            guard let array = object as? [Any], array.count == elements.count else { return false }
            return zip(elements, array).allSatisfy { matches($0, $1) }
        case .object(let members):
            guard let dictionary = object as? [String: Any], dictionary.count == members.members.count else { return false }
            return members.members.allSatisfy { member in dictionary[member.key].map { matches(member.value, $0) } ?? false }
        }
    }
}
