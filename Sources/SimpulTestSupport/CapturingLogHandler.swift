import Foundation
import Logging

/// A swift-log handler that keeps every line (message and metadata) in memory, for tests
/// that check what reaches the log.
public struct CapturingLogHandler: LogHandler {
    /// The captured lines, shared by copies of the handler.
    public final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String] = []

        public init() {}

        public func append(_ line: String) {
            lock.lock()
            lines.append(line)
            lock.unlock()
        }

        public var all: [String] {
            lock.lock()
            defer { lock.unlock() }
            return lines
        }
    }

    /// Every line of every logger made with the default factory (`Logger(label:)`) in this
    /// process, at `trace`, from the first use on: this installs the handler with
    /// `LoggingSystem.bootstrap`, which a process may do once, so tests that want it share it.
    /// With `SIMPUL_TEST_LOG` set, the lines also still go to standard error.
    public static let processWide: Lines = {
        let lines = Lines()
        let echo = ProcessInfo.processInfo.environment["SIMPUL_TEST_LOG"] != nil
        LoggingSystem.bootstrap { label -> any LogHandler in
            let capture = CapturingLogHandler(lines: lines)
            return echo ? MultiplexLogHandler([capture, StreamLogHandler.standardError(label: label)]) : capture
        }
        return lines
    }()

    public let lines: Lines
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .trace

    public init(lines: Lines) {
        self.lines = lines
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        lines.append("\(event.level) \(event.message) \(merged) \(event.source) \(event.file)")
    }
}
