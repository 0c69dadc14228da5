import Foundation
import SimpulTestSupport
import XCTest

/// Reading a topic, the stats and the probes, over HTTP.
extension BusBehaviour {
    /// Events come back from any offset in pages of `limit`, with `nextOffset` to go on
    /// from; past the end a page is empty; a long poll wakes on the next publish; bad
    /// queries are `400 query.invalid`, a topic or partition that does not exist `404 topic.unknown`.
    func eventsAreReadFromAnOffsetInPages() async throws {
        try await withNode { node in
            let published = try publish(node, "population", try RepositoryPaths.sample("population", "valid.csv"),
                                        fileName: "valid.csv")
            XCTAssertEqual(published.status, 202, published.bodyText)
            let ids = self.ids(published)

            let middle = try read(node, "from=1&limit=2")
            XCTAssertEqual(middle.status, 200, middle.bodyText)
            XCTAssertEqual(json(middle)["topic"] as? String, Self.personTopic)
            XCTAssertEqual(json(middle)["partition"] as? Int, 0)
            XCTAssertEqual(page(middle).offsets, [1, 2])
            XCTAssertEqual(page(middle).ids, Array(ids[1...2]))
            XCTAssertEqual(page(middle).next, 3)
            let event = (records(middle).first?["event"] as? [String: Any]) ?? [:]
            XCTAssertEqual(event["specversion"] as? String, "1.0")
            XCTAssertEqual(event["type"] as? String, "city.population.person.upserted")
            XCTAssertNotNil((event["data"] as? [String: Any])?["nik"], "an admin sees the whole record: \(event)")

            let last = try read(node, "from=\(page(middle).next ?? -1)&limit=2")
            XCTAssertEqual(page(last).offsets, [3])
            XCTAssertEqual(page(last).next, 4)
            let end = try read(node, "from=4")
            XCTAssertEqual(end.status, 200)
            XCTAssertEqual(page(end).offsets, [])
            XCTAssertEqual(page(end).next, 4, "an empty page keeps the offset to wait at")
            XCTAssertEqual(page(try read(node, "from=0&limit=1000")).ids, ids)

            for query in ["limit=0", "limit=1001", "from=-1", "wait=31"] {
                let refused = try read(node, query)
                XCTAssertEqual(refused.status, 400, query)
                XCTAssertEqual(errorCode(refused), "query.invalid", query)
            }
            let noTopic = try node.request("GET", "/v1/topics/city.nothing.here/events")
            XCTAssertEqual(noTopic.status, 404, noTopic.bodyText)
            XCTAssertEqual(errorCode(noTopic), "topic.unknown")
            let noPartition = try read(node, "partition=3")
            XCTAssertEqual(noPartition.status, 404, noPartition.bodyText)
            XCTAssertEqual(errorCode(noPartition), "topic.unknown")

            // A long poll at the end answers with the next event as soon as it is published.
            let port = node.port, admin = node.admin
            let waiting = Task.detached { () -> (status: Int, body: [UInt8], took: Duration)? in
                let client = try RawHTTPClient(port: port, readTimeoutSeconds: 15)
                var response: RawHTTPClient.Response?
                let took = ContinuousClock().measure {
                    response = client.request("GET", "/v1/topics/\(Self.personTopic)/events?from=4&wait=10",
                                              headers: [("Authorization", "Bearer \(admin)")])
                }
                return response.map { ($0.status, $0.body, took) }
            }
            try await Task.sleep(for: .milliseconds(300))
            let next = try publish(node, "population", try persons(7...7), fileName: "export.csv")
            XCTAssertEqual(next.status, 202, next.bodyText)
            let answer = try await waiting.value
            let (status, body, took) = try XCTUnwrap(answer, "the long poll got no answer")
            XCTAssertEqual(status, 200)
            XCTAssertEqual(page(body).offsets, [4], String(decoding: body, as: UTF8.self))
            XCTAssertEqual(page(body).ids, self.ids(next))
            XCTAssertLessThan(took, .seconds(5), "woken by the publish, not by its 10 s wait")
        }
    }

    /// `/healthz` and `/readyz` answer without a token; `/v1/stats` counts per source
    /// (published, rejected, duplicates), per topic partition (last offset), the open
    /// quarantine and the subscriptions.
    func statsAndProbesAnswer() async throws {
        try await withNode { node in
            let health = try node.request("GET", "/healthz")
            XCTAssertEqual(health.status, 200)
            let client = try RawHTTPClient(port: node.port)
            let ready = try XCTUnwrap(client.request("GET", "/readyz"))
            XCTAssertEqual(ready.status, 200, ready.bodyText)
            XCTAssertEqual(json(ready)["ready"] as? Bool, true)

            let export = try RepositoryPaths.sample("population", "valid.csv")
            XCTAssertEqual(try publish(node, "population", export, fileName: "valid.csv").status, 202)
            XCTAssertEqual(try publish(node, "population", export, fileName: "valid.csv").status, 200)
            XCTAssertEqual(try publish(node, "population", try refusedPersons().body, fileName: "export.csv").status, 422)
            let subscription = #"{"name":"portal","topics":["\#(Self.personTopic)"],"url":"http://127.0.0.1:9/hook","paused":true}"#
            XCTAssertEqual(try node.request("POST", "/v1/subscriptions", body: Array(subscription.utf8)).status, 201)

            let stats = try node.request("GET", "/v1/stats")
            XCTAssertEqual(stats.status, 200, stats.bodyText)
            let body = json(stats)
            let population = (body["sources"] as? [[String: Any]] ?? []).first { $0["source"] as? String == "population" }
            XCTAssertEqual(population?["published"] as? Int, 4, stats.bodyText)
            XCTAssertEqual(population?["duplicates"] as? Int, 4)
            XCTAssertEqual(population?["rejected"] as? Int, 3)
            let topic = (body["topics"] as? [[String: Any]] ?? []).first { $0["topic"] as? String == Self.personTopic }
            XCTAssertEqual(topic?["partition"] as? Int, 0, stats.bodyText)
            XCTAssertEqual(topic?["lastOffset"] as? Int, 3)
            XCTAssertEqual(body["quarantineOpen"] as? Int, 3)
            let subscriptions = body["subscriptions"] as? [[String: Any]] ?? []
            XCTAssertEqual(subscriptions.compactMap { $0["name"] as? String }, ["portal"], stats.bodyText)
            XCTAssertEqual(subscriptions.first?["paused"] as? Bool, true)
            let anonymous = try XCTUnwrap(RawHTTPClient(port: node.port).request("GET", "/v1/stats"))
            XCTAssertEqual(anonymous.status, 401, "stats are for admins")
        }
    }
}
