import Foundation
import SimpulTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// One real `simpul serve` process on 127.0.0.1 with its own data directory and config
/// file, which can be SIGKILLed and started again on the same port and directory.
final class SimpulServeNode: @unchecked Sendable {
    let name: String
    let port: Int
    let dataDirectory: String
    let configFile: String
    /// Where the node writes the plain tokens it creates at its first start (`tokenFile`).
    let firstTokensFile: String
    private let logFile: String
    private let lock = NSLock()
    private var process: Process?

    /// Writes the node's config: `log` is the `log` object of the config (the backend).
    init(name: String, directory: String, log: [String: Any], partitionsPerTopic: Int) throws {
        self.name = name
        port = try Self.restartablePort()
        dataDirectory = directory + "/\(name)-data"
        configFile = directory + "/\(name).json"
        logFile = directory + "/\(name).log"
        firstTokensFile = directory + "/\(name)-first-tokens.json"
        let config: [String: Any] = [
            "listen": "127.0.0.1:\(port)", "dataDir": dataDirectory, "adaptersDir": RepositoryPaths.adapters,
            "schemasDir": RepositoryPaths.root() + "/schemas", "tokenFile": firstTokensFile,
            "partitionsPerTopic": partitionsPerTopic, "delivery": ["allowPrivateNetworks": true], "log": log,
        ]
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: configFile))
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
    }

    /// The process id while it runs.
    var pid: Int32? { lock.withLock { process.flatMap { $0.isRunning ? $0.processIdentifier : nil } } }

    /// Starts `simpul serve --config …` and waits until `/healthz` answers, for at most
    /// `timeoutSeconds` (a start during a leader election waits for it, up to a minute).
    func start(timeoutSeconds: Double = 20) throws {
        let process = Process()
        process.executableURL = Products.executable("simpul")
        process.arguments = ["serve", "--config", configFile]
        process.currentDirectoryURL = URL(fileURLWithPath: RepositoryPaths.root())
        if !FileManager.default.fileExists(atPath: logFile) { _ = FileManager.default.createFile(atPath: logFile, contents: nil) }
        let output = FileHandle(forWritingAtPath: logFile)
        output?.seekToEndOfFile()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        lock.withLock { self.process = process }
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while Date() < deadline {
            if request("GET", "/healthz")?.status == 200 { return }
            guard process.isRunning else { break }
            usleep(50_000)
        }
        kill()
        throw RawHTTPClient.Failure(description: "simpul serve \(name) did not answer on port \(port): \(log.suffix(2000))")
    }

    /// SIGKILL: no drain, no lease given up, no final sync.
    func kill() {
        guard let process = lock.withLock({ self.process }), process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// A clean stop (SIGTERM), for the end of a test.
    func stop() {
        guard let process = lock.withLock({ self.process }), process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    /// What the node printed so far, across restarts.
    var log: String { (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "" }

    /// One request on a fresh connection; nil when the node cannot be reached or hung up.
    func request(_ method: String, _ target: String, token: String? = nil, body: String = "",
                 contentType: String = "application/json", timeoutSeconds: Double = 10) -> RawHTTPClient.Response? {
        guard let client = try? RawHTTPClient(port: port, readTimeoutSeconds: timeoutSeconds) else { return nil }
        var headers: [(String, String)] = []
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        if !body.isEmpty { headers.append(("Content-Type", contentType)) }
        return client.request(method, target, headers: headers, body: Array(body.utf8))
    }

    /// A free port below Linux's ephemeral range (32768–60999), so that no outgoing
    /// connection of the test holds it when the node starts again after a kill.
    private static func restartablePort() throws -> Int {
        for _ in 0..<100 {
            let port = Int.random(in: 10_000..<32_000)
            if !NATSServerProcess.canConnect(port: port), canBind(port: port) { return port }
        }
        throw NATSServerError.noPort
    }

    private static func canBind(port: Int) -> Bool {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { return false }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
