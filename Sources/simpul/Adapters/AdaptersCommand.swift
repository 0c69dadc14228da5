import ArgumentParser

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

    @Flag(help: "Print one JSON object per line instead of a readable report.")
    var json = false
}
