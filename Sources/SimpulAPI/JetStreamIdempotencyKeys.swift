import SimpulBus
import SimpulJetStream

/// The bus's shared idempotency memory on JetStream: the `SharedKeys` bucket
/// `simpul_idempotency`, whose entries the server drops after the idempotency window.
/// Its errors are `SharedStateError`s, which the bus answers as 503 while the cluster is
/// out of reach.
///
/// A new event costs two requests: a look-up before its append, which holds its
/// connection's queue for a round trip, and a create after, which is pipelined (sent
/// without waiting, answered from the ack handler). So the keys are spread over a few
/// connections of their own, by key, for the look-ups' sake. It also owns the node's shared-state connection
/// (the quarantine's journals use it) and closes it last.
struct JetStreamIdempotencyKeys: SharedKeyMemory {
    static let connectionCount = 4
    let connection: SharedStateConnection
    let pool: [SharedKeys]
    let servers: String

    /// Opens `connectionCount` connections to the bucket; closes what it opened on failure.
    static func open(settings: JetStreamSettings, window: Duration, connection: SharedStateConnection) async throws
        -> JetStreamIdempotencyKeys {
        var pool: [SharedKeys] = []
        do {
            for _ in 0..<connectionCount { pool.append(try await SharedKeys(settings: settings, window: window)) }
        } catch {
            for keys in pool { await keys.close() }
            throw error
        }
        return JetStreamIdempotencyKeys(connection: connection, pool: pool, servers: settings.servers.joined(separator: ", "))
    }

    var unavailableReason: String? {
        let down = connection.unavailableReason ?? pool.lazy.compactMap(\.unavailableReason).first
        return down.map { "cannot reach the NATS cluster at \(servers) for the shared state: \($0)" }
    }

    /// The connection a key's requests go to (keys are `e_`/`r_` and a hex digest).
    private func keys(for key: String) -> SharedKeys {
        pool[Int(key.utf8.last ?? 0) % pool.count]
    }

    func storeIfAbsent(_ key: String, value: [UInt8]) async throws -> [UInt8]? {
        switch try await keys(for: key).remember(key, value: value) {
        case .new: return nil
        case .existing(let first): return first
        }
    }

    func storedValue(of key: String) async throws -> [UInt8]? { try await keys(for: key).value(of: key) }

    func close() async {
        for keys in pool { await keys.close() }
        await connection.close()
    }
}
