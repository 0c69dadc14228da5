import Foundation
import SimpulTestSupport
import XCTest

/// Subscriptions, the dead-letter queue and replay, over HTTP, to a receiver on 127.0.0.1.
extension BusBehaviour {
    /// `POST /v1/subscriptions` with short retry delays to the sink at `path`.
    private func subscribe(_ node: ServedBus, _ name: String, sink: DeliverySink, path: String) throws {
        let body = #"{"name":"\#(name)","topics":["\#(Self.personTopic)"],"url":"\#(sink.url(path: path))","#
            + #""retry":{"delaysMs":[0,100]}}"#
        let created = try node.request("POST", "/v1/subscriptions", body: Array(body.utf8))
        XCTAssertEqual(created.status, 201, created.bodyText)
    }

    /// A subscription receives the events published after it was created, each once, as
    /// the CloudEvent with `Idempotency-Key` and `webhook-id` equal to the event id and a
    /// Standard Webhooks signature; its state counts them delivered, with no lag.
    func subscriptionDeliversEachNewEventOnce() async throws {
        let sink = try DeliverySink()
        defer { sink.shutdown() }
        try await withNode { node in
            XCTAssertEqual(try publish(node, "population", try persons(1...2), fileName: "before.csv").status, 202)
            try subscribe(node, "portal", sink: sink, path: "/hook")
            let published = try publish(node, "population", try persons(3...6), fileName: "after.csv")
            XCTAssertEqual(published.status, 202, published.bodyText)
            let ids = Set(self.ids(published))
            XCTAssertEqual(ids.count, 4)

            let delivered = await sink.waitUntil(timeout: .seconds(15)) { $0.distinctWebhookIDs.isSuperset(of: ids) }
            XCTAssertTrue(delivered, "delivered: \(sink.distinctWebhookIDs.sorted())")
            // In one partition the earlier events would have come first: none did.
            XCTAssertEqual(sink.distinctWebhookIDs, ids, "only events published after the subscription")
            for request in sink.requests {
                XCTAssertEqual(request.method, "POST")
                XCTAssertEqual(request.path, "/hook")
                XCTAssertEqual(request.header("Idempotency-Key"), request.webhookID)
                let event = json(request.body)
                XCTAssertEqual(event["id"] as? String, request.webhookID, "the body is the event the id names")
                XCTAssertEqual(event["type"] as? String, "city.population.person.upserted")
                XCTAssertTrue(request.header("webhook-signature")?.hasPrefix("v1,") ?? false)
                XCTAssertNotNil(request.header("webhook-timestamp").flatMap { Int($0) })
            }
            let counted = await eventually(timeout: .seconds(5)) {
                let state = (try? node.request("GET", "/v1/subscriptions/portal")).map { json($0)["state"] as? [String: Any] }
                return state??["delivered"] as? Int == 4 && state??["lag"] as? Int == 0
            }
            let state = try node.request("GET", "/v1/subscriptions/portal").bodyText
            XCTAssertTrue(counted, state)
            XCTAssertEqual(sink.requestsPerWebhookID.filter { $0.value > 1 }, [:], "each event delivered once")
        }
    }

    /// A receiver answering `410 Gone` dead-letters the event at once (no retry), with its
    /// attempt; `POST /v1/dlq/replay` sends it again, same id, once the receiver accepts,
    /// and the entry becomes `delivered` (a second replay skips it).
    func goneReceiverDeadLettersAndReplayDelivers() async throws {
        let sink = try DeliverySink()
        defer { sink.shutdown() }
        try sink.setMode(.respond(status: 410))
        try await withNode { node in
            try subscribe(node, "gone", sink: sink, path: "/gone")
            let published = try publish(node, "population", try persons(1...1), fileName: "export.csv")
            XCTAssertEqual(published.status, 202, published.bodyText)
            let eventId = try XCTUnwrap(self.ids(published).first)

            var entries: [[String: Any]] = []
            let listed = await eventually(timeout: .seconds(15)) {
                entries = (try? node.request("GET", "/v1/dlq?subscription=gone")).map { json($0)["entries"] as? [[String: Any]] ?? [] } ?? []
                return !entries.isEmpty
            }
            XCTAssertTrue(listed, "dead-lettered after the 410")
            let entry = try XCTUnwrap(entries.first)
            XCTAssertEqual(entries.count, 1)
            XCTAssertEqual(entry["eventId"] as? String, eventId)
            XCTAssertEqual(entry["subscription"] as? String, "gone")
            XCTAssertEqual(entry["topic"] as? String, Self.personTopic)
            XCTAssertEqual(entry["offset"] as? Int, 0)
            XCTAssertEqual(entry["lastStatus"] as? Int, 410)
            XCTAssertEqual(entry["attemptCount"] as? Int, 1, "a 410 is not retried")
            XCTAssertEqual(entry["state"] as? String, "dead")
            XCTAssertEqual(entry["replays"] as? Int, 0)
            XCTAssertEqual(sink.requestsPerWebhookID[eventId], 1)
            let dlqId = try XCTUnwrap(entry["id"] as? String)
            let shown = try node.request("GET", "/v1/dlq/\(dlqId)")
            XCTAssertEqual(shown.status, 200, shown.bodyText)
            XCTAssertEqual((json(shown)["event"] as? [String: Any])?["id"] as? String, eventId)
            let attempts = json(shown)["attempts"] as? [[String: Any]] ?? []
            XCTAssertEqual(attempts.compactMap { $0["status"] as? Int }, [410], shown.bodyText)

            try sink.setMode(.accept)
            let replay = try node.request("POST", "/v1/dlq/replay", body: Array(#"{"ids":["\#(dlqId)"]}"#.utf8))
            XCTAssertEqual(replay.status, 200, replay.bodyText)
            XCTAssertEqual(json(replay)["replayed"] as? Int, 1, replay.bodyText)
            let results = json(replay)["results"] as? [[String: Any]] ?? []
            XCTAssertEqual(results.first?["id"] as? String, dlqId)
            XCTAssertEqual(results.first?["result"] as? String, "replayed")
            let redelivered = await sink.waitUntil(timeout: .seconds(15)) { $0.requestsPerWebhookID[eventId] == 2 }
            XCTAssertTrue(redelivered, "requests per id: \(sink.requestsPerWebhookID)")
            XCTAssertEqual(sink.requests.last?.header("Idempotency-Key"), eventId, "the same id on replay")

            let settled = await eventually(timeout: .seconds(5)) {
                let page = (try? node.request("GET", "/v1/dlq?subscription=gone&state=delivered")).map { json($0) } ?? [:]
                let delivered = page["entries"] as? [[String: Any]] ?? []
                return delivered.first?["state"] as? String == "delivered" && delivered.first?["replays"] as? Int == 1
            }
            let all = try node.request("GET", "/v1/dlq?subscription=gone&state=all").bodyText
            XCTAssertTrue(settled, all)
            XCTAssertEqual(json(try node.request("GET", "/v1/dlq?subscription=gone"))["total"] as? Int, 0,
                           "no longer dead or replaying")
            let again = try node.request("POST", "/v1/dlq/replay", body: Array(#"{"ids":["\#(dlqId)"]}"#.utf8))
            XCTAssertEqual(json(again)["skipped"] as? Int, 1, again.bodyText)
            XCTAssertEqual(sink.requestsPerWebhookID[eventId], 2, "nothing sent for a skipped entry")
        }
    }
}
