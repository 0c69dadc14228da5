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

    /// Makes a self-signed certificate for 127.0.0.1 and starts an HTTPS server answering 200;
    /// returns its port and the certificate's path.
    private func startServer() throws -> (port: Int, certificate: String) {
        directory = NSTemporaryDirectory() + "simpul-tls-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let certificate = directory + "/cert.pem", key = directory + "/key.pem"
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        openssl.arguments = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                             "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                             "-keyout", key, "-out", certificate]
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        XCTAssertEqual(openssl.terminationStatus, 0, "openssl req")

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
        server.socket = context.wrap_socket(server.socket, server_side=True)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, certificate, key]
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
}
