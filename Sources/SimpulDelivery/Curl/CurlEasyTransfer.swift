import CCurl
import Foundation

/// One libcurl easy handle configured for webhook attempts, shared by `HTTPDeliveryClient`
/// (which performs it itself) and `CurlMultiSender` (which drives it in a multi handle).
///
/// Every option that matters is set explicitly (STYLE.md habit 10): protocols `http,https`
/// only, redirects off, TLS verification on, `NOSIGNAL`, no environment proxy, a per-attempt
/// timeout, a capped response body, and the SSRF guard twice: in the open-socket callback
/// (new connections) and in the pre-request callback (every transfer, reused connections too).
///
/// One attempt is `prepare`, then a perform (easy or multi), then `finish`.
///
/// Concurrency: a curl easy handle must not be used by two threads at once, so this class is
/// not `Sendable`; its owner serialises every call.
final class CurlEasyTransfer {
    /// The curl handle, for `curl_easy_perform` or `curl_multi_add_handle`.
    let handle: UnsafeMutableRawPointer
    /// The settings this handle was configured with.
    let options: HTTPDeliveryClientOptions
    private let context: TransferContext
    /// curl keeps a pointer to the `CURLOPT_RESOLVE` list, so it lives as long as the handle.
    private var resolveList: UnsafeMutablePointer<curl_slist>?
    /// The current attempt's header lines; freed in `finish`, after curl is told to forget them.
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private var attempt: (url: String, timeoutMs: Int, start: ContinuousClock.Instant)?

    /// Creates and configures a handle.
    /// - Throws: `DeliveryError.setup` when curl cannot be initialised or refuses an option
    ///   (for example a libcurl without `https`).
    init(options: HTTPDeliveryClientOptions) throws(DeliveryError) {
        precondition(options.responseBytesMax >= 0, "responseBytesMax must not be negative")
        guard CurlGlobal.initialized else { throw .setup(detail: "curl_global_init failed") }
        guard let handle = curl_easy_init() else { throw .setup(detail: "curl_easy_init returned no handle") }
        self.handle = handle
        self.options = options
        self.context = TransferContext(policy: options.addressPolicy, responseBytesMax: options.responseBytesMax)
        do {
            try configure()
        } catch {
            curl_easy_cleanup(handle)
            curl_slist_free_all(resolveList)
            throw error
        }
    }

    deinit {
        curl_easy_cleanup(handle)
        curl_slist_free_all(resolveList)
        curl_slist_free_all(headerList)
    }

