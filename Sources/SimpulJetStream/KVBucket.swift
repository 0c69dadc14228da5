import CNATS
import Foundation

/// A NATS key-value bucket written only by compare-and-set: each write names the revision
/// it replaces (0: the key must be absent), so two nodes writing the same key at once
/// cannot both succeed, and a node learns when someone else wrote in between.
///
/// The bucket is a standard KV bucket (stream `KV_<bucket>`, subjects `$KV.<bucket>.<key>`,
/// history 1, entries removed by the server `ttl` after their last write), created with
/// libnats' `js_CreateKeyValue` so that the `nats kv` tools can inspect it. Reads and writes
/// go through the stream API rather than libnats' KV calls, because those hide the
/// revision of a delete marker and the reason a write was refused.
final class KVBucket: Sendable {
    /// A key's latest message: a value or a delete marker, and its revision.
    struct Entry: Sendable {
        var revision: UInt64
        var value: [UInt8]
        var isDeleted: Bool
    }

    enum WriteOutcome: Sendable {
        case written(revision: UInt64)
        /// The key's revision is no longer the one expected: someone wrote or it expired.
        case revisionMoved
    }

    let client: NATSClient
    let name: String
    var stream: String { "KV_" + name }

    private init(client: NATSClient, name: String) {
        self.client = client
        self.name = name
    }

    /// Opens the bucket, creating it when missing; refuses one that exists with another
    /// time to live (nodes disagreeing on when a lease expires would break its promise).
    static func open(client: NATSClient, name: String, ttl: Duration, replicas: Int) async throws -> KVBucket {
        let ttlNs = ttl.nanoseconds
        try await client.run { jetStream in
            var info: UnsafeMutablePointer<jsStreamInfo>?
            var code = jsErrCode(0)
            var status = js_GetStreamInfo(&info, jetStream, "KV_" + name, nil, &code)
            if status == NATS_NOT_FOUND || code == JSStreamNotFoundErr {
                var bucket: OpaquePointer?
                var config = kvConfig()
                kvConfig_Init(&config)
                status = name.withCString { namePointer in
                    config.Bucket = namePointer
                    config.History = 1
                    config.TTL = ttlNs
                    config.Replicas = Int32(replicas)
                    return js_CreateKeyValue(&bucket, jetStream, &config)
                }
                if let bucket { kvStore_Destroy(bucket) }
                // Another node may have created it at the same moment: read what is there.
                code = jsErrCode(0)
                status = js_GetStreamInfo(&info, jetStream, "KV_" + name, nil, &code)
            }
            guard status == NATS_OK, let info else { throw NATSClient.failure("opening the bucket \(name)", status, code) }
            defer { jsStreamInfo_Destroy(info) }
            let existing = info.pointee.Config.pointee.MaxAge
            guard existing == ttlNs else {
                throw JetStreamError.invalidSettings("the bucket \(name) keeps entries for \(Double(existing) / 1e9) s, "
                    + "this node expects \(Double(ttlNs) / 1e9) s; give every node the same setting")
            }
        }
        return KVBucket(client: client, name: name)
    }

    func subject(_ key: String) -> String { "$KV.\(name).\(key)" }

    /// The key's latest message, nil when it has none (never written, or expired).
    func latest(_ key: String) async throws -> Entry? {
        let stream = self.stream, subject = self.subject(key)
        return try await client.run { jetStream -> Entry? in
            var message: OpaquePointer?
            var code = jsErrCode(0)
            let status = js_GetLastMsg(&message, jetStream, stream, subject, nil, &code)
            if status == NATS_NOT_FOUND || code == JSNoMessageFoundErr { return nil }
            guard status == NATS_OK, let message else { throw NATSClient.failure("reading \(subject)", status, code) }
            defer { natsMsg_Destroy(message) }
            let operation = JetStreamLogStore.header(message, "KV-Operation")
            return Entry(revision: natsMsg_GetSequence(message), value: Self.data(message),
                         isDeleted: operation == "DEL" || operation == "PURGE")
        }
    }

