import SimpulBus
import SimpulJetStream

/// The bus's shared idempotency memory on JetStream: the `SharedKeys` bucket
/// `simpul_idempotency`, whose entries the server drops after the idempotency window.
/// Its errors are `SharedStateError`s, which the bus answers as 503 while the cluster is
/// out of reach. It owns the node's shared-state connection (the quarantine's journals use
/// it too) and closes it last.
struct JetStreamIdempotencyKeys: SharedKeyMemory {
    let connection: SharedStateConnection
    let keys: SharedKeys
    let servers: String

    var unavailableReason: String? {
        connection.unavailableReason.map { "cannot reach the NATS cluster at \(servers) for the shared state: \($0)" }
    }

    func storeIfAbsent(_ key: String, value: [UInt8]) async throws -> [UInt8]? {
        switch try await keys.remember(key, value: value) {
        case .new: return nil
        case .existing(let first): return first
        }
    }

    func storedValue(of key: String) async throws -> [UInt8]? { try await keys.value(of: key) }

    func close() async {
        await keys.close()
        await connection.close()
    }
}
