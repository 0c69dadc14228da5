import Foundation
import SimpulTestSupport
import XCTest

/// Publishing, idempotency and quarantine, over HTTP.
extension BusBehaviour {
    /// A bundled adapter's sample is appended record by record: 202 with the counts and, per
    /// record, its 1-based position, id, topic, partition and consecutive offsets.
    func sampleIsPublishedWithPerRecordResults() async throws {
        try await withNode { node in
            let response = try publish(node, "population", try RepositoryPaths.sample("population", "valid.csv"),
                                       fileName: "valid.csv")
            XCTAssertEqual(response.status, 202, response.bodyText)
            let body = json(response)
            XCTAssertEqual(body["published"] as? Int, 4, response.bodyText)
            XCTAssertEqual(body["duplicates"] as? Int, 0)
            XCTAssertEqual(body["rejected"] as? Int, 0)
            XCTAssertEqual(body["conflicts"] as? Int, 0)
            XCTAssertNil(body["error"], "an accepted publish carries no error")
            let records = self.records(response)
            XCTAssertEqual(records.compactMap { $0["record"] as? Int }, [1, 2, 3, 4])
            XCTAssertEqual(records.compactMap { $0["ok"] as? Bool }, [true, true, true, true])
            XCTAssertEqual(records.compactMap { $0["topic"] as? String }, Array(repeating: Self.personTopic, count: 4))
            XCTAssertEqual(records.compactMap { $0["partition"] as? Int }, [0, 0, 0, 0])
            XCTAssertEqual(records.compactMap { $0["offset"] as? Int }, [0, 1, 2, 3])
            XCTAssertEqual(records.compactMap { $0["duplicate"] as? Bool }, [false, false, false, false])
            XCTAssertEqual(Set(ids(response)).count, 4, "one id per record: \(ids(response))")

            // Another adapter's sample goes to its own topic, which starts at offset 0.
            let permit = try publish(node, "siperietnik", try RepositoryPaths.sample("siperietnik", "valid-single.json"),
                                     fileName: "valid-single.json")
            XCTAssertEqual(permit.status, 202, permit.bodyText)
            let permitTopic = self.records(permit).first?["topic"] as? String
            XCTAssertNotEqual(permitTopic, Self.personTopic)
            XCTAssertEqual(self.records(permit).first?["offset"] as? Int, 0, permit.bodyText)

            let topics = try node.request("GET", "/v1/topics")
            XCTAssertEqual(topics.status, 200)
            let listed = (json(topics)["topics"] as? [[String: Any]] ?? []).first { $0["name"] as? String == Self.personTopic }
            let partitions = listed?["partitions"] as? [[String: Any]] ?? []
            XCTAssertEqual(partitions.compactMap { $0["partition"] as? Int }, [0], topics.bodyText)
            XCTAssertEqual(partitions.first?["startOffset"] as? Int, 0)
            XCTAssertEqual(partitions.first?["endOffset"] as? Int, 4)
        }
    }

    /// The same `Idempotency-Key` again is the duplicate answer (200, same id and offset,
    /// nothing appended); the key with another body is `409 idempotency.conflict`; an export
    /// re-sent without a key is recognised by its derived ids.
    func repeatedPublishIsADuplicateAndAReusedKeyAConflict() async throws {
        try await withNode { node in
            let permit = try RepositoryPaths.sample("siperietnik", "valid-single.json")
            let first = try publish(node, "siperietnik", permit, fileName: "valid-single.json", key: "izin-2026-0001")
            XCTAssertEqual(first.status, 202, first.bodyText)
            XCTAssertEqual(ids(first), ["izin-2026-0001"], "the key is the event id")
            let again = try publish(node, "siperietnik", permit, fileName: "valid-single.json", key: "izin-2026-0001")
            XCTAssertEqual(again.status, 200, again.bodyText)
            XCTAssertEqual(json(again)["published"] as? Int, 0)
            XCTAssertEqual(json(again)["duplicates"] as? Int, 1)
            let original = records(first).first, duplicate = records(again).first
            XCTAssertEqual(duplicate?["duplicate"] as? Bool, true)
            XCTAssertEqual(duplicate?["id"] as? String, "izin-2026-0001")
            XCTAssertEqual(duplicate?["topic"] as? String, original?["topic"] as? String)
            XCTAssertEqual(duplicate?["offset"] as? Int, original?["offset"] as? Int)

            let other = try RepositoryPaths.sample("siperietnik", "valid.json")
            let conflict = try publish(node, "siperietnik", other, fileName: "valid.json", key: "izin-2026-0001")
            XCTAssertEqual(conflict.status, 409, conflict.bodyText)
            XCTAssertEqual(errorCode(conflict), "idempotency.conflict", conflict.bodyText)
            let topic = original?["topic"] as? String ?? "?"
            let stored = try node.request("GET", "/v1/topics/\(topic)/events?from=0")
            XCTAssertEqual(page(stored).ids, ["izin-2026-0001"], "stored once: \(stored.bodyText)")

            let export = try RepositoryPaths.sample("population", "valid.csv")
            let sent = try publish(node, "population", export, fileName: "valid.csv")
            let resent = try publish(node, "population", export, fileName: "valid.csv")
            XCTAssertEqual(sent.status, 202, sent.bodyText)
            XCTAssertEqual(resent.status, 200, resent.bodyText)
            XCTAssertEqual(json(resent)["duplicates"] as? Int, 4)
            XCTAssertEqual(ids(resent), ids(sent))
            XCTAssertEqual(records(resent).compactMap { $0["offset"] as? Int }, [0, 1, 2, 3])
            XCTAssertEqual(page(try read(node, "from=0")).offsets, [0, 1, 2, 3], "nothing appended twice")
        }
    }

