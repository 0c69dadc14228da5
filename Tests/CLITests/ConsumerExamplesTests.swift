import Foundation
import XCTest
import SimpulDelivery
import SimpulTestSupport

/// Goal (issue 7): the receiver examples of `docs/consumers.md` work as printed. Each one —
/// Python, PHP and Java, run from its file under `docs/examples/consumers/` — stores every
/// event a live `simpul serve --allow-private-networks` delivers to it (the e-office sample,
/// published with the eoffice publisher token), refuses a tampered body, a foreign secret
/// and a timestamp more than 300 s away, stores a re-sent event once, and during a secret
/// rotation accepts either secret it was given. The document
/// shows each file exactly as it is.
final class ConsumerExamplesTests: XCTestCase {
    func testPythonReceiverVerifiesAndStoresEveryDelivery() throws { try exercise(.python) }
    func testPHPReceiverVerifiesAndStoresEveryDelivery() throws { try exercise(.php) }
    func testJavaReceiverVerifiesAndStoresEveryDelivery() throws { try exercise(.java) }

    func testConsumersDocumentShowsEachExampleAsItIs() throws {
        let document = try String(contentsOfFile: RepositoryPaths.root() + "/docs/consumers.md", encoding: .utf8)
        for example in ConsumerExample.all {
            let text = try String(contentsOfFile: example.path, encoding: .utf8)
            XCTAssertTrue(document.contains("docs/examples/consumers/\(example.file)"), "docs/consumers.md never names \(example.file)")
            XCTAssertTrue(document.contains("```\(example.fence)\n\(text)```\n"),
                          "docs/consumers.md does not show docs/examples/consumers/\(example.file) as it is: copy the file into its ```\(example.fence) block")
        }
        // The Standard Webhooks test vector the document offers: Simpul's signer agrees with it.
        let vector = try WebhookSigner(secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
            .sign(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1614265330, body: Array(#"{"test": 2432232314}"#.utf8))
        XCTAssertEqual(vector, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        XCTAssertTrue(document.contains("`\(vector)`"), "docs/consumers.md shows another test vector signature")
    }

    private func exercise(_ example: ConsumerExample) throws {
        guard example.runtimeIsInstalled else {
            throw XCTSkip("\(example.runtime) is not installed (Debian package \(example.debianPackage); `make test` installs it)")
        }
        let server = try LiveServer(label: "consumers-\(example.fence)", arguments: ["--allow-private-networks"])
        defer { server.stop() }
        // The receiver accepts two secrets, as it does while a subscription's secret is rotated.
        let secret = try WebhookSigner.generateSecret(), previousSecret = try WebhookSigner.generateSecret()
        let receiver = try RunningReceiver(example, secret: secret + " " + previousSecret, directory: server.directory)
        defer { receiver.stop() }

        let admin = try server.adminToken
        let subscription = """
            {"name":"\(example.fence)-receiver","owner":"Test agency","topics":["city.correspondence.letter"],
             "url":"http://127.0.0.1:\(receiver.port)/simpul","secret":"\(secret)","retry":{"delaysMs":[0,200,500,1000,2000]}}
            """
        let created = try ServeProcess.request(port: server.port, "POST", "/v1/subscriptions", token: admin, body: subscription)
        XCTAssertEqual(created?.status, 201, created?.bodyText ?? "no answer")

        let ids = try publishEOfficeSample(server)
        XCTAssertEqual(ids.count, 2, "the e-office sample holds two letters")
        let stored = receiver.waitForIDs(Set(ids))
        XCTAssertEqual(stored.sorted(), ids.sorted(), "each delivered letter stored once; receiver log:\n\(receiver.log)")

        let signer = try WebhookSigner(secret: secret)
        let stranger = try WebhookSigner(secret: WebhookSigner.generateSecret())
        let id = "probe-\(example.fence)-\(UInt64.random(in: 1...UInt64.max))"
        let body = Array(#"{"specversion":"1.0","id":"\#(id)","source":"/test","type":"city.correspondence.letter.registered","data":{}}"#.utf8)
        let tampered = Array(String(decoding: body, as: UTF8.self).replacingOccurrences(of: "registered", with: "withdrawn").utf8)
        // Timestamps are taken when each request is sent; the skew ones are well past the 300 s
        // tolerance (320 s), so a second spent between two requests cannot decide the outcome.
        func now() -> Int64 { Int64(Date().timeIntervalSince1970) }
        let refusals: [(reason: String, body: [UInt8], skewSeconds: Int64, sign: (Int64) -> String)] = [
            ("its body changed after signing", tampered, 0, { signer.sign(id: id, timestamp: $0, body: body) }),
            ("another secret's signature", body, 0, { stranger.sign(id: id, timestamp: $0, body: body) }),
            ("a timestamp 320 s old", body, -320, { signer.sign(id: id, timestamp: $0, body: body) }),
            ("a timestamp 320 s ahead", body, 320, { signer.sign(id: id, timestamp: $0, body: body) }),
            ("no signature", body, 0, { _ in "" }),
        ]
        for refusal in refusals {
            let timestamp = now() + refusal.skewSeconds
            let status = try receiver.post(body: refusal.body, id: id, timestamp: timestamp, signature: refusal.sign(timestamp))
            XCTAssertEqual(status, 401, "\(example.file) accepted a request with \(refusal.reason)")
        }
        XCTAssertEqual(receiver.receivedIDs.sorted(), ids.sorted(), "a refused request was stored")

        // The same request correctly signed is accepted (the refusals were about the forgery),
        // and sent again it is acknowledged but stored once.
        let sent = now()
        let genuine = signer.sign(id: id, timestamp: sent, body: body)
        XCTAssertEqual(try receiver.post(body: body, id: id, timestamp: sent, signature: genuine), 204, receiver.log)
        XCTAssertEqual(try receiver.post(body: body, id: id, timestamp: sent, signature: "v1,bm90IGl0 " + genuine), 204, receiver.log)
        XCTAssertEqual(receiver.receivedIDs.sorted(), (ids + [id]).sorted(), "a re-sent event was stored twice")
        let rotatedID = id + "-previous-secret"
        // Signed with the second secret, two minutes ago (within the tolerance).
        let signedEarlier = now() - 120
        let previous = try WebhookSigner(secret: previousSecret).sign(id: rotatedID, timestamp: signedEarlier, body: body)
        XCTAssertEqual(try receiver.post(body: body, id: rotatedID, timestamp: signedEarlier, signature: previous), 204,
                       "the second secret in WEBHOOK_SECRET (or a 120 s old timestamp) was not accepted: \(receiver.log)")
        XCTAssertEqual(receiver.receivedIDs.sorted(), (ids + [id, rotatedID]).sorted())
        XCTAssertEqual(receiver.log.components(separatedBy: "refused").count - 1, refusals.count,
                       "the receiver refused something besides the forged requests (one of Simpul's deliveries?):\n\(receiver.log)")
    }

    /// Publishes `adapters/eoffice/samples/valid-list.xml` with the eoffice publisher token; the event ids.
    private func publishEOfficeSample(_ server: LiveServer) throws -> [String] {
        let tokens = try String(contentsOfFile: server.tokenFile, encoding: .utf8).jsonObject
        let publisher = try XCTUnwrap((tokens["publishers"] as? [String: Any])?["eoffice"] as? String, "no eoffice publisher token")
        let sample = String(decoding: try RepositoryPaths.sample("eoffice", "valid-list.xml"), as: UTF8.self)
        let answer = try ServeProcess.request(port: server.port, "POST", "/v1/sources/eoffice/records", token: publisher,
                                              body: sample, contentType: "application/xml")
        XCTAssertEqual(answer?.status, 202, answer?.bodyText ?? "no answer")
        let records = (answer?.bodyText.jsonObject["records"] as? [[String: Any]]) ?? []
        return records.compactMap { $0["id"] as? String }
    }
}
