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
