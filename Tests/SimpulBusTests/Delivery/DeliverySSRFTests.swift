import Foundation
import XCTest
@testable import SimpulBus
import SimpulDelivery
import SimpulLog
import SimpulMapping
import SimpulTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Goal (issue 5 point 6, RELIABILITY S1 through the engine): with private networks not
/// allowed, subscriptions to loopback, link-local (cloud metadata), private addresses and
/// a name resolving to loopback dead-letter at the first attempt with the guard's reason,
/// and an internal listener receives no connection at all.
final class DeliverySSRFTests: XCTestCase {
    func testInternalEndpointsAreRefusedAndNothingConnects() async throws {
        let listener = try LoopbackListener()
        defer { listener.close() }
        let fixture = try DeliveryFixture()
        defer { fixture.directory.remove() }
        var settings = DeliveryFixture.fastSettings
        settings.addressPolicy = .publicOnly
        let sender = try CurlMultiSender()
        defer { sender.shutdown() }
        var busSettings = BusSettings(dataDirectory: fixture.directory.path + "/data", adaptersDirectory: RepositoryPaths.adapters)
        busSettings.log.freeBytesFloor = 0
        let bus = try Bus.open(busSettings)
        try bus.log.createTopic(try TopicName(DeliveryFixture.topic))
        let engine = try await bus.startDelivery(sender: sender, settings: settings)
        let targets = ["http://127.0.0.1:\(listener.port)/", "http://[::1]:\(listener.port)/", "http://localhost:\(listener.port)/",
                       "http://127.1:\(listener.port)/", "http://2130706433:\(listener.port)/", "http://169.254.169.254/latest/meta-data/",
                       "http://10.0.0.1/", "http://192.168.1.1/", "http://[::ffff:127.0.0.1]:\(listener.port)/"]
        for (index, url) in targets.enumerated() {
            _ = try await engine.create(DeliveryFixture.subscription("ssrf-\(index)", extra: [("url", .string(url))]))
        }
        try await DeliveryFixture.publish(bus, count: 1)
        let deadline = ContinuousClock.now + .seconds(20)
        while engine.deadLetters(DeadLetterFilter(), after: nil, limit: 1).total < targets.count && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        let dead = engine.deadLetters(DeadLetterFilter(), after: nil, limit: 100).entries
        XCTAssertEqual(dead.count, targets.count, "every internal endpoint dead-letters")
        for entry in dead {
            XCTAssertEqual(entry.attemptCount, 1, "\(entry.subscription): refused at once, not retried")
            XCTAssertTrue((entry.lastError ?? "").contains("SSRF"), "\(entry.subscription): \(entry.lastError ?? "")")
        }
        XCTAssertEqual(listener.acceptedCount, 0, "the internal listener was reached")
        await bus.close()
    }
}

/// A TCP listener on 127.0.0.1 that only counts the connections it accepts.
private final class LoopbackListener: @unchecked Sendable {
    let port: Int
    private let descriptor: Int32
    private let lock = NSLock()
    private var accepted = 0
    private var closed = false

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.descriptor = descriptor
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) } }
        guard bound == 0, listen(descriptor, 16) == 0 else { throw POSIXError(.EADDRINUSE) }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) } }
        port = Int(UInt16(bigEndian: address.sin_port))
        let flags = fcntl(descriptor, F_GETFL)
        _ = fcntl(descriptor, F_SETFL, flags | O_NONBLOCK)
        Thread { [self] in
            while !lock.withLock({ closed }) {
                let connection = accept(descriptor, nil, nil)
                if connection >= 0 {
                    lock.withLock { accepted += 1 }
                    Glibc.close(connection)
                } else {
                    usleep(5_000)
                }
            }
        }.start()
    }

    var acceptedCount: Int { lock.withLock { accepted } }

    func close() {
        lock.withLock { closed = true }
        Glibc.close(descriptor)
    }
}
