import SimpulJetStream
import SimpulTestSupport
import XCTest

/// One `nats-server` on 127.0.0.1 for the shared-state tests (R1: behaviour, not
/// durability), with the settings each simulated node connects with.
final class SharedStateTestServer: @unchecked Sendable {
    let directory: TemporaryDirectory
    private(set) var server: NATSServerProcess
    var settings: JetStreamSettings {
        JetStreamSettings(servers: [server.url], replicas: 1, acceptDataLossRisk: true, requestTimeoutMs: 2_000)
    }

    init(_ label: String) throws {
        if let reason = NATSServerProcess.unavailableReason { throw XCTSkip(reason) }
        directory = try TemporaryDirectory(label)
        server = try NATSServerProcess(storeDirectory: directory.path + "/store")
    }

    /// SIGKILLs the server and starts it again on the same port and store.
    func restart() throws {
        server.kill()
        server = try NATSServerProcess(storeDirectory: directory.path + "/store", port: server.port)
    }

    func stop() {
        server.stop()
        directory.remove()
    }
}
