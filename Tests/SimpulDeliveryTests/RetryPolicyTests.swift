import Foundation
import XCTest
@testable import SimpulDelivery

/// Goal (RELIABILITY.md D3): every row of the retry classification table holds; waits follow
/// the schedule with full jitter, `Retry-After` is honoured within ±1 s and capped; a seed
/// replays a schedule exactly.
final class RetryPolicyTests: XCTestCase {
    private enum Kind { case success, retry, permanent }

    private func kind(_ outcome: DeliveryOutcome) -> Kind {
        switch outcome {
        case .success: .success
        case .retryable: .retry
        case .permanent: .permanent
        }
    }

    func testStatusRows() {
        var table: [(Int, Kind)] = (200...299).map { ($0, .success) }
        table += [408, 425, 429].map { ($0, .retry) } + (500...599).map { ($0, .retry) }
        table += (400...499).filter { ![408, 425, 429].contains($0) }.map { ($0, .permanent) }
        table += [(100, .permanent), (301, .permanent), (302, .permanent), (307, .permanent), (600, .permanent)]
        for (status, expected) in table {
            XCTAssertEqual(kind(DeliveryOutcome.classify(status: status, error: nil)), expected, "HTTP \(status)")
            // A status that arrived wins over a late transport error.
            XCTAssertEqual(kind(DeliveryOutcome.classify(status: status, error: .timeout(milliseconds: 1))),
                           expected, "HTTP \(status) then timeout")
        }
    }

    func testTransportErrorRows() {
        let refusal = AddressRefusal(address: "127.0.0.1", reason: .loopback)
        let table: [(DeliveryError, Kind)] = [
            (.timeout(milliseconds: 10_000), .retry),
            (.dnsFailure(host: "sink.example", detail: "no such host"), .retry),
            (.connectionRefused(detail: "port 9"), .retry),
            (.connectionFailed(detail: "reset"), .retry),
            (.tls(detail: "certificate expired"), .retry),
            (.other(curlCode: 56, detail: "recv failure"), .retry),
            (.invalidURL("ftp://x"), .permanent),
            (.blockedByPolicy(refusal), .permanent),
            (.setup(detail: "CA file missing"), .permanent),
        ]
        for (error, expected) in table {
            XCTAssertEqual(kind(DeliveryOutcome.classify(status: nil, error: error)), expected, "\(error)")
            XCTAssertEqual(kind(DeliveryOutcome.classify(status: 0, error: error)), expected, "\(error)")
        }
    }

    func testPermanentGoesToDeadLetterOnFirstAttempt() {
        var random = SeededRandom(seed: 1)
        let decision = RetryPolicy.standard.decide(
            afterAttempt: 1, outcome: .classify(status: 404, error: nil), using: &random)
        guard case .deadLetter(let reason) = decision else { return XCTFail("\(decision)") }
        XCTAssertTrue(reason.contains("404"))
    }

    func testDefaultScheduleWithFullJitterAndExhaustion() {
        let seed: UInt64 = 0xD3
        var random = SeededRandom(seed: seed)
        let policy = RetryPolicy.standard
        XCTAssertEqual(policy.attemptsMax, 10)
        XCTAssertEqual(policy.delays.map { $0.components.seconds },
                       [0, 5, 30, 120, 600, 1800, 3600, 10800, 21600, 43200])
        for attempt in 1..<10 {
            for _ in 0..<200 {
                let decision = policy.decide(afterAttempt: attempt, outcome: .retryable(reason: "HTTP 503"), using: &random)
                guard case .retry(let wait) = decision else { return XCTFail("seed \(seed): \(decision)") }
                XCTAssertGreaterThanOrEqual(wait, .zero, "seed \(seed)")
                XCTAssertLessThanOrEqual(wait, policy.delays[attempt], "seed \(seed)")
            }
        }
        let last = policy.decide(afterAttempt: 10, outcome: .retryable(reason: "HTTP 503"), using: &random)
        guard case .deadLetter(let reason) = last else { return XCTFail("\(last)") }
        XCTAssertTrue(reason.contains("10 of 10"))
    }

    func testJitterSpreadsAndReplaysFromSeed() {
        var first = SeededRandom(seed: 77)
        var second = SeededRandom(seed: 77)
        let a = (0..<1000).map { _ in RetryPolicy.fullJitter(.seconds(600), using: &first) }
        let b = (0..<1000).map { _ in RetryPolicy.fullJitter(.seconds(600), using: &second) }
        XCTAssertEqual(a, b)
        // Uniform over [0, 600 s]: the mean is near 300 s and both halves are used.
        let mean = a.map { Double($0.components.seconds) }.reduce(0, +) / 1000
        XCTAssertEqual(mean, 300, accuracy: 30)
        XCTAssertTrue(a.contains { $0 < .seconds(60) } && a.contains { $0 > .seconds(540) })
    }

    func testRetryAfterIsHonouredAndCapped() throws {
        var random = SeededRandom(seed: 3)
        let policy = try RetryPolicy(delays: [.zero, .seconds(5), .seconds(5)], retryAfterMax: .seconds(60))
        let outcome = DeliveryOutcome.classify(status: 429, error: nil)
        XCTAssertEqual(policy.decide(afterAttempt: 1, outcome: outcome, retryAfter: .seconds(42), using: &random),
                       .retry(after: .seconds(42)))
        XCTAssertEqual(policy.decide(afterAttempt: 1, outcome: outcome, retryAfter: .seconds(86_400), using: &random),
                       .retry(after: .seconds(60)))
    }

    func testRetryAfterParsing() {
        let now = Date(timeIntervalSince1970: 1_445_412_480)  // Wed, 21 Oct 2015 07:28:00 GMT
        let table: [(String, Duration?)] = [
            ("120", .seconds(120)),
            (" 0 ", .zero),
            ("Wed, 21 Oct 2015 07:28:30 GMT", .seconds(30)),
            ("Wednesday, 21-Oct-15 07:29:00 GMT", .seconds(60)),
            ("Wed Oct 21 07:28:10 2015", .seconds(10)),
            ("Tue, 20 Oct 2015 07:28:00 GMT", .zero),
            ("-5", nil),
            ("soon", nil),
            ("", nil),
        ]
        for (value, expected) in table {
            let parsed = RetryAfter.parse(value, now: now)
            if let expected, let parsed {
                XCTAssertLessThanOrEqual(abs((parsed - expected).components.seconds), 1, value)
            } else {
                XCTAssertEqual(parsed, expected, value)
            }
        }
        XCTAssertNotNil(RetryAfter.parse("99999999999999999999999", now: now), "huge values saturate, then get capped")
    }

    func testInvalidPoliciesAreRefused() {
        XCTAssertThrowsError(try RetryPolicy(delays: [])) { XCTAssertEqual($0 as? RetryPolicyError, .noAttempts) }
        XCTAssertThrowsError(try RetryPolicy(delays: [.zero, .seconds(-1)])) {
            XCTAssertEqual($0 as? RetryPolicyError, .negativeDelay(attempt: 2))
        }
        XCTAssertThrowsError(try RetryPolicy(delays: Array(repeating: .zero, count: 101))) {
            XCTAssertEqual($0 as? RetryPolicyError, .tooManyAttempts(101))
        }
    }
}
