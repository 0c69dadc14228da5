import CNATS
import Dispatch
import Foundation
import SimpulLog

/// Asynchronous publishes: a message handed to libnats without waiting for its PubAck,
/// answered later through the client's `PublishCollector`.
extension JetStreamLogStore {
    /// Publishes `record` (its key as `Nats-Msg-Id`, `stream` expected) without waiting;
    /// `completion` gets JetStream's answer, or a timeout after `timeoutMs` (libnats' own
    /// timer). Returns why the message was not sent (then `completion` is never called).
    static func publishAsync(_ jetStream: OpaquePointer, _ acks: PublishCollector, _ record: AppendRecord,
                             subject: String, stream: String, timeoutMs: Int,
                             completion: @escaping PublishCollector.Completion) -> String? {
        let made: OpaquePointer
        do {
            made = try makeMessage(record, subject: subject, stream: stream)
        } catch {
            return "\(error)"
        }
        return withOptionalCString(StreamNaming.messageID(key: record.key)) { messageID in
            stream.withCString { expected in
                var options = jsPubOptions()
                jsPubOptions_Init(&options)
                options.MsgId = messageID
                options.ExpectStream = expected
                options.MaxWait = Int64(timeoutMs)
                return publishAsync(jetStream, acks, made, options: &options, completion: completion)
            }
        }
    }

    /// Hands `message` (owned by the caller until then) to libnats with `options`; on
    /// failure the message is destroyed and the reason returned.
    static func publishAsync(_ jetStream: OpaquePointer, _ acks: PublishCollector, _ made: OpaquePointer,
                             options: inout jsPubOptions, completion: @escaping PublishCollector.Completion) -> String? {
        guard acks.register(made, completion) else {
            natsMsg_Destroy(made)
            return "the connection to the NATS servers is closed"
        }
        var message: OpaquePointer? = made
        let status = js_PublishMsgAsync(jetStream, &message, &options)
        guard status == NATS_OK else {
            // libnats kept no reference: the message is still ours, and no ack will come.
            acks.unregister(made)
            if let message { natsMsg_Destroy(message) }
            return NATSClient.lastError(status)
        }
        return nil
    }

    /// Sends every message without waiting, then waits for all their PubAcks (up to
    /// `timeoutMs`): one round trip for a batch. Later messages are not sent once one fails.
    static func publishPipelined(_ jetStream: OpaquePointer, _ acks: PublishCollector,
                                 _ messages: [(record: AppendRecord, subject: String, stream: String)],
                                 timeoutMs: Int) -> (sequences: [Int: UInt64], failures: [Int: String], sendFailure: String?) {
        let answers = Locked<(sequences: [Int: UInt64], failures: [Int: String])>(([:], [:]))
        let group = DispatchGroup()
        var sendFailure: String?
        for (index, item) in messages.enumerated() {
            group.enter()
            let notSent = publishAsync(jetStream, acks, item.record, subject: item.subject, stream: item.stream,
                                       timeoutMs: timeoutMs) { answer in
                answers.withLock {
                    if let sequence = answer.sequence { $0.sequences[index] = sequence }
                    if let failure = answer.failure { $0.failures[index] = failure }
                }
                group.leave()
            }
            if let notSent {
                group.leave()
                sendFailure = "not sent: \(notSent)"
                break
            }
        }
        // libnats answers each message by `timeoutMs`; the margin only guards against a lost answer.
        _ = group.wait(timeout: .now() + .milliseconds(timeoutMs + 1_000))
        let outcome = answers.withLock { $0 }
        return (outcome.sequences, outcome.failures, sendFailure)
    }
}

func withOptionalCString<T>(_ text: String?, _ body: (UnsafePointer<CChar>?) -> T) -> T {
    guard let text else { return body(nil) }
    return text.withCString { body($0) }
}
