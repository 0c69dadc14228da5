import Foundation
import SimpulMapping

#if canImport(Glibc)
import Glibc
#endif

/// Where a command's results go: one JSON document, or tables and lines for a person.
struct Output {
    var json: Bool
    var utc: Bool

    /// Colour only on a terminal, and never when `NO_COLOR` is set (no-color.org) or TERM is dumb.
    static var colourOnStandardOutput: Bool {
        let environment = ProcessInfo.processInfo.environment
        if let noColour = environment["NO_COLOR"], !noColour.isEmpty { return false }
        if environment["TERM"] == "dumb" { return false }
        return isatty(STDOUT_FILENO) == 1
    }

    /// True when progress can redraw one line on standard error.
    static var progressOnTerminal: Bool { isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb" }

    var colour: Bool { !json && Self.colourOnStandardOutput }

    /// Prints one JSON document on one line.
    func print(json value: JSONValue) {
        Swift.print(value.jsonText)
    }

    func print(_ table: Table, empty: String) {
        Swift.print(table.rows.isEmpty ? empty : table.render(colour: colour))
    }

    func time(_ text: String?) -> String { TimeText.display(api: text, utc: utc) }
}
