import Foundation
import SimpulAPI
import SimpulBus
import SimpulJetStream
import SimpulServer

/// The bus and its HTTP API with topics on JetStream (what `simpul serve` runs with
/// `"log": {"backend": "jetstream"}`), for the peers bench's HTTP ingest on JetStream.
enum PeersJetStreamBus {
    /// A fresh data directory for the journals, topics on the server at `url` (R1, the risk
    /// accepted for the bench), an admin token; the bus closes the store.
    static func server(url: String, policy: JetStreamSettings.ServerSyncPolicy,
                       directory: String) async throws -> (server: HTTPServer, port: Int, bus: Bus, token: String) {
        let store = try await JetStreamLogStore(settings: JetStreamSettings(
            servers: [url], replicas: 1, serverSyncPolicy: policy, acceptDataLossRisk: true, requestTimeoutMs: 30_000))
        var settings = BusSettings(dataDirectory: directory, adaptersDirectory: FileManager.default.currentDirectoryPath + "/adapters")
        settings.schemasDirectory = FileManager.default.currentDirectoryPath + "/schemas"
        let bus: Bus
        do {
            bus = try await Bus.open(settings, topicsIn: store)
        } catch {
            await store.close()
            throw error
        }
        let token = try bus.tokens.create(kind: .admin, name: "bench").token
        var configuration = HTTPServerConfiguration()
        configuration.port = 0
        let server = HTTPServer(configuration: configuration, handler: APIRouter.make(bus: bus, probes: Probes()),
                                logger: IngestBench.quietLogger())
        return (server, try await server.start(), bus, token)
    }
}
