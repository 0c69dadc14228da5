import Foundation
import XCTest
import SimpulLog
import SimpulTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Goal (issue 4 kill test): a client publishes over HTTP and records every 202; `simpul
/// serve` is SIGKILLed at random moments; after each restart every acknowledged event is
/// readable with the same id and offset.
final class ServeKillTests: XCTestCase {
    static let rounds = ProcessInfo.processInfo.environment["SIMPUL_SOAK"] == nil ? 10 : 200

    func testEveryAcknowledgedPublishSurvivesKillNine() throws {
        let directory = try TemporaryDirectory("serve-kill")
        defer { directory.remove() }
        let seed = UInt64.random(in: 1...UInt64.max / 2)
        var random = SeededRandom(seed: seed)
        let port = ServeProcess.fixedPort(seed: seed)
        var acknowledged: [(id: String, topic: String, offset: Int)] = []
        var server = try ServeProcess.start(directory: directory, port: port)
        let admin = try ServeProcess.adminToken(directory)
        for round in 1...Self.rounds {
            let deadline = Date().addingTimeInterval(Double(Int.random(in: 100...600, using: &random)) / 1000)
            var sent = 0
            while Date() < deadline {
                sent += 1
                let body = Array(personCSV(round: round, sequence: sent).utf8)
                guard let client = try? RawHTTPClient(port: port, readTimeoutSeconds: 5),
                      let response = client.request("POST", "/v1/sources/population/records",
                                                    headers: [("Authorization", "Bearer \(admin)"), ("Content-Type", "text/csv")],
                                                    body: body),
                      response.status == 202,
                      let document = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
                      let record = (document["records"] as? [[String: Any]])?.first,
                      let id = record["id"] as? String, let topic = record["topic"] as? String,
                      let offset = record["offset"] as? Int else { continue }
                acknowledged.append((id, topic, offset))
            }
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
            server = try ServeProcess.start(directory: directory, port: port)
            for ack in acknowledged {
                guard let client = try? RawHTTPClient(port: port, readTimeoutSeconds: 5),
                      let response = client.request("GET", "/v1/topics/\(ack.topic)/events?from=\(ack.offset)&limit=1",
                                                    headers: [("Authorization", "Bearer \(admin)")]) else {
                    return XCTFail("round \(round): no answer after restart (seed \(seed))")
                }
                guard response.bodyText.contains("\"offset\":\(ack.offset),\"event\":{\"specversion\":\"1.0\",\"id\":\"\(ack.id)\"") else {
                    return XCTFail("round \(round): acknowledged \(ack.id) at offset \(ack.offset) is missing (seed \(seed)): \(response.bodyText.prefix(300))")
                }
            }
        }
        XCTAssertGreaterThan(acknowledged.count, Self.rounds, "too few publishes were acknowledged to mean anything")
        kill(server.processIdentifier, SIGTERM)
        server.waitUntilExit()
        XCTAssertEqual(server.terminationStatus, 0)
    }

    /// A one-person SIAK export whose NIK and name are unique to (round, sequence).
    private func personCSV(round: Int, sequence: Int) -> String {
        let serial = String(format: "%04d", (round * 997 + sequence) % 9999 + 1)
        return "NIK;NO_KK;NAMA_LENGKAP;TMPT_LHR;TGL_LHR;JENIS_KLMIN;AGAMA;STATUS_KAWIN;JENIS_PKRJN;ALAMAT;NO_RT;NO_RW;NO_KEL;KEL_NAME;NO_KEC;KEC_NAME;NO_KAB;KAB_NAME;NO_PROP;PROP_NAME\n"
            + "647101120390\(serial);6471010101200001;WARGA \(round)-\(sequence);BALIKPAPAN;12-03-1990;LAKI-LAKI;ISLAM;KAWIN;PEDAGANG;JL. A;005;002;1001;MANGGAR;01;BALIKPAPAN TIMUR;71;KOTA BALIKPAPAN;64;KALIMANTAN TIMUR\n"
    }
}
