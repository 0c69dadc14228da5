/// Per-subscription settings of an `HTTPDeliveryClient`, or of one `CurlMultiSender` send.
///
/// Hashable: `CurlMultiSender` pools its configured curl handles by these settings.
public struct HTTPDeliveryClientOptions: Sendable, Hashable {
    /// Which addresses may be connected to (checked on the resolved address, every attempt).
    public var addressPolicy: AddressPolicy
    /// A PEM file of CA certificates to trust instead of the system store.
    public var caFile: String?
    /// A PEM client certificate for mutual TLS, and its key.
    public var clientCertificateFile: String?
    public var clientKeyFile: String?
    /// An HTTP(S) proxy URL. The guard then judges the proxy's address (the one connected to),
    /// so an internal proxy must be allow-listed; the proxy does its own egress filtering.
    /// Without one, environment proxies (`http_proxy`) are ignored on purpose.
    public var proxy: String?
    /// Fixed name-to-address entries in curl's `CURLOPT_RESOLVE` form (`host:port:address`),
    /// for pinning a receiver or simulating DNS in tests. The guard still judges the address.
    /// With `CurlMultiSender` the entries go into the DNS cache its transfers share, so a
    /// pinned name then resolves the same way for every send through that sender.
    public var resolve: [String]
    /// The response body kept for the attempt history; the rest is not read (D5).
    public var responseBytesMax: Int
    /// The `User-Agent` sent.
    public var userAgent: String

    /// The default response cap: 64 KiB.
    public static let defaultResponseBytesMax = 64 * 1024

    /// Creates options; by default only public addresses, system CAs, no proxy.
    public init(addressPolicy: AddressPolicy = .publicOnly, caFile: String? = nil,
                clientCertificateFile: String? = nil, clientKeyFile: String? = nil, proxy: String? = nil,
                resolve: [String] = [], responseBytesMax: Int = defaultResponseBytesMax, userAgent: String = "Simpul-Webhooks/1") {
        self.addressPolicy = addressPolicy
        self.caFile = caFile
        self.clientCertificateFile = clientCertificateFile
        self.clientKeyFile = clientKeyFile
        self.proxy = proxy
        self.resolve = resolve
        self.responseBytesMax = responseBytesMax
        self.userAgent = userAgent
    }
}
