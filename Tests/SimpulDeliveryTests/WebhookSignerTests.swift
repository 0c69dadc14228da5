import Foundation
import XCTest
@testable import SimpulDelivery

/// Goal (RELIABILITY.md S2): signatures are Standard Webhooks signatures — they verify with
/// an independent oracle (Python's `hmac`), and any change of body, id or timestamp breaks them.
final class WebhookSignerTests: XCTestCase {
    /// The test vector published with the Standard Webhooks reference libraries.
    func testStandardWebhooksReferenceVector() throws {
        let signer = try WebhookSigner(secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let signature = signer.sign(
            id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330,
            body: Array(#"{"test": 2432232314}"#.utf8))
        XCTAssertEqual(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    func testMalformedSecretsAreRefusedWithTypedErrors() {
        let table: [(String, WebhookSecretError)] = [
            ("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", .missingPrefix),
            ("whsec_not base64!!", .invalidBase64),
            ("whsec_", .emptyKey),
        ]
        for (secret, expected) in table {
            XCTAssertThrowsError(try WebhookSigner(secret: secret), secret) { error in
                XCTAssertEqual(error as? WebhookSecretError, expected, secret)
                XCTAssertTrue("\(error)".contains("whsec_"), "the message says what a secret looks like")
            }
        }
    }

    func testGeneratedSecretsAreThirtyTwoRandomBytes() throws {
        let first = try WebhookSigner.generateSecret()
        let second = try WebhookSigner.generateSecret()
        XCTAssertNotEqual(first, second)
        XCTAssertTrue(first.hasPrefix("whsec_"))
        XCTAssertEqual(Data(base64Encoded: String(first.dropFirst(6)))?.count, 32)
        XCTAssertNoThrow(try WebhookSigner(secret: first))
    }

    func testHeadersCarryIdTimestampAndSignature() throws {
        let signer = try WebhookSigner(secret: WebhookSigner.generateSecret())
        let headers = signer.headers(id: "evt_1", timestamp: 1_700_000_000, body: Array("{}".utf8))
        XCTAssertEqual(headers.map(\.name), ["webhook-id", "webhook-timestamp", "webhook-signature"])
        XCTAssertEqual(headers[0].value, "evt_1")
        XCTAssertEqual(headers[1].value, "1700000000")
        XCTAssertTrue(signer.verify(id: "evt_1", timestamp: 1_700_000_000, body: Array("{}".utf8),
                                    signatureHeader: "v1,bogus " + headers[2].value))
    }

    /// 200 seeded random cases, non-ASCII bodies included, signed here and by Python.
    func testSignaturesMatchPythonHmacOracle() throws {
        let seed: UInt64 = 0x5EED_0002
        var random = SeededRandom(seed: seed)
        let alphabet = Array("abc{}\":, 0123 éß日本語🙂\u{0}\n".unicodeScalars)
        var cases: [(secret: String, id: String, timestamp: Int64, body: [UInt8])] = []
        for index in 0..<200 {
            let keyBytes = (0..<Int.random(in: 1...64, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            var body = String.UnicodeScalarView()
            for _ in 0..<Int.random(in: 0...300, using: &random) { body.append(alphabet.randomElement(using: &random) ?? "a") }
            cases.append(("whsec_" + Data(keyBytes).base64EncodedString(), "msg_\(index)_\(random.next())",
                          Int64.random(in: 0...4_000_000_000, using: &random), Array(String(body).utf8)))
        }
        let input = cases.map { "\($0.secret) \($0.id) \($0.timestamp) \(Data($0.body).base64EncodedString())" }
            .joined(separator: "\n")
        let script = """
        import sys, hmac, hashlib, base64
        for line in sys.stdin.read().splitlines():
            secret, msg_id, ts, body = line.split(" ")
            key = base64.b64decode(secret[len("whsec_"):])
            content = msg_id.encode() + b"." + ts.encode() + b"." + base64.b64decode(body)
            print("v1," + base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode())
        """
        let expected = try PythonOracle.run(script: script, input: Data(input.utf8)).split(separator: "\n")
        XCTAssertEqual(expected.count, cases.count, "seed \(seed)")
        for (item, oracle) in zip(cases, expected) {
            let signer = try WebhookSigner(secret: item.secret)
            XCTAssertEqual(signer.sign(id: item.id, timestamp: item.timestamp, body: item.body), String(oracle),
                           "seed \(seed), id \(item.id)")
            XCTAssertTrue(signer.verify(id: item.id, timestamp: item.timestamp, body: item.body,
                                        signatureHeader: String(oracle)))
            var changedBody = item.body
            if changedBody.isEmpty { changedBody = [0x20] } else { changedBody[changedBody.count / 2] ^= 0x01 }
            XCTAssertFalse(signer.verify(id: item.id, timestamp: item.timestamp, body: changedBody,
                                         signatureHeader: String(oracle)), "body change, seed \(seed)")
            XCTAssertFalse(signer.verify(id: item.id + "x", timestamp: item.timestamp, body: item.body,
                                         signatureHeader: String(oracle)), "id change, seed \(seed)")
            XCTAssertFalse(signer.verify(id: item.id, timestamp: item.timestamp + 1, body: item.body,
                                         signatureHeader: String(oracle)), "timestamp change, seed \(seed)")
        }
    }
}
