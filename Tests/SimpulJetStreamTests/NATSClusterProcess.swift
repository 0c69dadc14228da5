import Foundation
import Glibc

/// Three `nats-server`s on 127.0.0.1 forming one JetStream cluster with
/// `sync_interval: always`, each of which can be SIGKILLed and restarted on the same ports
/// and store directory.
final class NATSClusterProcess: @unchecked Sendable {
    struct Node {
        var clientPort: Int
        var routePort: Int
        var configFile: String
        var process: Process?
    }

    private(set) var nodes: [Node] = []
    private let executable: String
    var urls: [String] { nodes.map { "nats://127.0.0.1:\($0.clientPort)" } }

    init(directory: String, size: Int = 3) throws {
        guard let executable = NATSServerProcess.executable() else { throw NATSServerError.notInstalled }
        self.executable = executable
        let clientPorts = try (0..<size).map { _ in try NATSServerProcess.freePort() }
        let routePorts = try (0..<size).map { _ in try NATSServerProcess.freePort() }
        for index in 0..<size {
            let routes = routePorts.enumerated().filter { $0.offset != index }
                .map { "nats-route://127.0.0.1:\($0.element)" }.joined(separator: ", ")
            let config = """
                server_name: n\(index)
                listen: 127.0.0.1:\(clientPorts[index])
                jetstream {
                  store_dir: "\(directory)/n\(index)"
                  sync_interval: always
                }
                cluster {
                  name: simpul-test
                  listen: 127.0.0.1:\(routePorts[index])
                  routes: [\(routes)]
                }
                """
            let file = directory + "/n\(index).conf"
            try config.write(toFile: file, atomically: true, encoding: .utf8)
            nodes.append(Node(clientPort: clientPorts[index], routePort: routePorts[index], configFile: file))
        }
        for index in 0..<size { try start(index) }
        for index in 0..<size { try waitUntilListening(index) }
    }

    func start(_ index: Int) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-c", nodes[index].configFile]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        nodes[index].process = process
    }

    /// SIGKILL: no shutdown, no final sync — what a power cut does to that server.
    func kill(_ index: Int) {
        guard let process = nodes[index].process, process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    func waitUntilListening(_ index: Int) throws {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if NATSServerProcess.canConnect(port: nodes[index].clientPort) { return }
            usleep(20_000)
        }
        throw NATSServerError.notListening(port: nodes[index].clientPort)
    }

    func stop() {
        for node in nodes {
            guard let process = node.process, process.isRunning else { continue }
            process.terminate()
            process.waitUntilExit()
        }
    }
}
