import CNATS
import Foundation

/// Routes the PubAcks of pipelined publishes to the append that sent them: libnats calls
/// `ackHandler` on its own thread for each message, and the collector hands the answer to
/// that message's `AppendWaiter`.
///
/// Messages are known by their pointer, registered before they are handed to libnats (so an
/// ack can never arrive first) and forgotten when answered (so a reused address is no clash,
/// and an answer that comes after the append gave up on it is dropped).
final class PublishCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var pending: [UnsafeMutableRawPointer: (waiter: AppendWaiter, index: Int, deadline: UInt64)] = [:]

    /// `deadline`: `DispatchTime` nanoseconds after which `expire` answers it with a failure.
    func register(_ message: OpaquePointer, waiter: AppendWaiter, index: Int, deadline: UInt64) {
        lock.withLock { pending[UnsafeMutableRawPointer(message)] = (waiter, index, deadline) }
    }

    /// Forgets a message libnats did not take.
    func unregister(_ message: OpaquePointer) {
        _ = lock.withLock { pending.removeValue(forKey: UnsafeMutableRawPointer(message)) }
    }

    /// Answers every record whose deadline has passed with `failure`.
    func expire(now: UInt64, failure: String) {
        let expired = lock.withLock {
            let entries = pending.filter { $0.value.deadline < now }
            for key in entries.keys { pending.removeValue(forKey: key) }
            return Array(entries.values)
        }
        for entry in expired { entry.waiter.answer(index: entry.index, sequence: nil, failure: failure) }
    }

    /// Answers every record still waiting with `failure` (the connection is gone).
    func failAll(_ failure: String) {
        let all = lock.withLock {
            let entries = Array(pending.values)
            pending.removeAll()
            return entries
        }
        for entry in all { entry.waiter.answer(index: entry.index, sequence: nil, failure: failure) }
    }

    fileprivate func complete(_ message: OpaquePointer, sequence: UInt64?, failure: String?) {
        guard let entry = lock.withLock({ pending.removeValue(forKey: UnsafeMutableRawPointer(message)) }) else { return }
        entry.waiter.answer(index: entry.index, sequence: sequence, failure: failure ?? (sequence == nil ? "no acknowledgement" : nil))
    }

    /// The `jsPubAckHandler` given to libnats; `closure` is the unretained collector.
    static let ackHandler: jsPubAckHandler = { _, message, ack, ackError, closure in
        guard let message else { return }
        if let closure {
            let collector = Unmanaged<PublishCollector>.fromOpaque(closure).takeUnretainedValue()
            let failure = ackError.map { error -> String in
                let text = error.pointee.ErrText.map { String(cString: $0) } ?? String(cString: natsStatus_GetText(error.pointee.Err))
                return error.pointee.ErrCode.rawValue == 0 ? text : "\(text) (JetStream error \(error.pointee.ErrCode.rawValue))"
            }
            collector.complete(message, sequence: ack?.pointee.Sequence, failure: failure)
        }
        natsMsg_Destroy(message)
    }
}

/// One append's records in flight: calls `done` once, when every record sent has an answer
/// (a sequence or a failure) and the sender said how many it sent.
final class AppendWaiter: @unchecked Sendable {
    struct Outcome: Sendable {
        var sequences: [UInt64?]
        var failures: [Int: String] = [:]
        /// Why sending stopped early, thrown as is by the append.
        var sendError: (any Error)?
    }

    private let lock = NSLock()
    private var outcome: Outcome
    private var answered = 0
    private var sent: Int?
    private var done: ((Outcome) -> Void)?

    init(count: Int, done: @escaping (Outcome) -> Void) {
        outcome = Outcome(sequences: Array(repeating: nil, count: count))
        self.done = done
    }

    func answer(index: Int, sequence: UInt64?, failure: String?) {
        finishIfComplete {
            answered += 1
            if let sequence { outcome.sequences[index] = sequence }
            if let failure { outcome.failures[index] = failure }
        }
    }

    /// Every record was handed to libnats.
    func sentAll() {
        finishIfComplete { sent = outcome.sequences.count }
    }

    /// Only the first `count` records were handed to libnats; `error` says why.
    func stopped(afterSending count: Int, error: any Error) {
        finishIfComplete {
            sent = count
            outcome.sendError = error
        }
    }

    private func finishIfComplete(_ change: () -> Void) {
        let finished: (((Outcome) -> Void), Outcome)? = lock.withLock {
            change()
            guard let sent, answered >= sent, let done else { return nil }
            self.done = nil
            return (done, outcome)
        }
        if let (done, outcome) = finished { done(outcome) }
    }
}
