import Foundation
import SimpulTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Starts the built `simpul serve` on a data directory and talks to it, for tests that
/// kill it or drive it as a user would.
enum ServeProcess {
    /// A port for a server that is restarted on the same port: below Linux's ephemeral
    /// range (32768–60999), so no outgoing connection of the test can be holding it.
    static func fixedPort(seed: UInt64) -> Int { 10_000 + Int(seed % 20_000) }

    static func start(directory: TemporaryDirectory, port: Int, extra: [String] = []) throws -> Process {
        try start(dataDirectory: directory.path + "/data", tokenFile: directory.path + "/tokens.json",
                  log: directory.path + "/serve.log", port: port, extra: extra)
    }

    /// Starts `simpul serve` on `dataDirectory` at 127.0.0.1:`port` and waits for `/healthz`.
    static func start(dataDirectory: String, tokenFile: String, log: String, port: Int, extra: [String] = []) throws -> Process {
        let process = Process()
        process.executableURL = Products.executable("simpul")
        process.arguments = ["serve", "--data-dir", dataDirectory, "--listen", "127.0.0.1:\(port)",
                             "--adapters-dir", RepositoryPaths.adapters] + extra
        var environment = ProcessInfo.processInfo.environment
        environment["SIMPUL_TOKEN_FILE"] = tokenFile
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: RepositoryPaths.root())
        // A file, appended across restarts: when a start fails, its reason is in the error.
        if !FileManager.default.fileExists(atPath: log) { _ = FileManager.default.createFile(atPath: log, contents: nil) }
        let output = FileHandle(forWritingAtPath: log)
        output?.seekToEndOfFile()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if let client = try? RawHTTPClient(port: port, readTimeoutSeconds: 2), client.request("GET", "/healthz")?.status == 200 {
                return process
            }
            usleep(50_000)
        }
        process.terminate()
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        throw RawHTTPClient.Failure(description: "simpul serve did not answer on port \(port): \(text.suffix(1500))")
    }

    static func adminToken(_ directory: TemporaryDirectory) throws -> String {
        let data = try Data(contentsOf: URL(fileURLWithPath: directory.path + "/tokens.json"))
        guard let token = (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["admin"] as? String else {
            throw RawHTTPClient.Failure(description: "no admin token in tokens.json")
        }
        return token
    }

    static func request(port: Int, _ method: String, _ target: String, token: String, body: String = "",
                        contentType: String = "application/json") throws -> RawHTTPClient.Response? {
        let client = try RawHTTPClient(port: port, readTimeoutSeconds: 30)
        return client.request(method, target, headers: [("Authorization", "Bearer \(token)"), ("Content-Type", contentType)],
                              body: Array(body.utf8))
    }
}
