import CNATS
import Foundation

/// Gathers the PubAcks of one pipelined batch: libnats calls `ackHandler` on its own thread
/// for each message, and the publishing queue reads the results once the batch completes.
///
/// Messages are known by their pointer, registered before they are handed to libnats (so an
/// ack can never arrive first) and forgotten when acked (so a reused address is no clash).
/// A generation number keeps late acks of a timed-out batch out of the next one.
final class PublishCollector: @unchecked Sendable {
    struct Outcome {
        var sequences: [Int: UInt64] = [:]
        var failures: [Int: String] = [:]
    }

    private let lock = NSLock()
    private var generation = 0
    private var pending: [UnsafeMutableRawPointer: (generation: Int, index: Int)] = [:]
    private var outcome = Outcome()

    /// Starts a new batch and forgets whatever an earlier one left.
    func begin() {
        lock.withLock {
            generation += 1
            outcome = Outcome()
        }
    }

    func register(_ message: OpaquePointer, index: Int) {
        lock.withLock { pending[UnsafeMutableRawPointer(message)] = (generation, index) }
    }

    func unregister(_ message: OpaquePointer) {
        _ = lock.withLock { pending.removeValue(forKey: UnsafeMutableRawPointer(message)) }
    }

    func finish() -> Outcome {
        lock.withLock { outcome }
    }

    fileprivate func complete(_ message: OpaquePointer, sequence: UInt64?, failure: String?) {
        lock.withLock {
            guard let entry = pending.removeValue(forKey: UnsafeMutableRawPointer(message)),
                  entry.generation == generation else { return }
            if let sequence { outcome.sequences[entry.index] = sequence }
            if let failure { outcome.failures[entry.index] = failure }
        }
    }

    /// The `jsPubAckHandler` given to libnats; `closure` is the collector, retained by the client.
    static let ackHandler: jsPubAckHandler = { _, message, ack, ackError, closure in
        guard let message else { return }
        if let closure {
            let collector = Unmanaged<PublishCollector>.fromOpaque(closure).takeUnretainedValue()
            let failure = ackError.map { error -> String in
                let text = error.pointee.ErrText.map { String(cString: $0) } ?? String(cString: natsStatus_GetText(error.pointee.Err))
                return error.pointee.ErrCode.rawValue == 0 ? text : "\(text) (JetStream error \(error.pointee.ErrCode.rawValue))"
            }
            collector.complete(message, sequence: ack?.pointee.Sequence, failure: failure ?? (ack == nil ? "no acknowledgement" : nil))
        }
        natsMsg_Destroy(message)
    }
}
