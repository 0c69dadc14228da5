import ArgumentParser
import Foundation

/// The `simpul` command. Its own `main` (below) keeps the documented exit codes: a usage
/// error is 2 (ArgumentParser alone would say 64, `EX_USAGE`), a `CLIError` its own code.
struct Simpul: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simpul",
        abstract: "Simpul, the integration bus for a city's agencies.",
        discussion: """
            Commands other than serve, adapters, log, tokens, restore and backup --data-dir talk to a running server through its \
            admin API: --server (default $SIMPUL_SERVER, else the token file's server, else \
            http://127.0.0.1:8080) and --token (default $SIMPUL_TOKEN, else the admin token the first \
            `simpul serve` wrote to $SIMPUL_TOKEN_FILE or ~/.config/simpul/tokens.json).

            Times are ISO 8601 (2026-11-22T11:00:00+08:00, 2026-11-22) or a time ago (30m, 2h, 1d); \
            they are shown in the local time zone with its offset, or in UTC with --utc.

            Exit codes: 0 ok, 1 some operation failed, 2 usage error, 3 server unreachable, \
            4 not authorised.
            """,
        subcommands: [Serve.self, PublishCommand.self, AdaptersCommand.self, TopicsCommand.self, SubsCommand.self,
                      DLQCommand.self, QuarantineCommand.self, StatsCommand.self, TokensCommand.self, LogCommand.self,
                      BackupCommand.self, RestoreCommand.self])
}

@main
enum SimpulMain {
    static func main() async {
        do {
            var command = try Simpul.parseAsRoot()
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch let error as CLIError {
            printError(error.message)
            exit(error.exit.rawValue)
        } catch {
            let code = Simpul.exitCode(for: error)
            let message = Simpul.fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                exit(0)
            }
            if !message.isEmpty { FileHandle.standardError.write(Data((message + "\n").utf8)) }
            exit(code == .validationFailure ? CLIError.Exit.usage.rawValue : code.rawValue)
        }
    }
}
