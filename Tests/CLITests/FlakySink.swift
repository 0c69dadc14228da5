import Foundation
import Logging
import NIOHTTP1
import SimpulMapping
import SimpulServer

/// A receiver on 127.0.0.1 that answers every delivery with `status` (500 while it is
/// "down", 200 once it is back) and remembers the event ids it accepted.
final class FlakySink: @unchecked Sendable {
    private let lock = NSLock()
    private var answer = 500
    private var accepted: Set<String> = []
    private var attempts = 0
    private var server: HTTPServer?
    private(set) var url = ""

    var status: Int {
        get { lock.withLock { answer } }
        set { lock.withLock { answer = newValue } }
    }
    var acceptedIDs: Set<String> { lock.withLock { accepted } }
    var attemptCount: Int { lock.withLock { attempts } }

    init() throws {
        var router = Router()
        router.add(.POST, "/hook") { [self] request in
            let id = request.header("webhook-id") ?? ""
            let status = lock.withLock {
                attempts += 1
                if answer < 300 { accepted.insert(id) }
                return answer
            }
            return HTTPResponse(status: status, headers: [("Content-Type", "text/plain")], body: Array((status < 300 ? "ok" : "down").utf8))
        }
        var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.threadCount = 1
        let server = HTTPServer(configuration: configuration, handler: router, logger: Logger(label: "sink") { _ in SwiftLogNoOpLogHandler() })
        self.server = server
        let port = try blocking { try await server.start() }
        url = "http://127.0.0.1:\(port)/hook"
    }

    func stop() {
        if let server { _ = try? blocking { await server.shutdown() } }
        server = nil
    }
}
