import Foundation
import XCTest
import SimpulTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// `simpul serve` from the built binary on 127.0.0.1 (a port the system picks), with a
/// temporary data directory and token file, and a runner for `simpul` commands against it,
/// for whole-output tests of the admin CLI.
final class LiveServer {
    struct Result: Equatable, CustomStringConvertible {
        var status: Int32
        var stdout: String
        var stderr: String
        var description: String { "exit \(status)\nstdout:\n\(stdout)\nstderr:\n\(stderr)" }
    }

    let directory: TemporaryDirectory
    let process: Process
    let url: String
    var tokenFile: String { directory.path + "/tokens.json" }
    var dataDirectory: String { directory.path + "/data" }

    /// Starts a server; `config` is an optional JSON config file's text, `arguments` more
    /// `simpul serve` options (`--allow-private-networks`).
    convenience init(config: String? = nil, label: String = "cli-live", arguments: [String] = []) throws {
        try self.init(directory: TemporaryDirectory(label), config: config, extraArguments: arguments)
    }

    /// Starts a server on the data directory and token file a stopped one left.
    convenience init(reusing directory: TemporaryDirectory) throws {
        try self.init(directory: directory, config: nil, extraArguments: [])
    }

    private init(directory: TemporaryDirectory, config: String?, extraArguments: [String]) throws {
        self.directory = directory
        let log = directory.path + "/serve.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process = Process()
        process.executableURL = Products.executable("simpul")
        var arguments = ["serve", "--data-dir", directory.path + "/data", "--listen", "127.0.0.1:0", "--adapters-dir", RepositoryPaths.adapters]
        if let config {
            try config.write(toFile: directory.path + "/simpul.json", atomically: true, encoding: .utf8)
            arguments += ["--config", directory.path + "/simpul.json"]
        }
        process.arguments = arguments + extraArguments
        process.currentDirectoryURL = URL(fileURLWithPath: RepositoryPaths.root())
        var environment = ProcessInfo.processInfo.environment
        environment["SIMPUL_TOKEN_FILE"] = directory.path + "/tokens.json"
        process.environment = environment
        // A file, not a pipe: nobody has to keep reading the server's log for it to go on.
        process.standardOutput = FileHandle(forWritingAtPath: log)
        process.standardError = FileHandle(forWritingAtPath: log)
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        var found: String?
        while found == nil && Date() < deadline && process.isRunning {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if let range = text.range(of: #"listening on http://127\.0\.0\.1:[0-9]+"#, options: .regularExpression) {
                found = String(text[range].dropFirst("listening on ".count))
            } else {
                usleep(20_000)
            }
        }
        guard let found else {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            throw RawHTTPClient.Failure(description: "simpul serve did not start: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        }
        url = found
    }

    var port: Int { Int(url.split(separator: ":").last ?? "") ?? 0 }

    var adminToken: String {
        get throws {
            let data = try Data(contentsOf: URL(fileURLWithPath: tokenFile))
            let document = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            return try XCTUnwrap(document?["admin"] as? String)
        }
    }

    /// Stops the server with SIGTERM (or SIGKILL, which does not wait out the shutdown
    /// grace period for a pending long poll) and waits for it; the directory is removed.
    func stop(signal: Int32 = SIGTERM) {
        if process.isRunning {
            kill(process.processIdentifier, signal)
            process.waitUntilExit()
        }
        directory.remove()
    }

    /// Runs `simpul arguments…` in the repository root against this server: the token
    /// comes from the token file, times are shown in WITA (Asia/Makassar, +08:00).
    func run(_ arguments: [String], environment overrides: [String: String?] = [:]) throws -> Result {
        var environment = ProcessInfo.processInfo.environment
        environment["SIMPUL_TOKEN"] = nil
        environment["NO_COLOR"] = nil
        environment["SIMPUL_TOKEN_FILE"] = tokenFile
        environment["SIMPUL_SERVER"] = url
        environment["TZ"] = "Asia/Makassar"
        for (key, value) in overrides { environment[key] = value }
        return try Self.run(arguments, environment: environment)
    }

    /// Runs `simpul` with exactly `environment`; outputs go through files so neither can block.
    static func run(_ arguments: [String], environment: [String: String]) throws -> Result {
        let scratch = try TemporaryDirectory("cli-run")
        defer { scratch.remove() }
        let outPath = scratch.path + "/out", errPath = scratch.path + "/err"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let process = Process()
        process.executableURL = Products.executable("simpul")
        process.arguments = arguments
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: RepositoryPaths.root())
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle(forWritingAtPath: outPath)
        process.standardError = FileHandle(forWritingAtPath: errPath)
        try process.run()
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    }
}

extension String {
    /// The text with every match of `pattern` replaced by `replacement` (for ids and times in whole-output tests).
    func replacing(pattern: String, with replacement: String) -> String {
        replacingOccurrences(of: pattern, with: replacement, options: .regularExpression)
    }

    /// Random ids and WITA times replaced by placeholders of the same width, so whole tables compare.
    var normalised: String {
        replacing(pattern: "q_[0-9a-f]{16}", with: "q_################").replacing(pattern: "tok_[0-9a-f]{12}", with: "tok_############")
            .replacing(pattern: "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\+08:00", with: "YYYY-MM-DDThh:mm:ss+08:00")
    }

    var jsonObject: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(utf8))) as? [String: Any] ?? [:]
    }
}
