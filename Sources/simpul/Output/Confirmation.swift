import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Asks before something large or destructive. On a terminal the admin answers y/N; with
/// no terminal (a script, a cron job) nobody can answer, so the command stops with exit 2
/// and names the flag that says yes in advance.
enum Confirmation {
    static func ask(_ question: String, flag: String) throws(CLIError) {
        guard isatty(STDIN_FILENO) == 1 else {
            throw CLIError.usage("\(question) — no terminal to ask on; add \(flag) to go ahead")
        }
        FileHandle.standardError.write(Data("\(question) [y/N] ".utf8))
        let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        guard answer == "y" || answer == "yes" else { throw CLIError("nothing was done", exit: .failed) }
    }
}
