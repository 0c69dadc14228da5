import CNATS
import Foundation

/// Routes the PubAck of each asynchronous publish to the one waiting for it: libnats calls
/// `ackHandler` on its own thread for each message (an ack, JetStream's refusal, or a
/// timeout after the publish's `MaxWait`), and the message's completion runs there.
///
/// Messages are known by their pointer, registered before they are handed to libnats (so an
/// ack can never arrive first) and forgotten when answered (so a reused address is no
/// clash). There is no round: each publish is answered as soon as its own ack arrives, so
/// publishers that come and go keep the connection's pipeline full.
final class PublishCollector: @unchecked Sendable {
    /// JetStream's answer to one publish.
    struct Answer: Sendable {
        /// The stream sequence given to the message (the first one's for a duplicate).
        var sequence: UInt64?
        /// Why it was not stored, in words; nil when it was.
        var failure: String?
        /// JetStream's error code when it refused the message, 0 otherwise.
        var code: jsErrCode = jsErrCode(0)
    }

    typealias Completion = @Sendable (Answer) -> Void

    private let lock = NSLock()
    private var pending: [UnsafeMutableRawPointer: Completion] = [:]
    private var closedReason: String?

    /// Registers the completion of `message`, about to be published. Returns false (and
    /// registers nothing) once the connection is closed.
    func register(_ message: OpaquePointer, _ completion: @escaping Completion) -> Bool {
        lock.withLock {
            guard closedReason == nil else { return false }
            pending[UnsafeMutableRawPointer(message)] = completion
            return true
        }
    }

    /// Forgets `message` (libnats refused it: no ack will come).
    func unregister(_ message: OpaquePointer) {
        _ = lock.withLock { pending.removeValue(forKey: UnsafeMutableRawPointer(message)) }
    }

    /// Answers every publish still waiting with `reason` and refuses new ones: the
    /// connection is closing, and libnats will call no handler for them.
    func closeAll(_ reason: String) {
        let waiting = lock.withLock { () -> [Completion] in
            closedReason = reason
            defer { pending.removeAll() }
            return Array(pending.values)
        }
        for completion in waiting { completion(Answer(sequence: nil, failure: reason)) }
    }

    fileprivate func complete(_ message: OpaquePointer, _ answer: Answer) {
        guard let completion = lock.withLock({ pending.removeValue(forKey: UnsafeMutableRawPointer(message)) }) else { return }
        completion(answer)
    }

    /// The `jsPubAckHandler` given to libnats; `closure` is the collector, retained by the client.
    static let ackHandler: jsPubAckHandler = { _, message, ack, ackError, closure in
        guard let message else { return }
        if let closure {
            let collector = Unmanaged<PublishCollector>.fromOpaque(closure).takeUnretainedValue()
            var answer = Answer(sequence: ack?.pointee.Sequence)
            if let error = ackError {
                let text = error.pointee.ErrText.map { String(cString: $0) } ?? String(cString: natsStatus_GetText(error.pointee.Err))
                answer.code = error.pointee.ErrCode
                answer.failure = error.pointee.ErrCode.rawValue == 0 ? text : "\(text) (JetStream error \(error.pointee.ErrCode.rawValue))"
                answer.sequence = nil
            } else if ack == nil {
                answer.failure = "no acknowledgement"
            }
            collector.complete(message, answer)
        }
        natsMsg_Destroy(message)
    }
}
