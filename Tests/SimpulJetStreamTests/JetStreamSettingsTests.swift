import SimpulJetStream
import XCTest

/// Goal (J1): Simpul refuses a JetStream setup that can lose acknowledged events unless
/// told it accepts the risk, and says which risk in words.
final class JetStreamSettingsTests: XCTestCase {
    private let servers = ["nats://10.0.0.5:4222", "nats://10.0.0.6:4222", "nats://10.0.0.7:4222"]

    func testThreeReplicasWithSyncAlwaysIsAccepted() throws {
        XCTAssertNoThrow(try JetStreamSettings(servers: servers, replicas: 3, serverSyncPolicy: .always).validate())
    }

    func testFewerThanThreeReplicasIsRefusedNamingTheRisk() {
        XCTAssertThrowsError(try JetStreamSettings(servers: servers, replicas: 2).validate()) { error in
            guard case JetStreamError.dataLossRisk = error else { return XCTFail("\(error)") }
            let text = "\(error)"
            XCTAssertTrue(text.contains("replicas is 2"), text)
            XCTAssertTrue(text.contains("lost"), text)
            XCTAssertTrue(text.contains("--accept-data-loss-risk"), text)
        }
    }

    func testLazySyncIsRefusedNamingTheRisk() {
        XCTAssertThrowsError(try JetStreamSettings(servers: servers, replicas: 3, serverSyncPolicy: .interval).validate()) { error in
            guard case JetStreamError.dataLossRisk = error else { return XCTFail("\(error)") }
            XCTAssertTrue("\(error)".contains("sync_interval: always"), "\(error)")
            XCTAssertTrue("\(error)".contains("lose power"), "\(error)")
        }
    }

    func testAcceptingTheRiskAllowsOneReplicaAndLazySync() {
        XCTAssertNoThrow(try JetStreamSettings(servers: ["nats://127.0.0.1:4222"], replicas: 1, serverSyncPolicy: .interval,
                                               acceptDataLossRisk: true).validate())
    }

    func testMissingCredentialsOrCAFileIsNamed() {
        let missing = "/nonexistent/simpul/nats.creds"
        for settings in [JetStreamSettings(servers: servers, credentialsFile: missing),
                         JetStreamSettings(servers: servers, tlsCAFile: missing)] {
            XCTAssertThrowsError(try settings.validate()) { error in
                guard case JetStreamError.invalidSettings = error else { return XCTFail("\(error)") }
                XCTAssertTrue("\(error)".contains(missing), "\(error)")
            }
        }
    }

    func testMalformedSettingsAreRefusedEvenWhenTheRiskIsAccepted() {
        let cases: [JetStreamSettings] = [
            JetStreamSettings(servers: [], acceptDataLossRisk: true),
            JetStreamSettings(servers: ["10.0.0.5:4222"], acceptDataLossRisk: true),
            JetStreamSettings(servers: ["nats://a:1,nats://b:2"], acceptDataLossRisk: true),
            JetStreamSettings(servers: servers, replicas: 0, acceptDataLossRisk: true),
            JetStreamSettings(servers: servers, replicas: 7, acceptDataLossRisk: true),
            JetStreamSettings(servers: servers, acceptDataLossRisk: true, requestTimeoutMs: 0),
        ]
        for settings in cases {
            XCTAssertThrowsError(try settings.validate(), "\(settings)") { error in
                guard case JetStreamError.invalidSettings = error else { return XCTFail("\(error)") }
            }
        }
    }
}
