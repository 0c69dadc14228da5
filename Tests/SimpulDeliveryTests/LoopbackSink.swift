import Foundation

/// A tiny HTTP/1.1 receiver on 127.0.0.1 or ::1 for the client tests, written on POSIX
/// sockets so the client is tested against a real socket and nothing of ours on the other side.
///
/// Paths choose the behaviour: `/ok` 200, `/fail` 500, `/ratelimit` 429 with `Retry-After: 7`,
/// `/hang` never answers, `/big` streams 1 MiB, `/redirect` 302 to `redirectTarget`, else 404.
/// It counts accepted connections, which is how the SSRF tests prove nothing got through.
/// Its state is behind a lock; threads poll a stop flag so `stop()` ends them promptly.
final class LoopbackSink: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible { let description: String }
    struct Request { var method = "POST"; let path: String; let headers: [String: String]; let body: [UInt8] }

    let port: UInt16
    var redirectTarget = "http://127.0.0.1:9/"
    private let listener: Int32
    private let lock = NSLock()
    private var acceptedCount = 0
    private var received: [Request] = []
    private var stopped = false

    /// Listens on `host` (`127.0.0.1` or `::1`) at an ephemeral port.
    init(host: String = "127.0.0.1") throws {
        let ipv6 = host.contains(":")
        let listener = socket(ipv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        var one: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var storage = sockaddr_storage()
        var length: socklen_t
        if ipv6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            inet_pton(AF_INET6, host, &address.sin6_addr)
            withUnsafeBytes(of: &address) { source in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: source) } }
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            inet_pton(AF_INET, host, &address.sin_addr)
            withUnsafeBytes(of: &address) { source in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: source) } }
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
        }
        let bound = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) }
        }
        guard bound == 0, listen(listener, 64) == 0 else {
            close(listener)
            throw Failure(description: "bind/listen on \(host): errno \(errno)")
        }
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        self.listener = listener
        port = withUnsafeBytes(of: &storage) { raw in
            UInt16(bigEndian: raw.load(fromByteOffset: 2, as: UInt16.self))  // sin_port and sin6_port share offset 2
        }
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    deinit { close(listener) }

    var accepts: Int { lock.withLock { acceptedCount } }
    var requests: [Request] { lock.withLock { received } }
    private var isStopped: Bool { lock.withLock { stopped } }

    func stop() { lock.withLock { stopped = true } }

    private func acceptLoop() {
        while !isStopped {
            guard waitReadable(listener) else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            lock.withLock { acceptedCount += 1 }
            Thread.detachNewThread { [self] in serve(client) }
        }
    }

    /// Waits up to 50 ms so loops notice `stop()`.
    private func waitReadable(_ descriptor: Int32) -> Bool {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 50) > 0
    }

    private func serve(_ client: Int32) {
        defer { close(client) }
        var buffer: [UInt8] = []
        while !isStopped {
            guard let request = readRequest(client, &buffer) else { return }
            lock.withLock { received.append(request) }
            if !respond(client, to: request) { return }
        }
    }

    private func readRequest(_ client: Int32, _ buffer: inout [UInt8]) -> Request? {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        while true {
            if let end = buffer.firstRange(of: separator) {
                let head = String(decoding: buffer[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
                var headers: [String: String] = [:]
                for line in head.dropFirst() {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                let length = Int(headers["content-length"] ?? "0") ?? 0
                if buffer.count - end.upperBound >= length {
                    let body = Array(buffer[end.upperBound..<(end.upperBound + length)])
                    buffer.removeFirst(end.upperBound + length)
                    let requestLine = head.first?.split(separator: " ") ?? []
                    let path = requestLine.dropFirst().first.map(String.init) ?? "/"
                    return Request(method: requestLine.first.map(String.init) ?? "", path: path, headers: headers, body: body)
                }
            }
            guard let chunk = readChunk(client) else { return nil }
            buffer += chunk
        }
    }

    /// Nil when the peer closed or the sink stopped.
    private func readChunk(_ client: Int32) -> [UInt8]? {
        while !isStopped {
            guard waitReadable(client) else { continue }
            var chunk = [UInt8](repeating: 0, count: 16 * 1024)
            let count = chunk.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            return count > 0 ? Array(chunk.prefix(count)) : nil
        }
        return nil
    }

    private func respond(_ client: Int32, to request: Request) -> Bool {
        switch request.path {
        case "/ok": return write(client, head: "200 OK", body: Array("ok".utf8))
        case "/fail": return write(client, head: "500 Internal Server Error", body: Array("down".utf8))
        case "/ratelimit": return write(client, head: "429 Too Many Requests", extra: "Retry-After: 7\r\n", body: [])
        case "/redirect": return write(client, head: "302 Found", extra: "Location: \(redirectTarget)\r\n", body: [])
        case "/big": return write(client, head: "200 OK", body: [UInt8](repeating: 0x61, count: 1 << 20))
        case "/hang":
            while readChunk(client) != nil {}  // until the client gives up and closes
            return false
        default: return write(client, head: "404 Not Found", body: [])
        }
    }

    private func write(_ client: Int32, head: String, extra: String = "", body: [UInt8]) -> Bool {
        let bytes = Array("HTTP/1.1 \(head)\r\nContent-Length: \(body.count)\r\n\(extra)\r\n".utf8) + body
        var offset = 0
        while offset < bytes.count {
            // MSG_NOSIGNAL: a client that stops reading must not kill the test process with SIGPIPE.
            let sent = bytes[offset...].withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }
}
