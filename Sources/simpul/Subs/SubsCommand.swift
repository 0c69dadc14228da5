import ArgumentParser
import SimpulMapping

/// `simpul subs …`: the subscriptions that deliver topics to receivers over HTTP.
struct SubsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "subs", abstract: "Manage subscriptions: who receives which topics, and how delivery is going.",
        subcommands: [SubsListCommand.self, SubsShowCommand.self, SubsAddCommand.self, SubsPauseCommand.self,
                      SubsResumeCommand.self, SubsDeleteCommand.self])

    /// `[a-z0-9][a-z0-9-]{0,62}`, as the server requires.
    static func validateName(_ name: String) throws {
        let bytes = Array(name.utf8)
        let allowed = { (byte: UInt8) in (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
        guard let first = bytes.first, bytes.count <= 63, allowed(first), bytes.allSatisfy({ allowed($0) || $0 == UInt8(ascii: "-") }) else {
            throw ValidationError("\"\(name)\" is not a subscription name: use 1 to 63 lower-case letters, digits and "
                                  + "dashes, starting with a letter or digit (e.g. dukcapil-sink)")
        }
    }

    static func path(_ name: String) -> String { "/v1/subscriptions/" + QueryString.segment(name) }
}

struct SubsListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List subscriptions with their delivery state.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var options: OutputOptions

    func run() throws {
        let answer = try connection.client().json(.get, "/v1/subscriptions")
        let output = options.output
        if output.json { return output.print(json: answer) }
        let subscriptions = answer["subscriptions"]?.array ?? []
        print(subscriptions.isEmpty ? "no subscriptions: add one with `simpul subs add NAME --topic TOPIC --url URL`"
                                    : SubscriptionTables.list(subscriptions, output: output))
    }
}

struct SubsShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one subscription's settings and delivery state.")

    @Argument(help: "The subscription name.")
    var name: String

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var options: OutputOptions

    func validate() throws { try SubsCommand.validateName(name) }

    func run() throws {
        let subscription = try connection.client().json(.get, SubsCommand.path(name))
        let output = options.output
        if output.json { return output.print(json: subscription) }
        print(SubscriptionTables.detail(subscription, output: output))
    }
}
