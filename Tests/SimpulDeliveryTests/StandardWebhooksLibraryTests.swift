import Foundation
import XCTest
@testable import SimpulDelivery

/// Goal (issue 5, S2): the reference Python library `standardwebhooks` (PyPI) — a receiver
/// that is not our code — accepts our headers for seeded random bodies and rejects a
/// changed body. Skipped when the library is not installed; point `SIMPUL_TEST_PYTHON` at
/// an interpreter that has it (`python3 -m venv v && v/bin/pip install standardwebhooks`).
final class StandardWebhooksLibraryTests: XCTestCase {
    func testReferenceLibraryVerifiesOurSignatures() throws {
        try XCTSkipUnless(PythonOracle.hasModule("standardwebhooks"),
                          "standardwebhooks not importable by \(PythonOracle.interpreter)")
        let seed: UInt64 = 0x5717
        var random = SeededRandom(seed: seed)
        let secret = try WebhookSigner.generateSecret()
        let signer = try WebhookSigner(secret: secret)
        let now = Int64(Date().timeIntervalSince1970)
        var lines: [String] = []
        for index in 0..<50 {
            let text = String((0..<Int.random(in: 1...200, using: &random)).map { _ in
                ["a", "é", "日", "🙂", "\"", " "].randomElement(using: &random) ?? "a"
            })
            let body = Array(#"{"n":\#(index),"s":"\#(text)"}"#.utf8)
            let headers = signer.headers(id: "evt_\(index)", timestamp: now, body: body)
            lines.append(([Data(body).base64EncodedString()] + headers.map(\.value)).joined(separator: " "))
        }
        let script = """
        import sys, base64, standardwebhooks
        wh = standardwebhooks.Webhook(sys.argv[1] if len(sys.argv) > 1 else "\(secret)")
        for line in sys.stdin.read().splitlines():
            body, msg_id, ts, sig = line.split(" ")
            headers = {"webhook-id": msg_id, "webhook-timestamp": ts, "webhook-signature": sig}
            raw = base64.b64decode(body)
            wh.verify(raw, headers, json_parse=False)
            try:
                wh.verify(raw + b" ", headers, json_parse=False)
                print("tampered body accepted")
            except Exception:
                print("ok")
        """
        let output = try PythonOracle.run(script: script, input: Data(lines.joined(separator: "\n").utf8))
        XCTAssertEqual(output.split(separator: "\n"), Array(repeating: "ok", count: 50), "seed \(seed)")
    }
}
