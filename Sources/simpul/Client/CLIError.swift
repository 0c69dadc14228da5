import ArgumentParser

/// An error the admin can act on: what went wrong, what to do, and the exit code the
/// scripts around `simpul` rely on (documented in `simpul --help`).
struct CLIError: Error, CustomStringConvertible {
    /// Exit codes of every command (`simpul --help` lists them).
    enum Exit: Int32 {
        case ok = 0
        /// Some operation failed (a refused record, a failed replay, a 4xx/5xx answer).
        case failed = 1
        /// The command line was wrong.
        case usage = 2
        /// No server answered at `--server`.
        case unreachable = 3
        /// The server refused the token (401) or its rights (403).
        case unauthorised = 4
    }

    var message: String
    var exit: Exit

    init(_ message: String, exit: Exit = .failed) {
        self.message = message
        self.exit = exit
    }

    var description: String { message }

    static func usage(_ message: String) -> CLIError { CLIError(message, exit: .usage) }
}

extension ExitCode {
    init(_ exit: CLIError.Exit) { self.init(exit.rawValue) }
}
