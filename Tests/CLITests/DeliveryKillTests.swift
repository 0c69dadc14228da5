import Foundation
import XCTest
import SimpulTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Goal (issue 5 kill test, RELIABILITY D2 and S2): `simpul serve` is SIGKILLed during a
/// delivery run of 5,000 events and restarted; at the receiver — Python's
/// `standardwebhooks` verifying every signature and Python's `cloudevents` SDK parsing
/// every body — every event arrives at least once, none is missing (distinct ids), and
/// the re-sends stay within the unsettled window of each kill.
final class DeliveryKillTests: XCTestCase {
    static let events = 5_000
    static let kills = ProcessInfo.processInfo.environment["SIMPUL_SOAK"] == nil ? 5 : 20
    /// Events a crash may resend per kill: the read-ahead past the durable cursor (four
    /// windows of DeliverySettings.windowMin).
    static let windowMax = 4 * 256

    func testEveryEventReachesTheReceiverThroughKillNine() throws {
        guard Self.pythonHasOracles() else {
            throw XCTSkip("python3 lacks standardwebhooks or cloudevents (make test installs them from PyPI)")
        }
        let directory = try TemporaryDirectory("delivery-kill")
        defer { directory.remove() }
        let seed = UInt64.random(in: 1...UInt64.max / 2)
        var random = SeededRandom(seed: seed)
        let port = ServeProcess.fixedPort(seed: seed)
        let secret = "whsec_" + Data((0..<32).map { _ in UInt8.random(in: 0...255, using: &random) }).base64EncodedString()
        let receivedPath = directory.path + "/received.txt"
        let (receiver, receiverPort) = try startReceiver(secret: secret, out: receivedPath)
        defer { receiver.terminate() }

        var server = try ServeProcess.start(directory: directory, port: port, extra: ["--allow-private-networks"])
        let admin = try ServeProcess.adminToken(directory)
        let subscription = """
            {"name":"kill-sink","topics":["city.business.business"],"url":"http://127.0.0.1:\(receiverPort)/hook",
             "secret":"\(secret)","maxInFlight":16,"retry":{"delaysMs":[0,100,200,400,800,1000,1000,1000,1000,1000]}}
            """
        let created = try ServeProcess.request(port: port, "POST", "/v1/subscriptions", token: admin, body: subscription)
        XCTAssertEqual(created?.status, 201, created?.bodyText ?? "no answer")

        var published: [String] = []
        for batch in 0..<(Self.events / 100) {
            let ids = (0..<100).map { "kill-\(seed)-\(batch)-\($0)" }
            let body = "[" + ids.map(Self.businessEvent).joined(separator: ",") + "]"
            let response = try ServeProcess.request(port: port, "POST", "/v1/events", token: admin, body: body,
                                                    contentType: "application/cloudevents-batch+json")
            XCTAssertEqual(response?.status, 202, response?.bodyText.prefix(300).description ?? "no answer")
            published += ids
        }
        for _ in 0..<Self.kills {
            usleep(UInt32.random(in: 50_000...400_000, using: &random))
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
            server = try ServeProcess.start(directory: directory, port: port, extra: ["--allow-private-networks"])
        }

        let deadline = Date().addingTimeInterval(90)
        var lines: [String] = []
        repeat {
            usleep(200_000)
            lines = ((try? String(contentsOfFile: receivedPath, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        } while Set(lines.map { $0.split(separator: " ").last.map(String.init) ?? "" }).isSuperset(of: published) == false
            && Date() < deadline
        let rejected = lines.filter { $0.hasPrefix("REJECTED") }
        XCTAssertEqual(rejected, [], "the independent receiver refused deliveries (seed \(seed))")
        let received = lines.compactMap { $0.split(separator: " ").last.map(String.init) }
        let missing = Set(published).subtracting(received)
        XCTAssertEqual(missing.count, 0, "events never delivered (seed \(seed)): \(missing.prefix(5))")
        let resent = received.count - Set(received).count
        print("delivery kill test: \(received.count) receipts, \(Set(received).count) distinct, \(resent) re-sent over \(Self.kills) kills")
        XCTAssertLessThanOrEqual(resent, Self.kills * Self.windowMax, "re-sends beyond the unsettled windows (seed \(seed))")
        kill(server.processIdentifier, SIGTERM)
        server.waitUntilExit()
        XCTAssertEqual(server.terminationStatus, 0)
    }

    static func businessEvent(_ id: String) -> String {
        #"{"specversion":"1.0","id":"\#(id)","source":"/test/oss","type":"city.business.business.upserted","#
            + #""dataschema":"schemas/business.v1.json","subject":"business/\#(id)","#
            + #""data":{"nib":"9120001234567","name":"CV Uji \#(id)","kbli":[{"code":"47111","title":"Perdagangan eceran"}]}}"#
    }

    static func pythonHasOracles() -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import standardwebhooks, cloudevents"]
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    private func startReceiver(secret: String, out: String) throws -> (Process, Int) {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Support/oracle_receiver.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, "--secret", secret, "--out", out]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let line = String(decoding: pipe.fileHandleForReading.availableData, as: UTF8.self)
        guard let port = Int(line.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "port ", with: "")) else {
            process.terminate()
            throw RawHTTPClient.Failure(description: "the Python receiver did not start: \(line)")
        }
        return (process, port)
    }
}
