import SimpulBus
import SimpulJetStream

/// The bus's shared idempotency memory on JetStream: the `SharedKeys` bucket
/// `simpul_idempotency`, whose entries the server drops after the idempotency window.
/// Its errors are `SharedStateError`s, which the bus answers as 503 while the cluster is
/// out of reach.
struct JetStreamIdempotencyKeys: SharedKeyMemory {
    let keys: SharedKeys

    func storeIfAbsent(_ key: String, value: [UInt8]) async throws -> [UInt8]? {
        switch try await keys.remember(key, value: value) {
        case .new: return nil
        case .existing(let first): return first
        }
    }

    func storedValue(of key: String) async throws -> [UInt8]? { try await keys.value(of: key) }

    func close() async { await keys.close() }
}
