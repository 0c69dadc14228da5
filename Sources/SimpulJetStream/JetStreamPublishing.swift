import CNATS
import Foundation
import SimpulLog

/// Pipelined appends: each append hands its messages to libnats without waiting for a
/// PubAck, so the PubAcks of many concurrent appends are awaited at once (one round trip
/// and one server sync for many appenders, instead of one after the other).
extension JetStreamLogStore {
    /// Hands `records` to libnats in order, on the client's queue, and tells `waiter` how
    /// many it sent. One append's messages go out back to back on one connection, so a
    /// batch gets consecutive sequences unless another process publishes to the stream.
    static func send(_ connection: OpaquePointer, _ jetStream: OpaquePointer, _ acks: PublishCollector, _ waiter: AppendWaiter,
                     _ records: [AppendRecord], subject: String, stream: String, timeoutMs: Int) {
        let maxPayload = Int(natsConnection_GetMaxPayload(connection))
        for record in records where maxPayload > 0 {
            let bytes = record.value.count + headerBytesEstimate(key: record.key, stream: stream)
            if bytes > maxPayload {
                return waiter.stopped(afterSending: 0, error: JetStreamError.recordOverServerLimit(bytes: bytes, maxPayload: maxPayload))
            }
        }
        // A second past libnats' own timeout, so that its answer normally comes first.
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(timeoutMs + 1_000) * 1_000_000
        for (index, record) in records.enumerated() {
            let made: OpaquePointer
            do {
                made = try makeMessage(record, subject: subject, stream: stream)
            } catch {
                return waiter.stopped(afterSending: index, error: error)
            }
            acks.register(made, waiter: waiter, index: index, deadline: deadline)
            var message: OpaquePointer? = made
            var options = jsPubOptions()
            jsPubOptions_Init(&options)
            // libnats answers the ack handler with a timeout when no PubAck came in time.
            options.MaxWait = Int64(timeoutMs)
            let status = withOptionalCString(StreamNaming.messageID(key: record.key)) { messageID in
                stream.withCString { expected in
                    options.MsgId = messageID
                    options.ExpectStream = expected
                    return js_PublishMsgAsync(jetStream, &message, &options)
                }
            }
            if status != NATS_OK {
                // libnats kept no reference: the message is still ours.
                acks.unregister(made)
                if let message { natsMsg_Destroy(message) }
                let failure = NATSClient.failure("publishing to \(stream) (record \(index + 1) of \(records.count) not sent)", status)
                return waiter.stopped(afterSending: index, error: failure)
            }
        }
        waiter.sentAll()
    }

    /// The first record's offset when every record was acknowledged; otherwise the reason
    /// as an error (a retry of the whole append is safe: acknowledged records come back as
    /// duplicates of themselves).
    static func firstOffset(_ outcome: AppendWaiter.Outcome, stream: String) throws -> Int64 {
        let count = outcome.sequences.count
        if let error = outcome.sendError { throw error }
        if let (index, failure) = outcome.failures.min(by: { $0.key < $1.key }) {
            let which = count == 1 ? "the record was not acknowledged" : "record \(index + 1) of \(count) not acknowledged"
            throw JetStreamError.requestFailed(operation: "publishing to \(stream)", detail: "\(which): \(failure)")
        }
        let acknowledged = outcome.sequences.compactMap { $0 }
        guard acknowledged.count == count, let first = acknowledged.first else {
            throw JetStreamError.requestFailed(operation: "publishing to \(stream)",
                                               detail: "\(count - acknowledged.count) of \(count) records not acknowledged")
        }
        return Int64(first) - 1
    }
}

private func withOptionalCString<T>(_ text: String?, _ body: (UnsafePointer<CChar>?) -> T) -> T {
    guard let text else { return body(nil) }
    return text.withCString { body($0) }
}
