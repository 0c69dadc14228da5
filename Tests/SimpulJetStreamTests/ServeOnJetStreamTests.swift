import Foundation
import Logging
import SimpulAPI
import SimpulBus
import SimpulDelivery
import SimpulJetStream
import SimpulLog
import SimpulServer
import SimpulTestSupport
import XCTest

/// Goal (issue 8): `simpul serve` with `"log": {"backend": "jetstream"}` keeps its topics on
/// NATS JetStream — events published over HTTP are read back and delivered; while the NATS
/// server is gone `/readyz` says why and a publish is refused at once with 503
/// `log.unavailable` (no crash, no hang); when it is back everything resumes and nothing
/// acknowledged is lost.
final class ServeOnJetStreamTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        if let reason = NATSServerProcess.unavailableReason { throw XCTSkip(reason) }
        directory = try TemporaryDirectory("serve-jetstream")
    }

    override func tearDown() { directory?.remove() }

    private func writeConfig(servers: [String]) throws -> String {
        let file = directory.path + "/simpul.json"
        let config: [String: Any] = [
            "dataDir": directory.path + "/data", "adaptersDir": RepositoryPaths.adapters,
            "schemasDir": RepositoryPaths.root() + "/schemas",
            "log": ["backend": "jetstream", "servers": servers, "replicas": 1, "acceptDataLossRisk": true,
                    "requestTimeoutMs": 1000, "freeBytesFloor": 0, "deliveryLeaseTtlSeconds": 3],
        ]
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: file))
        return file
    }

    func testPublishReadDeliverAcrossANATSOutage() async throws {
        var nats = try NATSServerProcess(storeDirectory: directory.path + "/nats")
        defer { nats.stop() }
        let sink = try DeliverySink()
        defer { sink.shutdown() }
        let api = try await ServedBus(configFile: try writeConfig(servers: [nats.url]))

        let subscription = #"{"name":"sink","topics":["city.business.business"],"url":"\#(sink.url(path: "/hook"))"}"#
        XCTAssertEqual(try api.request("POST", "/v1/subscriptions", body: Array(subscription.utf8)).status, 201)
        var acknowledged: [String] = []
        let batch = try api.publish(["evt-1", "evt-2", "evt-3"])
        XCTAssertEqual(batch.status, 202, batch.bodyText)
        acknowledged += ["evt-1", "evt-2", "evt-3"]
        for id in ["evt-4", "evt-5"] {
            XCTAssertEqual(try api.publish([id]).status, 202)
            acknowledged.append(id)
        }
        XCTAssertEqual(try api.readIDs(), acknowledged, "read back through /v1/topics, in order")
        let delivered = await sink.waitUntil(timeout: .seconds(15)) { $0.distinctWebhookIDs.isSuperset(of: acknowledged) }
        XCTAssertTrue(delivered, "delivered so far: \(sink.distinctWebhookIDs.sorted())")
        XCTAssertEqual(try api.request("GET", "/readyz").status, 200)
        // Two events the subscription has not read yet when the cluster goes away.
        XCTAssertEqual(try api.request("POST", "/v1/subscriptions/sink/pause").status, 200)
        XCTAssertEqual(try api.publish(["evt-p1", "evt-p2"]).status, 202)
        acknowledged += ["evt-p1", "evt-p2"]

        nats.kill()
        let notReady = try await api.waitForReadiness(503, timeout: .seconds(10))
        XCTAssertTrue(notReady.bodyText.contains("cannot reach the NATS cluster at \(nats.url)"), notReady.bodyText)
        let clock = ContinuousClock()
        var refused: RawHTTPClient.Response?
        let refusalTime = try clock.measure { refused = try api.publish(["evt-6"]) }
        XCTAssertEqual(refused?.status, 503, refused?.bodyText ?? "")
        XCTAssertTrue(refused?.bodyText.contains("\"code\":\"log.unavailable\"") ?? false, refused?.bodyText ?? "")
        XCTAssertEqual(refused?.header("Retry-After"), "30")
        XCTAssertLessThan(refusalTime, .seconds(2), "refused at once, not after a timeout")
        XCTAssertEqual(try api.request("GET", "/v1/topics/city.business.business/events?from=0").status, 503)
        let lateSubscription = #"{"name":"late","topics":["city.business.business"],"url":"\#(sink.url(path: "/late"))"}"#
        let notCreated = try api.request("POST", "/v1/subscriptions", body: Array(lateSubscription.utf8))
        XCTAssertEqual(notCreated.status, 503, "its start position cannot be read: \(notCreated.bodyText)")
        // The subscriptions live in the cluster too (shared by every node): a change waits for it.
        let notResumed = try api.request("POST", "/v1/subscriptions/sink/resume")
        XCTAssertEqual(notResumed.status, 503, notResumed.bodyText)
        XCTAssertTrue(notResumed.bodyText.contains("\"code\":\"log.unavailable\""), notResumed.bodyText)

        nats = try NATSServerProcess(storeDirectory: directory.path + "/nats", port: nats.port)
        _ = try await api.waitForReadiness(200, timeout: .seconds(15))
        let resumed = await eventually(timeout: .seconds(15)) {
            (try? api.request("POST", "/v1/subscriptions/sink/resume").status) == 200
        }
        XCTAssertTrue(resumed, "resumed once the cluster is back")
        for id in ["evt-6", "evt-7"] {  // the refused one is retried, as its client would
            let again = try api.publish([id])
            XCTAssertEqual(again.status, 202, again.bodyText)
            acknowledged.append(id)
        }
        XCTAssertEqual(try api.readIDs(), acknowledged, "every acknowledged event is there once, after the restart")
        let all = await sink.waitUntil(timeout: .seconds(15)) { $0.distinctWebhookIDs.isSuperset(of: acknowledged) }
        XCTAssertTrue(all, "delivered: \(sink.distinctWebhookIDs.sorted())")
        let publishedAgain = try api.publish(["evt-2"])
        XCTAssertEqual(publishedAgain.status, 200, "a repeated id is a duplicate, not a second event: \(publishedAgain.bodyText)")
        await api.stop()

        // Simpul restarted on the same data directory and cluster: event ids are recovered
        // from the streams, the delivery cursor from the positions bucket.
        let restarted = try await ServedBus(configFile: try writeConfig(servers: [nats.url]))
        let repeated = try restarted.publish(["evt-3"])
        XCTAssertEqual(repeated.status, 200, "still known as published: \(repeated.bodyText)")
        XCTAssertEqual(try restarted.publish(["evt-8"]).status, 202)
        acknowledged.append("evt-8")
        XCTAssertEqual(try restarted.readIDs(), acknowledged)
        let last = await sink.waitUntil(timeout: .seconds(15)) { $0.distinctWebhookIDs.contains("evt-8") }
        XCTAssertTrue(last, "delivered: \(sink.distinctWebhookIDs.sorted())")
        XCTAssertEqual(sink.requestsPerWebhookID.filter { $0.value > 1 }, [:], "nothing delivered twice across the restart")
        await restarted.stop()
    }

    /// `simpul serve` refuses to start, naming the servers, when none answers.
    func testServeExitsNamingTheServersWhenTheClusterCannotBeReached() throws {
        let url = "nats://127.0.0.1:\(try NATSServerProcess.freePort())"
        let result = try runCommand(Products.executable("simpul"),
                                    ["serve", "--config", try writeConfig(servers: [url]), "--listen", "127.0.0.1:0"])
        XCTAssertEqual(result.status, 1, result.standardOutput + result.standardError)
        XCTAssertTrue((result.standardOutput + result.standardError).contains("cannot reach the NATS cluster at \(url)"),
                      result.standardOutput + result.standardError)
    }

    /// J1: `simpul serve` refuses a single replica unless `--accept-data-loss-risk` is given
    /// (then it goes on, here to find no server).
    func testServeRefusesOneReplicaUnlessTheRiskIsAcceptedOnTheCommandLine() throws {
        let url = "nats://127.0.0.1:\(try NATSServerProcess.freePort())"
        let file = directory.path + "/one-replica.json"
        try #"{"log": {"backend": "jetstream", "servers": ["\#(url)"], "replicas": 1}}"#
            .write(toFile: file, atomically: true, encoding: .utf8)
        let refused = try runCommand(Products.executable("simpul"), ["serve", "--config", file, "--listen", "127.0.0.1:0"])
        XCTAssertEqual(refused.status, 2, refused.standardError)
        XCTAssertTrue(refused.standardError.contains("log.replicas"), refused.standardError)
        XCTAssertTrue(refused.standardError.contains("--accept-data-loss-risk"), refused.standardError)
        let accepted = try runCommand(Products.executable("simpul"),
                                      ["serve", "--config", file, "--listen", "127.0.0.1:0", "--accept-data-loss-risk"])
        XCTAssertEqual(accepted.status, 1, accepted.standardOutput + accepted.standardError)
        XCTAssertTrue((accepted.standardOutput + accepted.standardError).contains("cannot reach the NATS cluster at \(url)"))
    }

    /// An admin who moves a node from the embedded log to JetStream is told that the data
    /// directory's events and subscriptions stay behind (they are not copied), and where.
    func testServeSaysWhatTheEmbeddedLogLeftBehind() async throws {
        let nats = try NATSServerProcess(storeDirectory: directory.path + "/nats")
        defer { nats.stop() }
        let log: [String: Any] = ["backend": "jetstream", "servers": [nats.url], "replicas": 1, "acceptDataLossRisk": true,
                                  "freeBytesFloor": 0]
        let node = try SimpulServeNode(name: "moved", directory: directory.path, log: log, partitionsPerTopic: 1)
        defer { node.stop() }
        var settings = BusSettings(dataDirectory: node.dataDirectory, adaptersDirectory: RepositoryPaths.adapters)
        settings.log.freeBytesFloor = 0
        let embedded = try Bus.open(settings)
        let topic = try TopicName("city.population.person")
        try embedded.log.createTopic(topic)
        _ = try await embedded.log.partition(topic, 0).append([AppendRecord(value: Array("one".utf8)),
                                                              AppendRecord(value: Array("two".utf8))])
        await embedded.close()

        try node.start()
        XCTAssertTrue(node.log.contains("holds 2 events of the embedded log in 1 topic (city.population.person); "
                                        + "on JetStream they are not read, delivered or copied"), node.log)
        node.stop()
        try node.start()
        XCTAssertEqual(node.log.components(separatedBy: "of the embedded log").count - 1, 2, "said at every start")
    }

    /// A config that would acknowledge what one failure can lose is refused at load, naming the key.
    func testConfigRefusesOneReplicaWithoutAcceptingTheRisk() throws {
        let file = directory.path + "/risky.json"
        try #"{"log": {"backend": "jetstream", "servers": ["nats://127.0.0.1:4222"], "replicas": 1}}"#
            .write(toFile: file, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ServeConfiguration.load(file: file)) { error in
            XCTAssertTrue("\(error)".hasPrefix("config key \"log.replicas\": refusing a JetStream setup"), "\(error)")
        }
        XCTAssertEqual(try ServeConfiguration.load(file: file, acceptDataLossRisk: true).jetStream?.acceptDataLossRisk, true)
        let example = try ServeConfiguration.load(file: RepositoryPaths.root() + "/deploy/nats/simpul.json")
        XCTAssertEqual(example.jetStream?.replicas, 3)
        XCTAssertEqual(example.jetStream?.servers.count, 3)
    }
}
