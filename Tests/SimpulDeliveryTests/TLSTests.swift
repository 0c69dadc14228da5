import Foundation
import XCTest
@testable import SimpulDelivery

/// Goal: TLS verification is on. A receiver on 127.0.0.1 with a self-signed certificate is
/// refused with a typed TLS error; trusting that certificate through `caFile` lets it through.
/// The certificate comes from the `openssl` command and the server is Python's `ssl`: nothing
/// of ours on the receiving side.
final class TLSTests: XCTestCase {
    private var directory = ""
    private var server: Process?

    override func tearDown() {
        server?.terminate()
        server?.waitUntilExit()
        if !directory.isEmpty { try? FileManager.default.removeItem(atPath: directory) }
    }

    /// A self-signed certificate and key from the `openssl` command, named `name` in the temp directory.
    private func makeCertificate(_ name: String, subject: String) throws -> (certificate: String, key: String) {
        if directory.isEmpty {
            directory = NSTemporaryDirectory() + "simpul-tls-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let certificate = directory + "/\(name).pem", key = directory + "/\(name)-key.pem"
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        openssl.arguments = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                             "-subj", "/CN=\(subject)", "-addext", "subjectAltName=IP:127.0.0.1",
                             "-keyout", key, "-out", certificate]
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        XCTAssertEqual(openssl.terminationStatus, 0, "openssl req")
        return (certificate, key)
    }

    /// Starts an HTTPS server on 127.0.0.1 answering 200 with a fresh self-signed certificate;
    /// with `clientCA`, it demands a client certificate signed by it (mutual TLS).
    /// Returns its port and the server certificate's path.
    private func startServer(clientCA: String? = nil) throws -> (port: Int, certificate: String) {
        let (certificate, key) = try makeCertificate("server", subject: "127.0.0.1")

        let script = """
        import http.server, ssl, sys
        class H(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                self.send_response(200); self.send_header("Content-Length", "2"); self.end_headers()
                self.wfile.write(b"ok")
            def log_message(self, *args): pass
        server = http.server.HTTPServer(("127.0.0.1", 0), H)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(sys.argv[1], sys.argv[2])
        if len(sys.argv) > 3:
            context.verify_mode = ssl.CERT_REQUIRED
            context.load_verify_locations(sys.argv[3])
        server.socket = context.wrap_socket(server.socket, server_side=True)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, certificate, key] + (clientCA.map { [$0] } ?? [])
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        server = process
        var line = Data()
        while !line.contains(0x0a) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line += chunk
        }
        let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        XCTAssertGreaterThan(port, 0, "the Python HTTPS server printed its port")
        return (port, certificate)
    }

    func testSelfSignedCertificateIsRefusedUnlessTrusted() throws {
        let (port, certificate) = try startServer()
        let request = DeliveryRequest(url: "https://127.0.0.1:\(port)/", body: Array("{}".utf8), timeout: .seconds(5))
        let policy = AddressPolicy(allowPrivateNetworks: true)

        let untrusted = try HTTPDeliveryClient(options: HTTPDeliveryClientOptions(addressPolicy: policy))
        let refused = untrusted.send(request)
        XCTAssertNil(refused.status)
        guard case .tls = refused.error else { return XCTFail("\(String(describing: refused.error))") }
        guard case .retryable = refused.outcome else { return XCTFail("\(refused.outcome)") }

        let trusting = try HTTPDeliveryClient(options: HTTPDeliveryClientOptions(addressPolicy: policy, caFile: certificate))
        let accepted = trusting.send(request)
        XCTAssertEqual(accepted.status, 200, "\(String(describing: accepted.error))")
        XCTAssertEqual(accepted.body, Array("ok".utf8))
    }

    func testClientCertificateForMutualTLS() throws {
        let client = try makeCertificate("client", subject: "simpul-client")
        let (port, certificate) = try startServer(clientCA: client.certificate)
        let request = DeliveryRequest(url: "https://127.0.0.1:\(port)/", body: Array("{}".utf8), timeout: .seconds(5))
        let policy = AddressPolicy(allowPrivateNetworks: true)

        let withoutCertificate = try HTTPDeliveryClient(
            options: HTTPDeliveryClientOptions(addressPolicy: policy, caFile: certificate))
        let refused = withoutCertificate.send(request)
        XCTAssertNil(refused.status, "the receiver demands a client certificate")
        XCTAssertNotNil(refused.error)

        let withCertificate = try HTTPDeliveryClient(options: HTTPDeliveryClientOptions(
            addressPolicy: policy, caFile: certificate,
            clientCertificateFile: client.certificate, clientKeyFile: client.key))
        let accepted = withCertificate.send(request)
        XCTAssertEqual(accepted.status, 200, "\(String(describing: accepted.error))")
    }

    /// The multi sender applies each send's own options: the same receiver is refused
    /// without the CA file and accepted with it, by one sender, in either order. (Synchronous
    /// on purpose: a `Process` started from an async test inherits the cooperative thread's
    /// blocked signals, and the Python server would then ignore `terminate()`.)
    func testMultiSenderAppliesEachSendsCAFile() throws {
        let (port, certificate) = try startServer()
        let request = DeliveryRequest(url: "https://127.0.0.1:\(port)/", body: Array("{}".utf8), timeout: .seconds(5))
        let policy = AddressPolicy(allowPrivateNetworks: true)
        let sender = try CurlMultiSender()
        defer { sender.shutdown() }
        let trusting = HTTPDeliveryClientOptions(addressPolicy: policy, caFile: certificate)
        let untrusting = HTTPDeliveryClientOptions(addressPolicy: policy)
        for options in [trusting, untrusting, trusting] {
            let response = Self.blocking { await sender.send(request, options: options) }
            if options.caFile == nil {
                guard case .tls = response.error else { return XCTFail("\(String(describing: response.error))") }
            } else {
                XCTAssertEqual(response.status, 200, "\(String(describing: response.error))")
            }
        }
    }

    /// Runs `body` on the concurrency pool and waits for its result on this thread.
    private static func blocking(_ body: @escaping @Sendable () async -> DeliveryResponse) -> DeliveryResponse {
        let slot = ResponseSlot()
        let done = DispatchSemaphore(value: 0)
        Task {
            slot.value = await body()
            done.signal()
        }
        done.wait()
        guard let value = slot.value else { preconditionFailure("the task signalled without a result") }
        return value
    }
}

/// Written once before the semaphore is signalled, read after it.
private final class ResponseSlot: @unchecked Sendable {
    var value: DeliveryResponse?
}
