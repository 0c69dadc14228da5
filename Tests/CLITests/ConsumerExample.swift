import Foundation
import SimpulTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// One receiver example of `docs/consumers.md` (`docs/examples/consumers/`), started the
/// way the document tells a receiving agency to start it: its runtime from Debian, the
/// subscription's secret in `WEBHOOK_SECRET`, each stored event id appended to `RECEIVED_FILE`.
struct ConsumerExample: Sendable {
    /// The file name under `docs/examples/consumers/`.
    let file: String
    /// The fence language its listing carries in `docs/consumers.md`.
    let fence: String
    /// The runtime command and the Debian package that provides it.
    let runtime: String
    let debianPackage: String

    static let python = ConsumerExample(file: "receiver.py", fence: "python", runtime: "python3", debianPackage: "python3")
    static let php = ConsumerExample(file: "receiver.php", fence: "php", runtime: "php", debianPackage: "php-cli")
    static let java = ConsumerExample(file: "Receiver.java", fence: "java", runtime: "java", debianPackage: "default-jdk-headless")
    static let all = [python, php, java]

    static let directory = RepositoryPaths.root() + "/docs/examples/consumers"
    var path: String { Self.directory + "/" + file }

    /// The command line of the document: `php -S` serves the script; the others read `PORT`.
    func arguments(port: Int) -> [String] {
        fence == "php" ? ["php", "-S", "127.0.0.1:\(port)", path] : [runtime, path]
    }

    /// True when the runtime answers `--version` (or `-v`): otherwise the test is skipped.
    var runtimeIsInstalled: Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [runtime, fence == "php" ? "-v" : "--version"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}

/// A started example receiver: its process, port, and the files it writes.
final class RunningReceiver {
    let process: Process
    let port: Int
    let receivedFile: String
    let logFile: String

    /// Starts `example` on a free 127.0.0.1 port and waits (up to 60 s: Java compiles the
    /// source first) until it accepts connections.
    init(_ example: ConsumerExample, secret: String, directory: TemporaryDirectory) throws {
        port = try Self.freePort()
        receivedFile = directory.path + "/received-\(example.fence).txt"
        logFile = directory.path + "/receiver-\(example.fence).log"
        _ = FileManager.default.createFile(atPath: logFile, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = example.arguments(port: port)
        var environment = ProcessInfo.processInfo.environment
        environment["WEBHOOK_SECRET"] = secret
        environment["PORT"] = String(port)
        environment["RECEIVED_FILE"] = receivedFile
        environment["SEEN_DIR"] = directory.path + "/seen-\(example.fence)"
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: directory.path)
        process.standardOutput = FileHandle(forWritingAtPath: logFile)
        process.standardError = FileHandle(forWritingAtPath: logFile)
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline && process.isRunning {
            if (try? RawHTTPClient(port: port, readTimeoutSeconds: 1)) != nil { return }
            usleep(50_000)
        }
        stop()
        throw RawHTTPClient.Failure(description: "the \(example.file) receiver did not listen on \(port): \(log)")
    }

    var log: String { (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "" }

    /// The event ids the receiver stored, in the order it stored them.
    var receivedIDs: [String] {
        ((try? String(contentsOfFile: receivedFile, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// Waits (bounded) until every id in `expected` was stored.
    func waitForIDs(_ expected: Set<String>, seconds: Double = 30) -> [String] {
        let deadline = Date().addingTimeInterval(seconds)
        var ids = receivedIDs
        while !Set(ids).isSuperset(of: expected) && Date() < deadline {
            usleep(100_000)
            ids = receivedIDs
        }
        return ids
    }

    /// POSTs `body` with the three Standard Webhooks headers as given; the answer's status.
    func post(body: [UInt8], id: String, timestamp: Int64, signature: String) throws -> Int? {
        let client = try RawHTTPClient(port: port, readTimeoutSeconds: 10)
        return client.request("POST", "/simpul", headers: [
            ("Content-Type", "application/cloudevents+json"), ("Idempotency-Key", id),
            ("webhook-id", id), ("webhook-timestamp", String(timestamp)), ("webhook-signature", signature),
        ], body: body)?.status
    }

    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }
    }

    /// A port no one listens on: bound to 0 by the kernel, then released for the receiver.
    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RawHTTPClient.Failure(description: "socket() failed: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(fd, socketAddress, length) == 0 && getsockname(fd, socketAddress, &length) == 0
            }
        }
        guard bound else { throw RawHTTPClient.Failure(description: "bind() to 127.0.0.1:0 failed: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
