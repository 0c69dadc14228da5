import Foundation
import XCTest
import SimpulTestSupport

/// Goal (issue 7): every `simpul …` command the runbook (`docs/operations.md`) and the
/// consumer guide (`docs/consumers.md`) tell an admin to type exists as written: its
/// subcommands are the CLI's, and each `--option` is one that subcommand's `--help` lists.
/// (What the commands do was checked by hand against a running server; this keeps the
/// spelling from drifting when the CLI changes.)
final class DocumentedCommandsTests: XCTestCase {
    func testEveryDocumentedCommandIsSpelledAsTheCLIHasIt() throws {
        var checked = 0
        for document in ["docs/operations.md", "docs/consumers.md"] {
            let text = try String(contentsOfFile: RepositoryPaths.root() + "/" + document, encoding: .utf8)
            for command in Self.simpulCommands(inShellBlocksOf: text) {
                try check(command, in: document)
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 20, "the documents lost their commands, or the extraction broke")
    }

    /// Follows the words after `simpul` down the subcommand tree, then looks up each option.
    private func check(_ words: [String], in document: String) throws {
        var path: [String] = []
        var index = 0
        while index < words.count, !words[index].hasPrefix("-"), try help(path + [words[index]]) != nil {
            path.append(words[index])
            index += 1
        }
        guard !path.isEmpty else {
            return XCTFail("\(document): `simpul \(words.joined(separator: " "))` names no subcommand of simpul")
        }
        let usage = try help(path) ?? ""
        for word in words[index...] where word.hasPrefix("--") && word.count > 2 {
            let option = String(word.prefix { $0 != "=" })
            XCTAssertTrue(usage.contains(option + " ") || usage.contains(option + "\n") || usage.contains(option + ","),
                          "\(document): `simpul \(path.joined(separator: " ")) \(option)`: no such option in its --help")
        }
    }

    private var helpCache: [[String]: String?] = [:]

    /// `simpul PATH --help`, or nil when PATH is not a command.
    private func help(_ path: [String]) throws -> String? {
        if let cached = helpCache[path] { return cached }
        let result = try runCommand(Products.executable("simpul"), path + ["--help"])
        let expected = "USAGE: simpul " + path.joined(separator: " ")
        let text = result.status == 0 && result.standardOutput.contains(expected) ? result.standardOutput : nil
        helpCache[path] = .some(text)
        return text
    }

    /// The words after each `simpul` that starts a command in the ```sh blocks (continued
    /// lines joined), up to the end of that command (a pipe, redirection, `&&`, comment).
    static func simpulCommands(inShellBlocksOf text: String) -> [[String]] {
        var commands: [[String]] = []
        var inShell = false
        var pending = ""
        for line in text.components(separatedBy: "\n") {
            if line.hasPrefix("```") { inShell = line == "```sh"; pending = ""; continue }
            guard inShell else { continue }
            if line.hasSuffix("\\") { pending += line.dropLast() + " "; continue }
            let full = pending + line
            pending = ""
            let words = full.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            for (position, word) in words.enumerated() where word == "simpul" || word == "$(simpul" {
                guard position == 0 || ["--", "&&", "|", ";", "(", "$("].contains(words[position - 1]) || word == "$(simpul" else { continue }
                let rest = words[(position + 1)...].prefix { !["|", ">", ">>", "&&", ";", "#", "2>&1", "&"].contains($0) && !$0.hasPrefix(")") }
                if let first = rest.first, !first.hasPrefix("-") { commands.append(Array(rest)) }
            }
        }
        return commands
    }
}
