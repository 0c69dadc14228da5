import Foundation

/// One `CurlMultiSender.send` in flight: the request and whom to answer (a continuation,
/// or a completion handler that the engine uses to avoid a task per attempt).
///
/// The answer is given exactly once, by whoever calls `finish` first — the driver thread
/// when the transfer completes, the cancellation handler, or shutdown — because `finish`
/// takes the receiver out under the lock. A cancellation that comes before the receiver
/// is installed leaves its answer here, and `install` gives it at once.
///
/// Concurrency: safe from any thread (its mutable state is behind a lock).
final class PendingSend: @unchecked Sendable {
    let request: DeliveryRequest
    let options: HTTPDeliveryClientOptions
    let createdAt = ContinuousClock.now
    private let lock = NSLock()
    private var receiver: (@Sendable (DeliveryResponse) -> Void)?
    private var earlyAnswer: DeliveryResponse?
    private var answered = false

    init(request: DeliveryRequest, options: HTTPDeliveryClientOptions) {
        self.request = request
        self.options = options
    }

    /// Hands over the receiver of the answer. Returns false when the send was already
    /// answered (cancelled before it started): the receiver is then called here and the
    /// send must not be submitted.
    func install(_ receiver: @escaping @Sendable (DeliveryResponse) -> Void) -> Bool {
        lock.lock()
        guard answered else {
            self.receiver = receiver
            lock.unlock()
            return true
        }
        let answer = earlyAnswer
        earlyAnswer = nil
        lock.unlock()
        // `finish` before `install` always leaves its answer; only a second install finds none.
        guard let answer else { preconditionFailure("install called twice on one send") }
        receiver(answer)
        return false
    }

    /// Answers the send; false when it had been answered already (the answer is dropped).
    @discardableResult
    func finish(_ response: DeliveryResponse) -> Bool {
        lock.lock()
        guard !answered else {
            lock.unlock()
            return false
        }
        answered = true
        let waiting = receiver
        receiver = nil
        if waiting == nil { earlyAnswer = response }
        lock.unlock()
        waiting?(response)
        return true
    }

    /// Answers with an error, the duration counted from the call to `send`.
    @discardableResult
    func finish(error: DeliveryError) -> Bool {
        finish(DeliveryResponse(status: nil, duration: ContinuousClock.now - createdAt, error: error))
    }

    var isAnswered: Bool {
        lock.lock()
        defer { lock.unlock() }
        return answered
    }
}
