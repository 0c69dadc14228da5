import Foundation
import SimpulLog
import SimpulTestSupport
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Goal (issue 7, backup): `simpul backup --to DIR` asks a running server for a consistent
/// copy while publishers keep publishing; `simpul restore` brings it back as a new data
/// directory that `simpul log verify` finds clean; a new server on it serves every event up
/// to the backup's offsets with the same ids at the same offsets, knows the same tokens and
/// still refuses duplicates; an offline backup is refused while a server holds the data.
final class BackupRestoreTests: XCTestCase {
    final class Acknowledged: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [(id: String, offset: Int, body: [UInt8])] = []
        func add(_ item: (id: String, offset: Int, body: [UInt8])) { lock.lock(); items.append(item); lock.unlock() }
        var all: [(id: String, offset: Int, body: [UInt8])] { lock.lock(); defer { lock.unlock() }; return items }
    }

    func testBackupOfARunningServerRestoresIntoANewServerWithEveryEvent() throws {
        let directory = try TemporaryDirectory("backup-e2e")
        defer { directory.remove() }
        let port = 24_000 + Int.random(in: 0..<2000)
        let server = try startServer(data: directory.path + "/data", port: port, tokenFile: directory.path + "/tokens.json")
        defer { if server.isRunning { server.terminate(); server.waitUntilExit() } }
        let tokens = try XCTUnwrap(try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: directory.path + "/tokens.json"))) as? [String: Any])
        let admin = try XCTUnwrap(tokens["admin"] as? String)
        let publisher = try XCTUnwrap((tokens["publishers"] as? [String: String])?["population"])

        let acknowledged = Acknowledged()
        let stop = Locked(false)
        @Sendable func publish(_ sequence: Int) {
            let body = Array(Self.personCSV(sequence).utf8)
            guard let response = try? RawHTTPClient(port: port).request(
                    "POST", "/v1/sources/population/records",
                    headers: [("Authorization", "Bearer \(publisher)"), ("Content-Type", "text/csv")], body: body),
                  response.status == 202,
                  let document = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
                  let record = (document["records"] as? [[String: Any]])?.first,
                  let id = record["id"] as? String, let offset = record["offset"] as? Int else { return }
            acknowledged.add((id, offset, body))
        }
        for sequence in 0..<40 { publish(sequence) }
        let before = acknowledged.all
        XCTAssertEqual(before.count, 40)
        let publishing = Thread {
            var sequence = 1000
            while !stop.withLock({ $0 }) && sequence < 3000 { publish(sequence); sequence += 1 }
        }
        publishing.start()
        usleep(100_000)

        // A name: the server writes it inside its backups folder (beside the data directory here).
        let backup = directory.path + "/backups/nightly"
        let made = try runCommand(Products.executable("simpul"), ["backup", "--to", "nightly", "--server", "http://127.0.0.1:\(port)",
                                                                  "--token", admin, "--json"])
        XCTAssertEqual(made.status, 0, made.standardError)
        usleep(100_000)
        stop.withLock { $0 = true }
        while publishing.isExecuting { usleep(10_000) }
        let summary = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(made.standardOutput.utf8)) as? [String: Any])
        let partitions = try XCTUnwrap(summary["partitions"] as? [[String: Any]])
        let range = try XCTUnwrap(partitions.first { $0["path"] as? String == "topics/city.population.person/0" })
        let end = try XCTUnwrap(range["endOffset"] as? Int)
        XCTAssertTrue(partitions.contains { $0["path"] as? String == "journals/idempotency" }, "journals are in the backup")
        XCTAssertGreaterThanOrEqual(end, before.count, "everything acknowledged before the backup is in it")
        XCTAssertGreaterThan(acknowledged.all.count, end, "publishing went on during and after the backup")

        XCTAssertEqual(summary["to"] as? String, backup)
        let outside = try runCommand(Products.executable("simpul"), ["backup", "--to", directory.path + "/elsewhere/../../x",
                                                                     "--server", "http://127.0.0.1:\(port)", "--token", admin])
        XCTAssertEqual(outside.status, 1)
        XCTAssertTrue(outside.standardError.contains("backups go under \(directory.path)/backups"), outside.standardError)

        let offline = try runCommand(Products.executable("simpul"), ["backup", "--to", directory.path + "/offline",
                                                                     "--data-dir", directory.path + "/data"])
        XCTAssertEqual(offline.status, 1)
        XCTAssertTrue(offline.standardError.contains("is in use by another Simpul process (pid \(server.processIdentifier))"),
                      offline.standardError)

        let restored = directory.path + "/restored"
        let restore = try runCommand(Products.executable("simpul"), ["restore", "--from", backup, "--data-dir", restored])
        XCTAssertEqual(restore.status, 0, restore.standardError)
        XCTAssertTrue(restore.standardOutput.contains("records checked: clean"), restore.standardOutput)
        let verify = try runCommand(Products.executable("simpul"), ["log", "verify", "--data-dir", restored])
        XCTAssertEqual(verify.status, 0, verify.standardOutput)

        let newPort = port + 2000
        let copy = try startServer(data: restored, port: newPort, tokenFile: directory.path + "/unused-tokens.json")
        defer { copy.terminate(); copy.waitUntilExit() }
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.path + "/unused-tokens.json"),
                       "the restored server knows its tokens: no first start")
        let original = try readEvents(port: port, token: admin, count: end)
        let back = try readEvents(port: newPort, token: admin, count: end)
        XCTAssertEqual(back.count, end)
        XCTAssertEqual(back.map(\.id), original.map(\.id), "the same ids at the same offsets")
        for ack in acknowledged.all where ack.offset < end {
            XCTAssertEqual(back[ack.offset].id, ack.id, "acknowledged \(ack.id) at \(ack.offset)")
        }
        let first = try XCTUnwrap(before.first)
        let again = try RawHTTPClient(port: newPort).request(
            "POST", "/v1/sources/population/records",
            headers: [("Authorization", "Bearer \(publisher)"), ("Content-Type", "text/csv")], body: first.body)
        XCTAssertEqual(again?.status, 200, "the restored server still knows the event: a duplicate, not a new append")
        XCTAssertTrue(again?.bodyText.contains(first.id) ?? false)
    }

    private func readEvents(port: Int, token: String, count: Int) throws -> [(offset: Int, id: String)] {
        var events: [(offset: Int, id: String)] = []
        while events.count < count {
            let response = try XCTUnwrap(try RawHTTPClient(port: port).request(
                "GET", "/v1/topics/city.population.person/events?from=\(events.count)&limit=\(min(1000, count - events.count))",
                headers: [("Authorization", "Bearer \(token)")]))
            XCTAssertEqual(response.status, 200, response.bodyText)
            let page = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
            let records = try XCTUnwrap(page["records"] as? [[String: Any]])
            guard !records.isEmpty else { break }
            for record in records {
                let event = try XCTUnwrap(record["event"] as? [String: Any])
                events.append((try XCTUnwrap(record["offset"] as? Int), try XCTUnwrap(event["id"] as? String)))
            }
        }
        return events
    }

    private static func personCSV(_ sequence: Int) -> String {
        let serial = String(format: "%04d", sequence % 9999 + 1)
        return "NIK;NO_KK;NAMA_LENGKAP;TMPT_LHR;TGL_LHR;JENIS_KLMIN;AGAMA;STATUS_KAWIN;JENIS_PKRJN;ALAMAT;NO_RT;NO_RW;NO_KEL;KEL_NAME;NO_KEC;KEC_NAME;NO_KAB;KAB_NAME;NO_PROP;PROP_NAME\n"
            + "647101120390\(serial);6471010101200001;WARGA \(sequence);BALIKPAPAN;12-03-1990;LAKI-LAKI;ISLAM;KAWIN;PEDAGANG;JL. A;005;002;1001;MANGGAR;01;BALIKPAPAN TIMUR;71;KOTA BALIKPAPAN;64;KALIMANTAN TIMUR\n"
    }

    private func startServer(data: String, port: Int, tokenFile: String) throws -> Process {
        try ServeProcess.start(dataDirectory: data, tokenFile: tokenFile, log: data + ".serve.log", port: port)
    }
}
