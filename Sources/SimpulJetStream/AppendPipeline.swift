import CNATS
import Foundation
import SimpulLog

/// Pipelined JetStream appends: each append's records are handed to libnats at once (no
/// waiting for earlier PubAcks), and each append is answered when the PubAcks of its own
/// records arrive. Concurrent appenders thus keep the connection's pipeline full, as a
/// plain asynchronous publisher does, instead of waiting for a whole round's PubAcks
/// before the next round goes out.
///
/// The appender that finds no one sending sends itself, on its own thread (a hand-off to
/// the client's queue cost a thread wake-up per append); appends arriving meanwhile wait
/// here and go out with its next pass. After `inlinePassesMax` passes the rest is handed to
/// the client's queue, so that no appender sends for the others for long. One append's
/// records are sent back to back under the client's publishing lock, so an append still
/// gets consecutive offsets (as long as no other process appends to the same partition).
/// Each append is answered on its own: one failing does not fail the others.
final class AppendPipeline: @unchecked Sendable {
    struct Append {
        var records: [AppendRecord]
        var topic: TopicName
        var partition: Int
        var continuation: CheckedContinuation<Int64, any Error>
    }

    /// Passes an appender sends for others before the client's queue takes over.
    static let inlinePassesMax = 8

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

    /// Every append waiting now, or an empty list (and the drain ends) when none wait.
    func takeWaiting() -> [Append] {
        lock.withLock {
            if waiting.isEmpty { draining = false }
            defer { waiting.removeAll(keepingCapacity: true) }
            return waiting
        }
    }
}

extension JetStreamLogStore {
    /// Sends waiting appends on the calling thread for a few passes, then on the client's
    /// queue until none waits. Sending never waits for JetStream's answers.
    static func drain(_ pipeline: AppendPipeline, client: NATSClient) {
        for _ in 0..<AppendPipeline.inlinePassesMax {
            let appends = pipeline.takeWaiting()
            if appends.isEmpty { return }
            send(appends, client: client)
        }
        client.submit { _ in
            while true {
                let appends = pipeline.takeWaiting()
                if appends.isEmpty { return }
                send(appends, client: client)
            }
        }
    }

    /// Hands the appends' records to libnats under the client's publishing lock; each
    /// append is answered from the ack handler once every sent record has its answer.
    private static func send(_ appends: [AppendPipeline.Append], client: NATSClient) {
        let acks = client.acks, timeoutMs = client.settings.requestTimeoutMs
        client.publishing { connection in
            switch connection {
            case .failure(let error): for append in appends { append.continuation.resume(throwing: error) }
            case .success(let (connection, jetStream)):
                let maxPayload = Int(natsConnection_GetMaxPayload(connection))
                for append in appends {
                    send(append, jetStream: jetStream, maxPayload: maxPayload, acks: acks, timeoutMs: timeoutMs)
                }
            }
        }
    }

    /// Checks the append's sizes, then hands its records to libnats.
    private static func send(_ append: AppendPipeline.Append, jetStream: OpaquePointer, maxPayload: Int,
                             acks: PublishCollector, timeoutMs: Int) {
        let stream = StreamNaming.stream(append.topic, append.partition)
        for record in append.records where maxPayload > 0 {
            let bytes = record.value.count + headerBytesEstimate(key: record.key, stream: stream)
            if bytes > maxPayload {
                return append.continuation.resume(throwing: JetStreamError.recordOverServerLimit(bytes: bytes, maxPayload: maxPayload))
            }
        }
        let subject = StreamNaming.subject(append.topic, append.partition)
        let answers = AppendAnswers(count: append.records.count, stream: stream, timeoutMs: timeoutMs,
                                    continuation: append.continuation)
        for (index, record) in append.records.enumerated() {
            let notSent = publishAsync(jetStream, acks, record, subject: subject, stream: stream, timeoutMs: timeoutMs) {
                answers.answered(index, $0)
            }
            if let notSent { return answers.stopped(sent: index, detail: notSent) }
        }
        answers.stopped(sent: append.records.count, detail: nil)
    }
}

/// The answers to one append's records: the append is answered (once) when every record
/// sent has JetStream's answer and no more will be sent.
private final class AppendAnswers: @unchecked Sendable {
    private let lock = NSLock()
    private let count: Int
    private let stream: String
    private let timeoutMs: Int
    private let continuation: CheckedContinuation<Int64, any Error>
    /// Records still to answer, plus one while the sender has not said how many it sent.
    private var outstanding: Int
    private var firstSequence: UInt64?
    private var firstFailure: (index: Int, detail: String)?

    init(count: Int, stream: String, timeoutMs: Int, continuation: CheckedContinuation<Int64, any Error>) {
        self.count = count
        self.stream = stream
        self.timeoutMs = timeoutMs
        self.continuation = continuation
        outstanding = count + 1
    }

    func answered(_ index: Int, _ answer: PublishCollector.Answer) {
        let done = lock.withLock { () -> Bool in
            if let failure = answer.failure ?? (answer.sequence == nil ? "no acknowledgement within \(timeoutMs) ms" : nil) {
                if firstFailure.map({ index < $0.index }) ?? true { firstFailure = (index, failure) }
            } else if index == 0 {
                firstSequence = answer.sequence
            }
            outstanding -= 1
            return outstanding == 0
        }
        if done { finish() }
    }

    /// The sender handed `sent` records to libnats; `detail` says why the rest were not.
    func stopped(sent: Int, detail: String?) {
        let done = lock.withLock { () -> Bool in
            if let detail, firstFailure.map({ sent < $0.index }) ?? true { firstFailure = (sent, "not sent: \(detail)") }
            outstanding -= count - sent + 1
            return outstanding == 0
        }
        if done { finish() }
    }

    private func finish() {
        if let (index, detail) = firstFailure {
            continuation.resume(throwing: JetStreamError.requestFailed(
                operation: "publishing to \(stream) (nothing of this append is acknowledged)",
                detail: "record \(index + 1) of \(count): \(detail)"))
        } else if let firstSequence {
            continuation.resume(returning: Int64(firstSequence) - 1)
        } else {
            continuation.resume(throwing: JetStreamError.requestFailed(operation: "publishing to \(stream)",
                                                                      detail: "no acknowledgement within \(timeoutMs) ms"))
        }
    }
}
