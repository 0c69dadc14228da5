import Foundation
import XCTest

@testable import SimpulServer

/// Goal (RELIABILITY S4, CI size): a few hundred seeded random and mutated requests each end
/// in a 4xx or a close within 1 s — never a 5xx, a hang or a crash — and the server still
/// answers a valid request afterwards; every 4xx carries a JSON reason. Replay with
/// `SIMPUL_FUZZ_SEED=<seed>`; raise the count with `SIMPUL_FUZZ_COUNT` (`SIMPUL_SOAK=1`: 100k).
final class FuzzTests: XCTestCase {
    /// SplitMix64: small, seedable, the same on every platform.
    struct SeededRandom: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let templates: [String] = [
        "GET /v1/topics/a/events?from=1 HTTP/1.1\r\nHost: x\r\n\r\n",
        "POST /v1/sources/s/records HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
        "POST /v1/sources/s/records HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        "HEAD /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
        "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n",
        "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n",
    ]

    static func input(_ random: inout SeededRandom) -> [UInt8] {
        var bytes = Array(templates.randomElement(using: &random)!.utf8)  // non-empty literal list
        switch Int.random(in: 0..<5, using: &random) {
        case 0:  // pure noise
            return (0..<Int.random(in: 1...600, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
        case 1:  // bit flips
            for _ in 0..<Int.random(in: 1...8, using: &random) {
                let index = Int.random(in: 0..<bytes.count, using: &random)
                bytes[index] ^= 1 << UInt8.random(in: 0...7, using: &random)
            }
        case 2:  // truncation
            bytes = Array(bytes[..<Int.random(in: 0..<bytes.count, using: &random)])
        case 3:  // special bytes inserted
            let specials: [UInt8] = [0x0D, 0x0A, 0x00, 0x20, 0x3A, 0x25, 0x7F, 0xFF, 0x09, 0x22]
            for _ in 0..<Int.random(in: 1...6, using: &random) {
                let index = Int.random(in: 0...bytes.count, using: &random)
                bytes.insert(specials.randomElement(using: &random)!, at: index)
            }
        default:  // a template repeated (pipelining) with a noisy tail
            bytes += bytes + (0..<Int.random(in: 0...40, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
        }
        return bytes
    }

    func testSeededHostileInputsGet4xxOrClose() throws {
        let environment = ProcessInfo.processInfo.environment
        let seed = environment["SIMPUL_FUZZ_SEED"].flatMap { UInt64($0) } ?? UInt64.random(in: 0...UInt64.max)
        let count =
            environment["SIMPUL_FUZZ_COUNT"].flatMap { Int($0) } ?? (environment["SIMPUL_SOAK"] == nil ? 300 : 100_000)
        print("FuzzTests seed \(seed) (replay with SIMPUL_FUZZ_SEED=\(seed)), \(count) inputs")
        var random = SeededRandom(state: seed)
        let live = try LiveServer(self, handler: sampleRouter()) {
            $0.requestHeadTimeout = .seconds(1)
            $0.requestTimeout = .seconds(1)
        }
        var answered = 0
        for index in 0..<count {
            let bytes = Self.input(&random)
            let client = try live.client(readTimeoutSeconds: 2)
            let started = Date()
            client.send(bytes)
            client.shutdownWrite()
            let answer = String(decoding: client.readAll(), as: UTF8.self)
            let elapsed = Date().timeIntervalSince(started)
            let context = "seed \(seed) input \(index): \(String(decoding: bytes, as: UTF8.self).debugDescription)"
            XCTAssertTrue(client.peerClosed, "not closed; \(context)")
            XCTAssertLessThan(elapsed, 1.0, "hang; \(context)")
            let statuses = Self.statuses(in: answer)
            if !statuses.isEmpty { answered += 1 }
            for status in statuses {
                XCTAssertTrue((200..<300).contains(status) || (400..<500).contains(status), "status \(status); \(context)")
            }
            // Every rejection says why, in the JSON error shape (an answer to HEAD has no body).
            let isHead = bytes.firstRange(of: Array("HEAD".utf8)) != nil
            let rejections = isHead ? 0 : statuses.filter { (400..<500).contains($0) }.count
            let reasons = answer.components(separatedBy: #"{"error":{"code":""#).count - 1
            XCTAssertGreaterThanOrEqual(reasons, rejections, "a 4xx without a JSON reason; \(context)")
        }
        print("FuzzTests: \(answered) of \(count) inputs got a response before the close")
        XCTAssertEqual(try live.client().request("GET", "/healthz")?.bodyText, "ok", "seed \(seed)")
        XCTAssertTrue(eventually { live.server.statistics.openConnections == 0 }, "seed \(seed)")
        XCTAssertEqual(live.server.statistics.inFlightBytes, 0, "seed \(seed)")
    }

    /// The status codes of every response in `text`.
    static func statuses(in text: String) -> [Int] {
        text.components(separatedBy: "HTTP/1.").dropFirst().compactMap { piece in
            let parts = piece.split(separator: " ", maxSplits: 2)
            return parts.count >= 2 ? Int(parts[1]) : nil
        }
    }
}