    private func configure() throws(DeliveryError) {
        let user = Unmanaged.passUnretained(context).toOpaque()
        try check(simpul_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1), "CURLOPT_NOSIGNAL")
        try check(simpul_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"), "CURLOPT_PROTOCOLS_STR")
        try check(simpul_curl_setopt_string(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"), "CURLOPT_REDIR_PROTOCOLS_STR")
        try check(simpul_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0), "CURLOPT_FOLLOWLOCATION")
        try check(simpul_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1), "CURLOPT_SSL_VERIFYPEER")
        try check(simpul_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2), "CURLOPT_SSL_VERIFYHOST")
        try check(simpul_curl_setopt_long(handle, CURLOPT_POST, 1), "CURLOPT_POST")
        try check(simpul_curl_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1), "CURLOPT_TCP_KEEPALIVE")
        try check(simpul_curl_setopt_string(handle, CURLOPT_USERAGENT, options.userAgent), "CURLOPT_USERAGENT")
        // An empty proxy string disables http_proxy and friends from the environment.
        try check(simpul_curl_setopt_string(handle, CURLOPT_PROXY, options.proxy ?? ""), "CURLOPT_PROXY")
        for entry in options.resolve { resolveList = curl_slist_append(resolveList, entry) }
        if resolveList != nil {
            try check(simpul_curl_setopt_slist(handle, CURLOPT_RESOLVE, resolveList), "CURLOPT_RESOLVE")
        }
        if let caFile = options.caFile {
            try check(simpul_curl_setopt_string(handle, CURLOPT_CAINFO, caFile), "CURLOPT_CAINFO")
        }
        if let certificate = options.clientCertificateFile {
            try check(simpul_curl_setopt_string(handle, CURLOPT_SSLCERT, certificate), "CURLOPT_SSLCERT")
        }
        if let key = options.clientKeyFile {
            try check(simpul_curl_setopt_string(handle, CURLOPT_SSLKEY, key), "CURLOPT_SSLKEY")
        }
        try check(simpul_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, context.errorBuffer), "CURLOPT_ERRORBUFFER")
        try check(simpul_curl_setopt_write_callback(handle, deliveryWriteCallback), "CURLOPT_WRITEFUNCTION")
        try check(simpul_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, user), "CURLOPT_WRITEDATA")
        try check(simpul_curl_setopt_header_callback(handle, deliveryHeaderCallback), "CURLOPT_HEADERFUNCTION")
        try check(simpul_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, user), "CURLOPT_HEADERDATA")
        try check(simpul_curl_setopt_opensocket_callback(handle, deliveryOpenSocketCallback), "CURLOPT_OPENSOCKETFUNCTION")
        try check(simpul_curl_setopt_pointer(handle, CURLOPT_OPENSOCKETDATA, user), "CURLOPT_OPENSOCKETDATA")
        try check(simpul_curl_setopt_prereq_callback(handle, deliveryPrerequestCallback), "CURLOPT_PREREQFUNCTION")
        try check(simpul_curl_setopt_pointer(handle, CURLOPT_PREREQDATA, user), "CURLOPT_PREREQDATA")
    }

    /// Sets the per-attempt options (URL, timeout, headers, body) and starts the attempt's clock.
    /// - Throws: `DeliveryError.setup` when the request cannot be sent as given (a header
    ///   with a line break, an option curl refuses); call `finish(refused:)` then.
    func prepare(_ request: DeliveryRequest) throws(DeliveryError) {
        precondition(attempt == nil, "prepare called twice without finish")
        context.reset()
        let timeoutMs = Self.milliseconds(request.timeout)
        attempt = (request.url, timeoutMs, ContinuousClock.now)
        // curl sends header lines verbatim: a line break in a name or value would smuggle in
        // headers (or a second request), so such a request is refused, not sent.
        for (name, value) in request.headers
        where (name + value).unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) {
            throw .setup(detail: "header \(name.debugDescription) contains a line break or NUL; the request was not sent")
        }
        // curl sends `Expect: 100-continue` for large bodies; receivers rarely need the extra round trip.
        for line in request.headers.map({ "\($0.name): \($0.value)" }) + ["Expect:"] {
            headerList = curl_slist_append(headerList, line)
        }
        try check(simpul_curl_setopt_string(handle, CURLOPT_URL, request.url), "CURLOPT_URL")
        try check(simpul_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, timeoutMs), "CURLOPT_TIMEOUT_MS")
        try check(simpul_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList), "CURLOPT_HTTPHEADER")
        try setMethod(request)
    }

    /// The handle is reused, so every request sets its method afresh: GET and DELETE send
    /// no body; POST, PATCH and PUT send `body` (PATCH and PUT as a POST with another verb).
    private func setMethod(_ request: DeliveryRequest) throws(DeliveryError) {
        let custom: String? = request.method == .get || request.method == .post ? nil : request.method.rawValue
        try check(simpul_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, custom), "CURLOPT_CUSTOMREQUEST")
        guard request.method.sendsBody else {
            try check(simpul_curl_setopt_long(handle, CURLOPT_HTTPGET, 1), "CURLOPT_HTTPGET")
            return
        }
        try check(simpul_curl_setopt_long(handle, CURLOPT_POST, 1), "CURLOPT_POST")
        try check(simpul_curl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, request.body.count), "CURLOPT_POSTFIELDSIZE")
        // COPYPOSTFIELDS: curl keeps its own copy, so no Swift buffer must outlive this call.
        let code = request.body.withUnsafeBytes { raw in
            let pointer = raw.baseAddress ?? UnsafeRawPointer(("" as StaticString).utf8Start)
            return simpul_curl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: pointer))
        }
        try check(code, "CURLOPT_COPYPOSTFIELDS")
    }

    /// Ends a performed attempt: reads what curl reports and maps its code to a typed error.
    func finish(code: CURLcode) -> DeliveryResponse {
        let (url, timeoutMs, start) = endAttempt()
        let duration = ContinuousClock.now - start
        var status = 0
        _ = simpul_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        var osErrno = 0
        _ = simpul_curl_getinfo_long(handle, CURLINFO_OS_ERRNO, &osErrno)
        var primaryIP: UnsafeMutablePointer<CChar>?
        _ = simpul_curl_getinfo_string(handle, CURLINFO_PRIMARY_IP, &primaryIP)
        let connected = primaryIP.map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
        let error = CurlErrorMapping.error(
            code: code, context: context, url: url, timeoutMs: timeoutMs, osErrno: Int32(osErrno))
        return DeliveryResponse(
            status: status > 0 ? status : nil, duration: duration, error: error, body: context.body,
            bodyTruncated: context.bodyTruncated, retryAfter: context.retryAfter, connectedAddress: connected)
    }

    /// Ends an attempt that was never performed (refused by `prepare`, cancelled, shut down).
    func finish(refused error: DeliveryError) -> DeliveryResponse {
        let start = endAttempt().start
        return DeliveryResponse(status: nil, duration: ContinuousClock.now - start, error: error)
    }

    /// Unhooks and frees the header list, so the handle never holds a dangling pointer.
    private func endAttempt() -> (url: String, timeoutMs: Int, start: ContinuousClock.Instant) {
        _ = simpul_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, nil)
        curl_slist_free_all(headerList)
        headerList = nil
        defer { attempt = nil }
        return attempt ?? ("", 0, ContinuousClock.now)
    }

    private func check(_ code: CURLcode, _ option: String) throws(DeliveryError) {
        guard code == CURLE_OK else {
            throw .setup(detail: "curl refused \(option): \(String(cString: curl_easy_strerror(code)))")
        }
    }

    static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }
}

/// `curl_global_init` once per process, before the first handle (thread-safe since 7.84
/// on Linux, and Swift runs a `static let` initialiser exactly once).
enum CurlGlobal {
    static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK
}
