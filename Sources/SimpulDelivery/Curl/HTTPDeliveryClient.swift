import CCurl
import Foundation

/// POSTs webhook attempts (and sends the admin CLI's API calls) through one reused libcurl
/// easy handle, so consecutive attempts to the same receiver share a kept-alive connection.
///
/// The handle's configuration (protocols, redirects off, TLS verification, the SSRF guard,
/// the response cap) is `CurlEasyTransfer`'s, shared with `CurlMultiSender`.
///
/// Concurrency: a curl easy handle must not be used by two threads at once, so this class is
/// deliberately not `Sendable`. Own one client per sender task; `send` blocks that task's
/// thread for up to the request's timeout. For many concurrent attempts on one thread, use
/// `CurlMultiSender`.
public final class HTTPDeliveryClient {
    private let transfer: CurlEasyTransfer
    /// The settings this client was made with.
    public var options: HTTPDeliveryClientOptions { transfer.options }

    /// Creates a client and its curl handle.
    /// - Throws: `DeliveryError.setup` when curl cannot be initialised or refuses an option
    ///   (for example a libcurl without `https`).
    public init(options: HTTPDeliveryClientOptions = HTTPDeliveryClientOptions()) throws(DeliveryError) {
        transfer = try CurlEasyTransfer(options: options)
    }

    /// Sends one attempt and waits for its outcome; never throws — every failure is in the
    /// response's `error`, so the caller records it in the attempt history.
    public func send(_ request: DeliveryRequest) -> DeliveryResponse {
        do {
            try transfer.prepare(request)
        } catch {
            return transfer.finish(refused: error)
        }
        return transfer.finish(code: curl_easy_perform(transfer.handle))
    }
}