    /// Refused records (a bad NIK, a date that does not exist, an unknown marital status)
    /// get `422 records.refused` with field-level reasons and are kept in quarantine with
    /// their raw payload; once the adapter knows the status, a retry turns that record into
    /// an event, while the others stay open.
    func refusedRecordsAreQuarantinedAndRetriedAfterTheAdapterIsFixed() async throws {
        let adapters = try copyOfTheAdapters()
        try await withNode(adapters: adapters) { node in
            let (body, unknownStatus) = try refusedPersons()
            let refused = try publish(node, "population", body, fileName: "export.csv")
            XCTAssertEqual(refused.status, 422, refused.bodyText)
            XCTAssertEqual(errorCode(refused), "records.refused")
            XCTAssertEqual(json(refused)["published"] as? Int, 0)
            XCTAssertEqual(json(refused)["rejected"] as? Int, 3)
            let records = self.records(refused)
            XCTAssertEqual(records.compactMap { $0["ok"] as? Bool }, [false, false, false])
            let codes = records.map { ($0["errors"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String } }
            XCTAssertTrue(codes.first?.contains("nik.format") ?? false, "\(codes)")
            XCTAssertTrue(codes.dropFirst().first?.contains("date.invalid") ?? false, "\(codes)")
            XCTAssertFalse(codes.last?.isEmpty ?? true, "\(codes)")
            let quarantined = records.compactMap { $0["quarantineId"] as? String }
            XCTAssertEqual(quarantined.count, 3, refused.bodyText)

            let open = try node.request("GET", "/v1/quarantine?status=open&source=population")
            XCTAssertEqual(open.status, 200)
            XCTAssertEqual(json(open)["open"] as? Int, 3)
            let listed = json(open)["entries"] as? [[String: Any]] ?? []
            XCTAssertEqual(Set(listed.compactMap { $0["id"] as? String }), Set(quarantined), open.bodyText)
            let statusEntry = try XCTUnwrap(quarantined.last)
            let shown = try node.request("GET", "/v1/quarantine/\(statusEntry)")
            XCTAssertEqual(shown.status, 200, shown.bodyText)
            XCTAssertEqual(json(shown)["status"] as? String, "open")
            XCTAssertEqual(json(shown)["source"] as? String, "population")
            let payload = (json(shown)["payloadBase64"] as? String).flatMap { Data(base64Encoded: $0) }
            XCTAssertTrue(payload.map { String(decoding: $0, as: UTF8.self).contains(unknownStatus) } ?? false,
                          "the raw record is kept: \(shown.bodyText)")

            let stillRefused = try node.request("POST", "/v1/quarantine/\(statusEntry)/retry")
            XCTAssertEqual(stillRefused.status, 200, stillRefused.bodyText)
            XCTAssertEqual(json(stillRefused)["status"] as? String, "open", "the adapter is not fixed yet")

            // The fix: the adapter learns the status; `simpul reload` (SIGHUP) rereads it.
            let adapterFile = adapters + "/population/adapter.json"
            let fixed = try String(contentsOfFile: adapterFile, encoding: .utf8).replacingOccurrences(
                of: "\"KAWIN\": \"married\"", with: "\"KAWIN\": \"married\", \"\(unknownStatus)\": \"married\"")
            try fixed.write(toFile: adapterFile, atomically: true, encoding: .utf8)
            try node.bus.reloadAdapters()

            let resolved = try node.request("POST", "/v1/quarantine/\(statusEntry)/retry")
            XCTAssertEqual(resolved.status, 200, resolved.bodyText)
            XCTAssertEqual(json(resolved)["status"] as? String, "resolved", resolved.bodyText)
            let eventId = try XCTUnwrap(json(resolved)["eventId"] as? String, resolved.bodyText)
            XCTAssertEqual(page(try read(node, "from=0")).ids, [eventId], "the retried record is an event now")
            let nikEntry = try node.request("POST", "/v1/quarantine/\(quarantined[0])/retry")
            XCTAssertEqual(json(nikEntry)["status"] as? String, "open", "a bad NIK stays refused: \(nikEntry.bodyText)")

            let afterwards = try node.request("GET", "/v1/quarantine?status=open")
            XCTAssertEqual(json(afterwards)["open"] as? Int, 2)
            XCTAssertEqual(Set((json(afterwards)["entries"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }),
                           Set(quarantined.dropLast()))
            let retriedAgain = try node.request("POST", "/v1/quarantine/\(statusEntry)/retry")
            XCTAssertEqual(json(retriedAgain)["eventId"] as? String, eventId)
            XCTAssertEqual(page(try read(node, "from=0")).ids, [eventId], "a resolved entry is not published twice")
        }
    }
}
