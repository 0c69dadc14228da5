#if canImport(Glibc)
import Glibc
#endif
import Logging

/// The log format of `simpul serve`: readable text for a terminal, one JSON object per line
/// for journald, Docker and log shippers.
public enum LogFormat: String, Sendable, CaseIterable {
    case text
    case json
}

/// A swift-log handler writing one JSON object per line:
///
/// ```
/// {"time":"2026-11-22T03:00:00.123Z","level":"info","label":"simpul","message":"…",
///  "module":"SimpulServer","event.id":"…","topic":"…"}
/// ```
/// `time` is RFC 3339 in UTC with milliseconds; `module` is swift-log's source module; every
/// metadata key becomes a field of its own (a key that collides with one of the fixed
/// fields is written as `metadata.KEY`). Strings are escaped per RFC 8259, so every line
/// parses whatever a message holds. Tokens are never handed to a logger; as a second line of
/// defence, anything shaped like a Simpul token (`spl_…`), a webhook secret (`whsec_…`) or
/// a bearer credential is replaced by `[redacted]` before it is written.
public struct JSONLogHandler: LogHandler {
    public static let fixedFields: Set<String> = ["time", "level", "label", "message", "module", "error"]

    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level = .info
    private let label: String
    private let write: @Sendable (String) -> Void
    private let clock: @Sendable () -> (seconds: Int, milliseconds: Int)

    /// - Parameters:
    ///   - write: receives each line, newline included; by default standard output, one
    ///     `write(2)` per line under a lock so that lines of concurrent tasks never interleave.
    ///   - clock: seconds and milliseconds since 1970 (tests pin it).
    public init(label: String, metadataProvider: Logger.MetadataProvider? = nil,
                write: @escaping @Sendable (String) -> Void = JSONLogHandler.standardOutput,
                clock: @escaping @Sendable () -> (seconds: Int, milliseconds: Int) = JSONLogHandler.now) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.write = write
        self.clock = clock
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadataProvider?.get() ?? [:]
        merged.merge(metadata) { $1 }
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        let (seconds, milliseconds) = clock()
        var line = "{\"time\":\"" + Self.rfc3339(seconds: seconds, milliseconds: milliseconds) + "\""
        line += ",\"level\":" + JSONText.string(event.level.rawValue)
        line += ",\"label\":" + JSONText.string(label)
        line += ",\"message\":" + JSONText.string(SecretRedaction.redact(event.message.description))
        line += ",\"module\":" + JSONText.string(event.source)
        if let error = event.error { line += ",\"error\":" + JSONText.string(SecretRedaction.redact("\(error)")) }
        for key in merged.keys.sorted() {
            let name = Self.fixedFields.contains(key) ? "metadata." + key : key
            line += "," + JSONText.string(name) + ":" + Self.json(merged[key] ?? .string(""))
        }
        line += "}\n"
        write(line)
    }

    static func json(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let text):
            return JSONText.string(SecretRedaction.redact(text))
        case .stringConvertible(let convertible):
            return JSONText.string(SecretRedaction.redact(convertible.description))
        case .array(let values):
            return "[" + values.map(json).joined(separator: ",") + "]"
        case .dictionary(let dictionary):
            return "{" + dictionary.keys.sorted().map { JSONText.string($0) + ":" + json(dictionary[$0] ?? .string("")) }
                .joined(separator: ",") + "}"
        }
    }

    /// `2026-11-22T03:00:00.123Z`.
    static func rfc3339(seconds: Int, milliseconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        func padded(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return padded(parts.tm_year + 1900, 4) + "-" + padded(parts.tm_mon + 1, 2) + "-" + padded(parts.tm_mday, 2)
            + "T" + padded(parts.tm_hour, 2) + ":" + padded(parts.tm_min, 2) + ":" + padded(parts.tm_sec, 2)
            + "." + padded(Int32(milliseconds), 3) + "Z"
    }

    /// The wall clock, for `time`.
    @Sendable public static func now() -> (seconds: Int, milliseconds: Int) {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return (Int(spec.tv_sec), Int(spec.tv_nsec / 1_000_000))
    }

    /// Writes a line to standard output with one `write(2)` (retried on a short write).
    @Sendable public static func standardOutput(_ line: String) {
        standardOutputLock.withLock { _ in
            let bytes = Array(line.utf8)
            var written = 0
            while written < bytes.count {
                let result = bytes.withUnsafeBytes { raw -> Int in
                    guard let base = raw.baseAddress else { return 0 }
                    return Glibc.write(STDOUT_FILENO, base + written, raw.count - written)
                }
                if result > 0 {
                    written += result
                } else if result < 0 && errno == EINTR {
                    continue
                } else {
                    return  // stdout is gone (closed pipe): logging must never stop the server
                }
            }
        }
    }

    private static let standardOutputLock = LockedValue(())
}
