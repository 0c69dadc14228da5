import CCurl
import Foundation

/// Sends many webhook attempts at once from one dedicated thread driving a curl multi
/// handle: the delivery engine's high-throughput path.
///
/// Each send picks a pooled curl handle configured for its `HTTPDeliveryClientOptions` (the
/// subscription's SSRF policy, CA file, client certificate, proxy), so those settings apply
/// per send; the multi handle's connection cache keeps connections alive across handles. The
/// guard judges every transfer's address, reused connections included (see
/// `deliveryPrerequestCallback`); the response cap, timeouts, no redirects and the refusal of
/// header line breaks are the same as `HTTPDeliveryClient`'s (`CurlEasyTransfer`).
///
/// At most `transfersMax` transfers run at once (and so at most that many connections are
/// open); further sends wait in order, and a send's timeout starts when its transfer starts.
///
/// Concurrency: safe from any task. Sends run concurrently; a cancelled task's send is
/// answered at once with `DeliveryError.cancelled` and its transfer removed.
public final class CurlMultiSender: Sendable {
    private let inbox: MultiInbox
    /// The limits this sender was made with.
    public let options: CurlMultiSenderOptions

    /// Creates the multi handle and starts the driver thread.
    /// - Throws: `DeliveryError.setup` when a limit is invalid or curl cannot be set up.
    public init(options: CurlMultiSenderOptions = CurlMultiSenderOptions()) throws(DeliveryError) {
        try options.validate()
        guard CurlGlobal.initialized else { throw .setup(detail: "curl_global_init failed") }
        guard let multi = curl_multi_init() else { throw .setup(detail: "curl_multi_init returned no handle") }
        let limits: [(CURLMoption, Int, String)] = [
            (CURLMOPT_MAX_TOTAL_CONNECTIONS, options.transfersMax, "CURLMOPT_MAX_TOTAL_CONNECTIONS"),
            // The connection cache: as many idle kept-alive connections as transfers may run.
            (CURLMOPT_MAXCONNECTS, options.transfersMax, "CURLMOPT_MAXCONNECTS"),
            (CURLMOPT_MAX_HOST_CONNECTIONS, options.connectionsPerHostMax, "CURLMOPT_MAX_HOST_CONNECTIONS"),
        ]
        for (option, value, name) in limits {
            let code = simpul_curl_multi_setopt_long(multi, option, value)
            guard code == CURLM_OK else {
                curl_multi_cleanup(multi)
                throw .setup(detail: "curl refused \(name): \(String(cString: curl_multi_strerror(code)))")
            }
        }
        self.options = options
        inbox = MultiInbox(multi: multi)
        let driver = CurlMultiDriver(multi: multi, inbox: inbox, options: options)
        let thread = Thread { driver.run() }
        thread.name = "simpul-curl-multi"
        thread.start()
    }

    deinit {
        inbox.requestShutdown()
    }

    /// Sends one attempt and returns its outcome; never throws — every failure, cancellation
    /// and shutdown included, is in the response's `error`.
    /// - Parameters:
    ///   - options: the subscription's settings; sends with equal options share pooled handles.
    public func send(_ request: DeliveryRequest, options: HTTPDeliveryClientOptions) async -> DeliveryResponse {
        let pending = PendingSend(request: request, options: options)
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                submit(pending) { continuation.resume(returning: $0) }
            }
        } onCancel: {
            if pending.finish(error: .cancelled(reason: "the sending task was cancelled")) {
                inbox.cancel(pending)
            }
        }
    }

    /// Sends one attempt and calls `completion` once with its outcome, on the sender's
    /// thread (keep it short: hand the answer over and return). No task per attempt: the
    /// engine's fast path.
    public func send(_ request: DeliveryRequest, options: HTTPDeliveryClientOptions,
                     completion: @escaping @Sendable (DeliveryResponse) -> Void) {
        submit(PendingSend(request: request, options: options), completion)
    }

    private func submit(_ pending: PendingSend, _ receiver: @escaping @Sendable (DeliveryResponse) -> Void) {
        guard pending.install(receiver) else { return }
        if !inbox.submit(pending) {
            pending.finish(error: .cancelled(reason: CurlMultiDriver.shutdownReason))
        }
    }

    /// Stops the sender: every send still waiting or running is answered with
    /// `DeliveryError.cancelled`, later sends are answered so at once, and the curl handles
    /// and connections are freed. Returns when that is done (within one turn of the driver's
    /// loop); calling it again returns at once.
    public func shutdown() {
        inbox.requestShutdown()
        inbox.waitUntilDriverFinished()
    }
}
