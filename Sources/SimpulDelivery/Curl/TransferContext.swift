import CCurl
import Foundation

/// The state curl's callbacks read and write during one attempt.
///
/// curl calls the callbacks synchronously on the thread running the transfer (the client's
/// caller, or the multi sender's driver thread), and a handle runs one transfer at a time,
/// so no lock is needed; the object is owned by its `CurlEasyTransfer` and handed to curl as
/// an unretained pointer that lives as long as the handle.
final class TransferContext {
    let policy: AddressPolicy
    let responseBytesMax: Int
    var body: [UInt8] = []
    var bodyTruncated = false
    var retryAfter: String?
    var refusal: AddressRefusal?
    /// The pre-request check refused the address of the connection (new or reused) chosen.
    var connectionRefusal: AddressRefusal?
    /// Sockets the guard let curl open this attempt: with none, a failed connect was the guard's doing.
    var socketsOpened = 0
    /// curl's `CURLOPT_ERRORBUFFER`: curl writes its detailed message here.
    let errorBuffer: UnsafeMutablePointer<CChar>

    init(policy: AddressPolicy, responseBytesMax: Int) {
        self.policy = policy
        self.responseBytesMax = responseBytesMax
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit { errorBuffer.deallocate() }

    /// Clears what the previous attempt left.
    func reset() {
        body.removeAll(keepingCapacity: true)
        bodyTruncated = false
        retryAfter = nil
        refusal = nil
        connectionRefusal = nil
        socketsOpened = 0
        errorBuffer[0] = 0
    }

    var errorMessage: String { String(cString: errorBuffer) }

    static func from(_ pointer: UnsafeMutableRawPointer) -> TransferContext {
        Unmanaged<TransferContext>.fromOpaque(pointer).takeUnretainedValue()
    }
}

/// `CURLOPT_WRITEFUNCTION`: keeps at most `responseBytesMax` bytes, then returns a short
/// count, which makes curl abort the transfer (`CURLE_WRITE_ERROR`) instead of reading a
/// gigabyte from a hostile or broken receiver.
func deliveryWriteCallback(
    data: UnsafeMutablePointer<CChar>?, size: Int, count: Int, user: UnsafeMutableRawPointer?
) -> Int {
    guard let data, let user else { return 0 }
    let context = TransferContext.from(user)
    let length = size * count
    let room = context.responseBytesMax - context.body.count
    let kept = min(room, length)
    if kept > 0 {
        data.withMemoryRebound(to: UInt8.self, capacity: kept) {
            context.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: kept))
        }
    }
    if kept < length {
        context.bodyTruncated = true
        return kept
    }
    return length
}

/// `CURLOPT_HEADERFUNCTION`: remembers the final response's `Retry-After`.
func deliveryHeaderCallback(
    data: UnsafeMutablePointer<CChar>?, size: Int, count: Int, user: UnsafeMutableRawPointer?
) -> Int {
    let length = size * count
    guard let data, let user else { return length }
    let context = TransferContext.from(user)
    let line = data.withMemoryRebound(to: UInt8.self, capacity: length) {
        String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
    }
    if line.hasPrefix("HTTP/") {
        context.retryAfter = nil  // a new response (after a 100 Continue) starts afresh
    } else if let colon = line.firstIndex(of: ":"),
              line[..<colon].lowercased() == "retry-after" {
        context.retryAfter = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
    }
    return length
}

/// `CURLOPT_OPENSOCKETFUNCTION`: the SSRF guard. curl calls it with the resolved address it
/// is about to connect to, after every DNS lookup and for every address it tries, so a name
/// that resolves differently the second time (DNS rebinding) is still judged on the address
/// used. A refused address gets no socket: nothing is sent to it.
func deliveryOpenSocketCallback(
    user: UnsafeMutableRawPointer?, purpose: curlsocktype, address: UnsafeMutablePointer<curl_sockaddr>?
) -> curl_socket_t {
    guard let user, let address else { return simpul_curl_socket_bad() }
    let context = TransferContext.from(user)
    let family = address.pointee.family
    guard let ip = ipAddress(of: address) else {
        context.refusal = AddressRefusal(address: "address family \(family)", reason: .reserved)
        return simpul_curl_socket_bad()
    }
    if let refusal = context.policy.refusal(for: ip) {
        context.refusal = refusal
        return simpul_curl_socket_bad()
    }
    context.socketsOpened += 1
    return socket(family, address.pointee.socktype, address.pointee.protocol)
}

/// `CURLOPT_PREREQFUNCTION`: the SSRF guard's second look. In a multi handle, connections
/// are shared by every easy handle, and a reused connection opens no socket, so the
/// open-socket callback never sees it: one subscription could otherwise ride a connection
/// another subscription's more permissive policy opened. curl calls this for every
/// transfer, on a new or a reused connection, with the address connected to (the proxy's,
/// with a proxy, as in the open-socket callback), before anything is sent.
func deliveryPrerequestCallback(
    user: UnsafeMutableRawPointer?, primaryIP: UnsafeMutablePointer<CChar>?,
    localIP: UnsafeMutablePointer<CChar>?, primaryPort: Int32, localPort: Int32
) -> Int32 {
    let abort = Int32(CURL_PREREQFUNC_ABORT)
    guard let user else { return abort }
    let context = TransferContext.from(user)
    // curl writes a zone into link-local IPv6 addresses (`fe80::1%eth0`); the address is before it.
    let text = primaryIP.map { String(cString: $0) }?.split(separator: "%").first.map(String.init) ?? ""
    guard let ip = IPAddress(text) else {
        context.connectionRefusal = AddressRefusal(address: text.isEmpty ? "an unknown address" : text, reason: .reserved)
        return abort
    }
    if let refusal = context.policy.refusal(for: ip) {
        context.connectionRefusal = refusal
        return abort
    }
    return Int32(CURL_PREREQFUNC_OK)
}

/// Reads the IP address out of curl's socket address. curl allocates room for a whole
/// `sockaddr_storage` behind the `addr` field, so reading a `sockaddr_in6` is in bounds;
/// `addrlen` is checked anyway.
private func ipAddress(of address: UnsafeMutablePointer<curl_sockaddr>) -> IPAddress? {
    guard let offset = MemoryLayout<curl_sockaddr>.offset(of: \curl_sockaddr.addr) else { return nil }
    let raw = UnsafeRawPointer(address) + offset
    let length = Int(address.pointee.addrlen)
    switch address.pointee.family {
    case AF_INET where length >= MemoryLayout<sockaddr_in>.size:
        var ipv4 = raw.loadUnaligned(as: sockaddr_in.self).sin_addr
        return IPAddress(bytes: withUnsafeBytes(of: &ipv4) { Array($0) })
    case AF_INET6 where length >= MemoryLayout<sockaddr_in6>.size:
        var ipv6 = raw.loadUnaligned(as: sockaddr_in6.self).sin6_addr
        return IPAddress(bytes: withUnsafeBytes(of: &ipv6) { Array($0) })
    default:
        return nil
    }
}
