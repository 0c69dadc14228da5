import ArgumentParser
import SimpulMapping

/// `simpul subs pause NAME`: stops delivery; events wait in the log (lag grows) until resume.
struct SubsPauseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause", abstract: "Stop delivering to a subscription; nothing is lost, events wait until resume.")

    @Argument(help: "The subscription name.")
    var name: String

    @Option(name: .long, help: "Why (shown in `simpul subs show`).")
    var reason: String?

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var options: OutputOptions

    func validate() throws { try SubsCommand.validateName(name) }

    func run() throws {
        let body: JSONValue? = reason.map { .members([("reason", .string($0))]) }
        let answer = try connection.client().json(.post, SubsCommand.path(name) + "/pause", body: body)
        if options.json { return options.output.print(json: answer) }
        print("paused \(name); `simpul subs resume \(name)` delivers what waited")
    }
}

/// `simpul subs resume NAME`.
struct SubsResumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "resume", abstract: "Resume delivering to a paused subscription.")

    @Argument(help: "The subscription name.")
    var name: String

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var options: OutputOptions

    func validate() throws { try SubsCommand.validateName(name) }

    func run() throws {
        let answer = try connection.client().json(.post, SubsCommand.path(name) + "/resume")
        if options.json { return options.output.print(json: answer) }
        print("resumed \(name)")
    }
}

/// `simpul subs delete NAME`: asks first on a terminal; a script must say `--yes`.
struct SubsDeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete", abstract: "Delete a subscription (its receiver gets nothing more).")

    @Argument(help: "The subscription name.")
    var name: String

    @Flag(name: .long, help: "Do not ask for confirmation.")
    var yes = false

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var options: OutputOptions

    func validate() throws { try SubsCommand.validateName(name) }

    func run() throws {
        let client = try connection.client()
        if !yes { try Confirmation.ask("Delete subscription \(name)? Its receiver gets nothing more.", flag: "--yes") }
        _ = try client.json(.delete, SubsCommand.path(name))
        if options.json { return options.output.print(json: .members([("deleted", .string(name))])) }
        print("deleted \(name)")
    }
}
