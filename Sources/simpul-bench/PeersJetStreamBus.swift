import Foundation
import SimpulAPI
import SimpulBus
import SimpulJetStream
import SimpulServer

/// The bus and its HTTP API with topics on JetStream (what `simpul serve` runs with
/// `"log": {"backend": "jetstream"}`), for the peers bench's HTTP ingest on JetStream.
enum PeersJetStreamBus {
    /// A fresh data directory for the local journals, topics and shared state on the server
    /// at `url` (R1, the risk accepted for the bench), an admin token; the bus closes the store.
    static func server(url: String, policy: JetStreamSettings.ServerSyncPolicy,
                       directory: String) async throws -> (server: HTTPServer, port: Int, bus: Bus, token: String) {
        let jetStream = JetStreamSettings(servers: [url], replicas: 1, serverSyncPolicy: policy, acceptDataLossRisk: true,
                                          requestTimeoutMs: 30_000)
        var settings = BusSettings(dataDirectory: directory, adaptersDirectory: FileManager.default.currentDirectoryPath + "/adapters")
        settings.schemasDirectory = FileManager.default.currentDirectoryPath + "/schemas"
        // As `simpul serve` opens it: event ids and Idempotency-Keys shared in the cluster too.
        let bus = try await ServeConfiguration.openBus(settings, onJetStream: jetStream)
        let token = try bus.tokens.create(kind: .admin, name: "bench").token
        var configuration = HTTPServerConfiguration()
        configuration.port = 0
        let server = HTTPServer(configuration: configuration, handler: APIRouter.make(bus: bus, probes: Probes()),
                                logger: IngestBench.quietLogger())
        return (server, try await server.start(), bus, token)
    }
}
