@testable import SimpulBus
import SimpulLog
import XCTest

/// Attempt history survives a cluster that is out of reach for a moment (a JetStream
/// leader election), and a journal that refuses for good is reported, not retried forever.
final class AttemptBufferTests: XCTestCase {
    private struct Outage: LogStoreError {
        let isUnavailable: Bool
        var description: String { isUnavailable ? "no responders" : "refused" }
    }

    private final class Journal: Sendable {
        let written = Locked<[[UInt8]]>([])
        let failuresLeft: Locked<Int>
        let failures = Locked<[Int]>([])
        let error: Outage

        init(failing times: Int, unavailable: Bool) {
            failuresLeft = Locked(times)
            error = Outage(isUnavailable: unavailable)
        }

        func write(_ lines: [[UInt8]]) throws {
            let fail = failuresLeft.withLock { left -> Bool in
                defer { left -= 1 }
                return left > 0
            }
            if fail { throw error }
            written.withLock { $0 += lines }
        }
    }

    private func buffer(_ journal: Journal) -> AttemptBuffer {
        AttemptBuffer(write: { try journal.write($0) }, failed: { lines, _ in journal.failures.withLock { $0.append(lines) } })
    }

    func testLinesWaitOutAShortOutageAndAreWrittenInOrder() async {
        let journal = Journal(failing: 3, unavailable: true)
        let buffer = buffer(journal)
        for index in 0..<5 { buffer.add(Array("attempt \(index)".utf8)) }
        await buffer.waitUntilWritten()
        XCTAssertEqual(journal.written.withLock { $0 }.map { String(decoding: $0, as: UTF8.self) },
                       (0..<5).map { "attempt \($0)" })
        XCTAssertEqual(journal.failures.withLock { $0 }, [])
    }

    func testARefusalIsReportedAtOnce() async {
        let journal = Journal(failing: 1, unavailable: false)
        let buffer = buffer(journal)
        buffer.add(Array("attempt 0".utf8))
        await buffer.waitUntilWritten()
        XCTAssertEqual(journal.failures.withLock { $0 }, [1])
        XCTAssertEqual(journal.written.withLock { $0 }, [])
        buffer.add(Array("attempt 1".utf8))
        await buffer.waitUntilWritten()
        XCTAssertEqual(journal.written.withLock { $0 }, [Array("attempt 1".utf8)], "the next batch is written")
    }
}