    /// Writes `value` (or a delete marker) if the key's latest revision is still `expected`
    /// (nil: whatever is there, for a key only one writer ever writes).
    ///
    /// The write is pipelined: the client's queue hands it to libnats and goes on, and the
    /// answer comes from the ack handler; concurrent writes (every new event remembers its
    /// id) then share the connection instead of each holding it for a round trip. The
    /// compare-and-set is the server's, so this changes nothing of who wins.
    func write(_ key: String, _ value: [UInt8], expected: UInt64?, delete: Bool = false) async throws -> WriteOutcome {
        let subject = self.subject(key), acks = client.acks, timeoutMs = client.settings.requestTimeoutMs
        let answer = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<PublishCollector.Answer, any Error>) in
            client.submit { connection in
                do {
                    let (_, jetStream) = try connection.get()
                    let message = try Self.message(subject, value, expected: expected, delete: delete)
                    var options = jsPubOptions()
                    jsPubOptions_Init(&options)
                    options.MaxWait = Int64(timeoutMs)
                    if let notSent = JetStreamLogStore.publishAsync(jetStream, acks, message, options: &options,
                                                                    completion: { continuation.resume(returning: $0) }) {
                        throw JetStreamError.requestFailed(operation: "writing \(subject)", detail: notSent)
                    }
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
        if answer.code == JSStreamWrongLastSequenceErr { return .revisionMoved }
        guard let sequence = answer.sequence else {
            throw JetStreamError.requestFailed(operation: "writing \(subject)", detail: answer.failure ?? "no acknowledgement")
        }
        return .written(revision: sequence)
    }

    /// A write of `value` (or a delete marker) expecting the key at revision `expected`; the caller owns it.
    private static func message(_ subject: String, _ value: [UInt8], expected: UInt64?, delete: Bool) throws -> OpaquePointer {
        var message: OpaquePointer?
        var status = value.withUnsafeBytes {
            natsMsg_Create(&message, subject, nil, $0.baseAddress?.assumingMemoryBound(to: CChar.self), Int32($0.count))
        }
        guard status == NATS_OK, let message else { throw NATSClient.failure("preparing a write to \(subject)", status) }
        if let expected { status = natsMsgHeader_Set(message, "Nats-Expected-Last-Subject-Sequence", String(expected)) }
        if status == NATS_OK, delete { status = natsMsgHeader_Set(message, "KV-Operation", "DEL") }
        guard status == NATS_OK else {
            natsMsg_Destroy(message)
            throw NATSClient.failure("preparing a write to \(subject)", status)
        }
        return message
    }

    /// The latest message of every key under `prefix` (a whole first token: `nodes/` covers
    /// `nodes/.<anything>`), delete markers included, in one round trip: a batched direct
    /// get of the last message per subject (`multi_last`, NATS server 2.11 or later; KV
    /// buckets allow direct gets). At most `limit` keys.
    func latest(under prefix: String, limit: Int = 1024) async throws -> [String: Entry] {
        let stream = self.stream, head = subject(prefix) + ".", timeoutMs = client.settings.requestTimeoutMs
        return try await client.runWithConnection { connection, _ -> [String: Entry] in
            var inbox: UnsafeMutablePointer<natsInbox>?
            guard natsInbox_Create(&inbox) == NATS_OK, let inbox else { throw NATSClient.failure("listing \(head)>", NATS_NO_MEMORY) }
            defer { natsInbox_Destroy(inbox) }
            var subscription: OpaquePointer?
            var status = natsConnection_SubscribeSync(&subscription, connection, inbox)
            guard status == NATS_OK, let subscription else { throw NATSClient.failure("listing \(head)>", status) }
            defer {
                natsSubscription_Unsubscribe(subscription)
                natsSubscription_Destroy(subscription)
            }
            let request = Array("{\"multi_last\":[\"\(head)>\"],\"batch\":\(limit)}".utf8)
            status = request.withUnsafeBytes {
                natsConnection_PublishRequest(connection, "$JS.API.DIRECT.GET." + stream, inbox, $0.baseAddress, Int32($0.count))
            }
            guard status == NATS_OK else { throw NATSClient.failure("listing \(head)>", status) }
            var entries: [String: Entry] = [:]
            while entries.count <= limit {
                var reply: OpaquePointer?
                status = natsSubscription_NextMsg(&reply, subscription, Int64(timeoutMs))
                guard status == NATS_OK, let reply else { throw NATSClient.failure("listing \(head)>", status) }
                defer { natsMsg_Destroy(reply) }
                if let code = JetStreamLogStore.header(reply, "Status") {
                    guard code == "204" || code == "404" else { throw NATSClient.failure("listing \(head)> (status \(code))", NATS_ERR) }
                    return entries  // end of batch, or no such key
                }
                guard let subject = JetStreamLogStore.header(reply, "Nats-Subject"), subject.hasPrefix(head),
                      let sequence = JetStreamLogStore.header(reply, "Nats-Sequence").flatMap(UInt64.init) else { continue }
                let operation = JetStreamLogStore.header(reply, "KV-Operation")
                entries[prefix + "." + subject.dropFirst(head.count)] = Entry(
                    revision: sequence, value: Self.data(reply), isDeleted: operation == "DEL" || operation == "PURGE")
            }
            return entries
        }
    }

    private static func data(_ message: OpaquePointer) -> [UInt8] {
        let length = Int(natsMsg_GetDataLength(message))
        guard length > 0, let data = natsMsg_GetData(message) else { return [] }
        return data.withMemoryRebound(to: UInt8.self, capacity: length) { Array(UnsafeBufferPointer(start: $0, count: length)) }
    }
}

extension Duration {
    /// The whole duration in nanoseconds (JetStream's unit for ages).
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
