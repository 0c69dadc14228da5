import ArgumentParser
import Foundation
import SimpulMapping

/// `simpul adapters …`: inspect and dry-run the adapters of a directory, no server needed.
struct AdaptersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adapters",
        abstract: "List adapters and dry-run them on sample files (no server needed).",
        subcommands: [AdaptersListCommand.self, AdaptersTestCommand.self])
}

/// Options every `adapters` subcommand shares.
struct AdaptersOptions: ParsableArguments {
    @Option(name: .customLong("adapters-dir"), help: "Folder with one sub-folder per adapter.")
    var adaptersDirectory = "./adapters"

    @Option(name: .customLong("schemas-dir"), help: "Folder of the canonical JSON Schemas; records are checked against them when it exists.")
    var schemasDirectory = "./schemas"

    @Flag(help: "Print one JSON object per line instead of a readable report.")
    var json = false

    /// The built-in validators, plus the schemas of `--schemas-dir` when that folder exists.
    /// - Throws: `SchemaLoadError` when a schema file cannot be loaded.
    func registry() throws -> ValidatorRegistry {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: schemasDirectory, isDirectory: &isDirectory), isDirectory.boolValue else {
            return .builtIn
        }
        return ValidatorRegistry.builtIn.checkingSchemas(try SchemaValidator(directory: URL(fileURLWithPath: schemasDirectory)))
    }
}
