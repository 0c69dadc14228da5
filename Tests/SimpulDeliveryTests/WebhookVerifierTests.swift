import XCTest
@testable import SimpulDelivery

/// Goal (RELIABILITY.md S2, receiver side): timestamp skew over 300 s is rejected, both the
/// old and the new secret verify during rotation, and each failure says which check failed.
final class WebhookVerifierTests: XCTestCase {
    private let now: Int64 = 1_700_000_000
    private let body = Array(#"{"type":"id.go.bandung.perizinan.v1"}"#.utf8)

    private func headers(_ signer: WebhookSigner, timestamp: Int64) -> [String: String] {
        Dictionary(signer.headers(id: "evt_9", timestamp: timestamp, body: body).map { ($0.name.uppercased(), $0.value) },
                   uniquingKeysWith: { first, _ in first })
    }

    func testSkewToleranceIsThreeHundredSeconds() throws {
        let secret = try WebhookSigner.generateSecret()
        let signer = try WebhookSigner(secret: secret)
        let verifier = try WebhookVerifier(secrets: [secret])
        for offset: Int64 in [-300, -1, 0, 1, 300] {
            XCTAssertNoThrow(try verifier.verify(headers: headers(signer, timestamp: now + offset), body: body, now: now))
        }
        for offset: Int64 in [-301, 301, -86_400] {
            XCTAssertThrowsError(try verifier.verify(headers: headers(signer, timestamp: now + offset), body: body, now: now)) {
                guard case .timestampOutOfTolerance = $0 as? WebhookVerificationError else { return XCTFail("\($0)") }
            }
        }
    }

    func testBothSecretsVerifyDuringRotation() throws {
        let old = try WebhookSigner.generateSecret(), new = try WebhookSigner.generateSecret()
        let verifier = try WebhookVerifier(secrets: [old, new])
        XCTAssertNoThrow(try verifier.verify(headers: headers(try WebhookSigner(secret: old), timestamp: now), body: body, now: now))
        XCTAssertNoThrow(try verifier.verify(headers: headers(try WebhookSigner(secret: new), timestamp: now), body: body, now: now))
        let stranger = try WebhookSigner(secret: WebhookSigner.generateSecret())
        XCTAssertThrowsError(try verifier.verify(headers: headers(stranger, timestamp: now), body: body, now: now)) {
            XCTAssertEqual($0 as? WebhookVerificationError, .signatureMismatch)
        }
    }

    func testMissingAndMalformedHeaders() throws {
        let secret = try WebhookSigner.generateSecret()
        let verifier = try WebhookVerifier(secrets: [secret])
        let complete = headers(try WebhookSigner(secret: secret), timestamp: now)
        for name in ["WEBHOOK-ID", "WEBHOOK-TIMESTAMP", "WEBHOOK-SIGNATURE"] {
            var partial = complete
            partial[name] = nil
            XCTAssertThrowsError(try verifier.verify(headers: partial, body: body, now: now)) {
                XCTAssertEqual($0 as? WebhookVerificationError, .missingHeader(name.lowercased()))
            }
        }
        var bad = complete
        bad["WEBHOOK-TIMESTAMP"] = "yesterday"
        XCTAssertThrowsError(try verifier.verify(headers: bad, body: body, now: now)) {
            XCTAssertEqual($0 as? WebhookVerificationError, .invalidTimestamp("yesterday"))
        }
        XCTAssertThrowsError(try WebhookVerifier(secrets: []))
    }
}
