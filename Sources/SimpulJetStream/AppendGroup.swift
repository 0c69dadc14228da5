import CNATS
import Foundation
import SimpulLog

/// Group commit for JetStream appends: appends that arrive while a round is on its way wait
/// and go out together in the next round, pipelined (every message sent, then every PubAck
/// awaited), so that concurrent publishers share round trips instead of queueing one PubAck
/// each behind the other. Within a round, one append's records are sent back to back and
/// in order, so an append still gets consecutive offsets (as long as no other process
/// appends to the same partition). Each append is answered on its own: one failing does not
/// fail the others of its round.
final class AppendGroup: @unchecked Sendable {
    struct Append {
        var records: [AppendRecord]
        var topic: TopicName
        var partition: Int
        /// The partition is known to exist: no stream look-up before publishing.
        var known: Bool
        var continuation: CheckedContinuation<Int64, any Error>
    }

    /// Messages sent in one round at most; more wait for the next round.
    static let roundMessagesMax = 4096

    private let lock = NSLock()
    private var waiting: [Append] = []
    private var draining = false

    /// Queues an append; returns whether the caller must start a drain (none is running).
    func enqueue(_ append: Append) -> Bool {
        lock.withLock {
            waiting.append(append)
            if draining { return false }
            draining = true
            return true
        }
    }

    /// The next round's appends, or an empty list (and the drain ends) when none wait.
    func nextRound() -> [Append] {
        lock.withLock {
            var count = 0
            var taken = 0
            while taken < waiting.count, taken == 0 || count + waiting[taken].records.count <= Self.roundMessagesMax {
                count += waiting[taken].records.count
                taken += 1
            }
            if taken == 0 { draining = false }
            let round = Array(waiting.prefix(taken))
            waiting.removeFirst(taken)
            return round
        }
    }
}

extension JetStreamLogStore {
    /// Runs rounds on the client's queue until no append waits.
    static func drain(_ group: AppendGroup, client: NATSClient) {
        client.submit { connection in
            while true {
                let round = group.nextRound()
                if round.isEmpty { return }
                switch connection {
                case .failure(let error): for append in round { append.continuation.resume(throwing: error) }
                case .success(let (connection, jetStream)):
                    publishRound(round, connection: connection, jetStream: jetStream, acks: client.acks,
                                 timeoutMs: client.settings.requestTimeoutMs)
                }
            }
        }
    }

    /// Checks each append's stream and sizes, sends the valid ones' records, waits for the
    /// PubAcks and answers every append.
    private static func publishRound(_ round: [AppendGroup.Append], connection: OpaquePointer, jetStream: OpaquePointer,
                                     acks: PublishCollector, timeoutMs: Int) {
        let maxPayload = Int(natsConnection_GetMaxPayload(connection))
        var sending: [(append: AppendGroup.Append, first: Int)] = []
        var messages: [(record: AppendRecord, subject: String, stream: String)] = []
        for append in round {
            let stream = StreamNaming.stream(append.topic, append.partition)
            do {
                if !append.known, try streamState(jetStream, stream) == nil {
                    throw try missing(jetStream, append.topic, append.partition)
                }
                for record in append.records where maxPayload > 0 {
                    let bytes = record.value.count + headerBytesEstimate(key: record.key, stream: stream)
                    if bytes > maxPayload { throw JetStreamError.recordOverServerLimit(bytes: bytes, maxPayload: maxPayload) }
                }
            } catch {
                append.continuation.resume(throwing: error)
                continue
            }
            let subject = StreamNaming.subject(append.topic, append.partition)
            sending.append((append, messages.count))
            messages += append.records.map { ($0, subject, stream) }
        }
        guard !messages.isEmpty else { return }
        if messages.count == 1, let only = sending.first {
            only.append.continuation.resume(with: Result {
                try publish(jetStream, messages[0].record, subject: messages[0].subject, stream: messages[0].stream)
            })
            return
        }
        let outcome = publishPipelined(jetStream, acks, messages, timeoutMs: timeoutMs)
        for (append, first) in sending {
            let stream = messages[first].stream
            let range = first..<first + append.records.count
            if let failed = range.first(where: { outcome.failures[$0] != nil || outcome.sequences[$0] == nil }) {
                let detail = outcome.failures[failed] ?? outcome.sendFailure ?? "no acknowledgement within \(timeoutMs) ms"
                append.continuation.resume(throwing: JetStreamError.requestFailed(
                    operation: "publishing to \(stream) (nothing of this append is acknowledged)",
                    detail: "record \(failed - first + 1) of \(append.records.count): \(detail)"))
            } else if let sequence = outcome.sequences[first] {
                append.continuation.resume(returning: Int64(sequence) - 1)
            }
        }
    }

    /// Sends every message without waiting, then waits for all PubAcks (up to `timeoutMs`).
    static func publishPipelined(_ jetStream: OpaquePointer, _ acks: PublishCollector,
                                         _ messages: [(record: AppendRecord, subject: String, stream: String)],
                                         timeoutMs: Int) -> (sequences: [Int: UInt64], failures: [Int: String], sendFailure: String?) {
        acks.begin()
        var sendFailure: String?
        for (index, item) in messages.enumerated() {
            guard let registered = try? makeMessage(item.record, subject: item.subject, stream: item.stream) else {
                sendFailure = "the message could not be prepared"
                break
            }
            var message: OpaquePointer? = registered
            acks.register(registered, index: index)
            var options = jsPubOptions()
            jsPubOptions_Init(&options)
            let status = withOptionalCString(StreamNaming.messageID(key: item.record.key)) { messageID in
                item.stream.withCString { expected in
                    options.MsgId = messageID
                    options.ExpectStream = expected
                    return js_PublishMsgAsync(jetStream, &message, &options)
                }
            }
            if status != NATS_OK {
                // libnats kept no reference: the message is still ours. Later ones are not sent.
                acks.unregister(registered)
                if let message { natsMsg_Destroy(message) }
                sendFailure = "not sent: \(NATSClient.lastError(status))"
                break
            }
        }
        var wait = jsPubOptions()
        jsPubOptions_Init(&wait)
        wait.MaxWait = Int64(timeoutMs)
        _ = js_PublishAsyncComplete(jetStream, &wait)
        let outcome = acks.finish()
        return (outcome.sequences, outcome.failures, sendFailure)
    }
}

func withOptionalCString<T>(_ text: String?, _ body: (UnsafePointer<CChar>?) -> T) -> T {
    guard let text else { return body(nil) }
    return text.withCString { body($0) }
}
