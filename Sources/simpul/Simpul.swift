import ArgumentParser

@main
struct Simpul: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simpul",
        abstract: "Simpul, the integration bus for a city's agencies.",
        discussion: """
            Exit codes: 0 ok, 1 some operation failed, 2 usage error, 3 server unreachable, \
            4 not authorised.
            """,
        subcommands: [Serve.self, AdaptersCommand.self, LogCommand.self])
}
