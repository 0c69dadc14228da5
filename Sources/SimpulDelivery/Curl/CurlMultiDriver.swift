import CCurl
import Foundation

/// The loop on the multi sender's own thread: it owns the curl multi handle, every easy
/// handle, the queue of sends waiting for a free slot and the running transfers.
///
/// Each turn: take what callers queued (sends, cancellations, shutdown), start waiting sends
/// up to `transfersMax`, let curl do its work (`curl_multi_perform`), answer the finished
/// transfers (`curl_multi_info_read`), then sleep in `curl_multi_poll` until a socket is
/// ready, a curl timer (a transfer's timeout) is due, or a caller wakes it.
///
/// Concurrency: `@unchecked Sendable` only to be handed to its thread; after `init` nothing
/// but that thread touches it (the callers talk to it through `MultiInbox`).
final class CurlMultiDriver: @unchecked Sendable {
    private struct Running {
        let send: PendingSend
        let transfer: CurlEasyTransfer
    }

    /// The longest sleep in `curl_multi_poll`; curl wakes earlier for its own timers.
    static let pollIntervalMsMax: Int32 = 1000
    static let shutdownReason = "the delivery sender shut down"

    private let multi: UnsafeMutableRawPointer
    private let inbox: MultiInbox
    private let transfersMax: Int
    private var pool: EasyHandlePool
    private var waiting: [PendingSend] = []
    private var waitingHead = 0
    private var running: [UnsafeMutableRawPointer: Running] = [:]
    private var runningBySend: [ObjectIdentifier: UnsafeMutableRawPointer] = [:]

    init(multi: UnsafeMutableRawPointer, inbox: MultiInbox, options: CurlMultiSenderOptions) {
        self.multi = multi
        self.inbox = inbox
        self.transfersMax = options.transfersMax
        self.pool = EasyHandlePool(idleMax: options.idleHandlesMax)
    }

    /// Runs until shutdown; then every send still queued or running is answered `cancelled`
    /// and the handles are freed.
    func run() {
        while true {
            let (sends, cancellations, shutdown) = inbox.take()
            waiting += sends
            for send in cancellations { remove(send) }
            if shutdown { break }
            startWaiting()
            var stillRunning: Int32 = 0
            _ = curl_multi_perform(multi, &stillRunning)
            let finished = answerFinished()
            // Finished transfers freed slots: fill them before sleeping.
            if finished > 0 && waitingCount > 0 { continue }
            _ = curl_multi_poll(multi, nil, 0, Self.pollIntervalMsMax, nil)
        }
        closeDown()
    }

    private var waitingCount: Int { waiting.count - waitingHead }

    private func startWaiting() {
        while running.count < transfersMax, waitingHead < waiting.count {
            let send = waiting[waitingHead]
            waitingHead += 1
            start(send)
        }
        // Drop the consumed prefix now and then, so the queue does not grow without end.
        if waitingHead > 1024 && waitingHead * 2 > waiting.count {
            waiting.removeFirst(waitingHead)
            waitingHead = 0
        }
    }

    private func start(_ send: PendingSend) {
        guard !send.isAnswered else { return }  // cancelled while it waited
        let transfer: CurlEasyTransfer
        do {
            transfer = try pool.take(for: send.options)
        } catch {
            send.finish(error: error)
            return
        }
        do {
            try transfer.prepare(send.request)
        } catch {
            send.finish(transfer.finish(refused: error))
            pool.put(transfer)
            return
        }
        let code = curl_multi_add_handle(multi, transfer.handle)
        guard code == CURLM_OK else {
            let detail = "curl_multi_add_handle failed: \(String(cString: curl_multi_strerror(code)))"
            send.finish(transfer.finish(refused: .setup(detail: detail)))
            pool.put(transfer)
            return
        }
        running[transfer.handle] = Running(send: send, transfer: transfer)
        runningBySend[ObjectIdentifier(send)] = transfer.handle
    }

    /// Answers every transfer curl reports done; returns how many.
    private func answerFinished() -> Int {
        var finished = 0
        var queued: Int32 = 0
        while let message = curl_multi_info_read(multi, &queued) {
            guard simpul_curl_message_is_done(message) != 0, let handle = message.pointee.easy_handle else { continue }
            let code = simpul_curl_message_result(message)
            // The message is invalid once its handle is removed: everything was read above.
            guard let transfer = detach(handle) else { continue }
            transfer.send.finish(transfer.transfer.finish(code: code))
            pool.put(transfer.transfer)
            finished += 1
        }
        return finished
    }

    /// A cancelled send was answered already; its transfer, if running, is stopped here.
    private func remove(_ send: PendingSend) {
        guard let handle = runningBySend[ObjectIdentifier(send)], let transfer = detach(handle) else { return }
        _ = transfer.transfer.finish(refused: .cancelled(reason: "the sending task was cancelled"))
        pool.put(transfer.transfer)
    }

    private func detach(_ handle: UnsafeMutableRawPointer) -> Running? {
        guard let transfer = running.removeValue(forKey: handle) else { return nil }
        runningBySend[ObjectIdentifier(transfer.send)] = nil
        _ = curl_multi_remove_handle(multi, handle)
        return transfer
    }

    private func closeDown() {
        // Sends queued before the shutdown request arrived are in `waiting` already; later
        // ones were refused by the inbox itself.
        for send in waiting[waitingHead...] { send.finish(error: .cancelled(reason: Self.shutdownReason)) }
        waiting = []
        waitingHead = 0
        for handle in Array(running.keys) {
            guard let transfer = detach(handle) else { continue }
            transfer.send.finish(transfer.transfer.finish(refused: .cancelled(reason: Self.shutdownReason)))
        }
        pool.removeAll()
        inbox.close()
        curl_multi_cleanup(multi)
        inbox.markDriverFinished()
    }
}
