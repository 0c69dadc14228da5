import Foundation
import SimpulTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Starts the built `simpul serve` on a data directory and talks to it, for tests that
/// kill it or drive it as a user would.
enum ServeProcess {
    static func start(directory: TemporaryDirectory, port: Int, extra: [String] = []) throws -> Process {
        let process = Process()
        process.executableURL = Products.executable("simpul")
        process.arguments = ["serve", "--data-dir", directory.path + "/data", "--listen", "127.0.0.1:\(port)",
                             "--adapters-dir", RepositoryPaths.adapters] + extra
        var environment = ProcessInfo.processInfo.environment
        environment["SIMPUL_TOKEN_FILE"] = directory.path + "/tokens.json"
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: RepositoryPaths.root())
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if let client = try? RawHTTPClient(port: port, readTimeoutSeconds: 2), client.request("GET", "/healthz")?.status == 200 {
                return process
            }
            usleep(50_000)
        }
        process.terminate()
        throw RawHTTPClient.Failure(description: "simpul serve did not answer on port \(port)")
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
