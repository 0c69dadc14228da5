import CCurl
import Foundation

/// What callers hand the multi sender's driver thread: new sends, cancellations, and the
/// request to shut down. The driver takes everything at once each time round its loop.
///
/// Waking the driver (`curl_multi_wakeup`, a write to curl's internal socket pair) happens
/// at most once per loop, however many sends arrive meanwhile. The wake-up is made under the
/// lock, and the driver marks the inbox closed under the same lock before it frees the
/// multi handle, so no caller ever wakes a freed handle.
///
/// Concurrency: safe from any thread.
final class MultiInbox: @unchecked Sendable {
    private let lock = NSLock()
    private let closedCondition = NSCondition()
    private let multi: UnsafeMutableRawPointer
    private var sends: [PendingSend] = []
    private var cancellations: [PendingSend] = []
    private var shutdownRequested = false
    private var wakePending = false
    private var closed = false
    private var driverFinished = false

    init(multi: UnsafeMutableRawPointer) {
        self.multi = multi
    }

    /// Queues a send for the driver; false when the sender is shut down (not queued).
    func submit(_ send: PendingSend) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard !shutdownRequested else { return false }
        sends.append(send)
        wakeLocked()
        return true
    }

    /// Asks the driver to remove the transfer of an answered send, if it is running.
    func cancel(_ send: PendingSend) {
        lock.lock()
        defer { lock.unlock() }
        guard !shutdownRequested else { return }  // shutdown removes every transfer anyway
        cancellations.append(send)
        wakeLocked()
    }

    func requestShutdown() {
        lock.lock()
        defer { lock.unlock() }
        shutdownRequested = true
        wakeLocked()
    }

    /// The driver's share: everything queued since the last call.
    func take() -> (sends: [PendingSend], cancellations: [PendingSend], shutdown: Bool) {
        lock.lock()
        defer { lock.unlock() }
        wakePending = false
        let taken = (sends, cancellations, shutdownRequested)
        sends = []
        cancellations = []
        return taken
    }

    /// The driver is about to free the multi handle: no wake-up may reach it any more.
    func close() {
        lock.lock()
        closed = true
        lock.unlock()
    }

    /// The driver thread has answered everything and freed its handles.
    func markDriverFinished() {
        closedCondition.lock()
        driverFinished = true
        closedCondition.broadcast()
        closedCondition.unlock()
    }

    func waitUntilDriverFinished() {
        closedCondition.lock()
        while !driverFinished { closedCondition.wait() }
        closedCondition.unlock()
    }

    private func wakeLocked() {
        guard !wakePending, !closed else { return }
        wakePending = true
        _ = curl_multi_wakeup(multi)
    }
}
