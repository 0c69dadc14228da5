import Foundation
import Logging
import SimpulServer

/// What `simpul serve` tells its operator. In text mode: the familiar `simpul: …` lines on
/// standard output, and swift-log's readable lines on standard error. In JSON mode every
/// logger in the process writes JSON lines to standard output (`JSONLogHandler`), and so do
/// these events, so that every line a log shipper reads parses.
struct ServeLog: Sendable {
    let format: LogFormat
    let logger: Logger

    /// Installs the process-wide log handler for `format`; call once, before any logger is made.
    static func bootstrap(_ format: LogFormat) -> ServeLog {
        if format == .json {
            LoggingSystem.bootstrap({ label, provider in JSONLogHandler(label: label, metadataProvider: provider) }, metadataProvider: nil)
        }
        var logger = Logger(label: "simpul")
        logger.logLevel = .info
        return ServeLog(format: format, logger: logger)
    }

    func info(_ message: String, _ metadata: Logger.Metadata = [:]) {
        switch format {
        case .text:
            print("simpul: " + message)
            fflush(nil)  // every stream: the line must reach a pipe before the server blocks
        case .json:
            logger.info("\(message)", metadata: metadata)
        }
    }

    func warning(_ message: String, _ metadata: Logger.Metadata = [:]) {
        switch format {
        case .text: printError(message)
        case .json: logger.warning("\(message)", metadata: metadata)
        }
    }

    func error(_ message: String, _ metadata: Logger.Metadata = [:]) {
        switch format {
        case .text: printError(message)
        case .json: logger.error("\(message)", metadata: metadata)
        }
    }
}
