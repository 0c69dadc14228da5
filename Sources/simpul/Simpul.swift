import ArgumentParser

@main
struct Simpul: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simpul",
        abstract: "Simpul, the integration bus for a city's agencies.",
        subcommands: [AdaptersCommand.self])
}
