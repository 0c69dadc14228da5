import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A blocking TCP client over POSIX sockets for tests: it sends exact bytes (malformed ones
/// too) and parses just enough HTTP/1.1 to check the server's answers.
///
/// URLSession is not used: it is unreliable on Linux and would hide the wire behaviour these
/// tests are about. Use it from one thread.
public final class RawHTTPClient {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    /// A parsed response.
    public struct Response {
        public var status: Int
        public var headers: [(String, String)]
        public var body: [UInt8]

        public func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }

        public var bodyText: String { String(decoding: body, as: UTF8.self) }
    }

    private let fd: Int32
    private var pending: [UInt8] = []
    public private(set) var peerClosed = false

    /// Connects to `127.0.0.1:port`; reads give up after `readTimeoutSeconds`.
    public init(port: Int, readTimeoutSeconds: Double = 5) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket() failed: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        // A signal (libFuzzer's timer) can interrupt connect; the connection then completes
        // in the background and is waited for with poll.
        guard connected == 0 || (errno == EINTR && Self.awaitConnection(fd)) else {
            let code = errno
            Glibc.close(fd)
            throw Failure(description: "connect() failed: errno \(code)")
        }
        setReadTimeout(seconds: readTimeoutSeconds)
    }

    deinit { Glibc.close(fd) }

    /// Waits for a connect interrupted by a signal; true once it succeeded.
    private static func awaitConnection(_ fd: Int32) -> Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        var ready: Int32
        repeat { ready = poll(&entry, 1, 5000) } while ready < 0 && errno == EINTR
        var failure: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard ready == 1, getsockopt(fd, SOL_SOCKET, SO_ERROR, &failure, &length) == 0, failure == 0 else {
            errno = failure == 0 ? ETIMEDOUT : failure
            return false
        }
        return true
    }

    public func setReadTimeout(seconds: Double) {
        var timeout = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Sends all of `bytes`; returns `false` if the peer closed or reset the connection.
    @discardableResult
    public func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if sent < 0 && errno == EINTR { continue }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }

    @discardableResult
    public func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// Half-closes: the server sees end of input.
    public func shutdownWrite() { Glibc.shutdown(fd, Int32(SHUT_WR)) }

    /// Reads more bytes into the buffer; `false` at end of stream, reset or timeout.
    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 16384)
        var count: Int
        repeat {
            count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        } while count < 0 && errno == EINTR
        if count > 0 {
            pending += chunk[0..<count]
            return true
        }
        if count == 0 || errno == ECONNRESET { peerClosed = true }
        return false
    }

    /// Reads one response; `nil` if the connection ended (or timed out) before a whole one.
    /// - Parameters:
    ///   - bodyless: `true` for the answer to a `HEAD`.
    ///   - skippingInterim: skip `100 Continue` responses.
    public func readResponse(bodyless: Bool = false, skippingInterim: Bool = true) -> Response? {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        var headEnd: Int?
        while headEnd == nil {
            headEnd = pending.firstRange(of: separator)?.lowerBound
            if headEnd == nil, !fill() { return nil }
        }
        guard let headEnd else { return nil }
        let headText = String(decoding: pending[..<headEnd], as: UTF8.self)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { return nil }
        let headers = lines.compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        pending.removeFirst(headEnd + separator.count)
        var response = Response(status: status, headers: headers, body: [])
        if status == 100 {
            return skippingInterim ? readResponse(bodyless: bodyless) : response
        }
        let length = bodyless ? 0 : (response.header("content-length").flatMap { Int($0) } ?? 0)
        while pending.count < length {
            if !fill() { return nil }
        }
        response.body = Array(pending[..<length])
        pending.removeFirst(length)
        return response
    }

    /// Waits until the peer closes; `true` if it did within the read timeout (data read on
    /// the way is discarded).
    public func waitForClose() -> Bool {
        pending.removeAll()
        while fill() { pending.removeAll() }
        return peerClosed
    }

    /// Reads until the peer closes or the read timeout passes; returns everything read.
    public func readAll() -> [UInt8] {
        while fill() {}
        defer { pending.removeAll() }
        return pending
    }

    /// Sends a complete request and reads its response.
    public func request(
        _ method: String, _ target: String, headers: [(String, String)] = [], body: [UInt8] = []
    ) -> Response? {
        var text = "\(method) \(target) HTTP/1.1\r\nHost: localhost\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" { text += "Content-Length: \(body.count)\r\n" }
        text += "\r\n"
        guard send(Array(text.utf8) + body) else { return nil }
        return readResponse(bodyless: method == "HEAD")
    }
}
