import ArgumentParser
import SimpulMapping

/// `simpul subs add NAME --topic T --url URL`: creates a subscription and prints its
/// signing secret, the only time the secret is shown.
struct SubsAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Create a subscription; prints its signing secret once.",
        discussion: """
            The receiver verifies each delivery with the signing secret (Standard Webhooks: webhook-id, \
            webhook-timestamp, webhook-signature). It is shown only now: store it with the receiver.
            """)

    @Argument(help: "Name: lower-case letters, digits and dashes (e.g. dukcapil-sink).")
    var name: String

    @Option(name: .long, help: ArgumentHelp("A topic to deliver (repeat for several).", valueName: "topic"))
    var topic: [String] = []

    @Option(name: .long, help: ArgumentHelp("The receiver's endpoint, http:// or https://.", valueName: "url"))
    var url: String

    @Option(name: .long, help: ArgumentHelp("Only these event types (repeat; default: every type).", valueName: "type"))
    var type: [String] = []

    @Option(name: .long, help: "Who runs the receiver (an agency or team).")
    var owner: String?

    @Option(name: .long, help: "none (fastest) or key (events of one partition key in order).")
    var ordering: String?

    @Option(name: .long, help: "Most deliveries under way at once.")
    var maxInFlight: Int?

    @Option(name: .long, help: ArgumentHelp("Per-attempt timeout, e.g. 10s or 2500ms.", valueName: "duration"))
    var timeout: String?

    @Option(name: .long, help: ArgumentHelp("Delays before each attempt, e.g. 0,5s,30s,2m,10m.", valueName: "list"))
    var retryDelays: String?

    @Option(name: .long, help: ArgumentHelp("A data field the receiver must not see, e.g. data.nik (repeat).", valueName: "path"))
    var redact: [String] = []

    @Option(name: .long, help: ArgumentHelp("Only these data fields are sent (repeat; default: all).", valueName: "path"))
    var allow: [String] = []

    @Option(name: .long, help: ArgumentHelp("Use this signing secret (whsec_…) instead of a new one.", valueName: "secret"))
    var secret: String?

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var options: OutputOptions

    func validate() throws {
        try SubsCommand.validateName(name)
        if topic.isEmpty { throw ValidationError("give at least one --topic (see `simpul topics list`)") }
        if !(url.hasPrefix("http://") || url.hasPrefix("https://")) { throw ValidationError("--url must start with http:// or https://") }
        if let ordering, ordering != "none" && ordering != "key" { throw ValidationError("--ordering must be none or key") }
        if let maxInFlight, maxInFlight < 1 { throw ValidationError("--max-in-flight must be 1 or more") }
        if let secret, !secret.hasPrefix("whsec_") { throw ValidationError("--secret must be a whsec_… secret") }
        _ = try timeout.map(DurationText.milliseconds)
        _ = try retryDelays.map(DurationText.list)
    }

    func run() throws {
        var members: [(String, JSONValue)] = [("name", .string(name)), ("topics", .array(topic.map { .string($0) })),
                                              ("url", .string(url))]
        if !type.isEmpty { members.append(("types", .array(type.map { .string($0) }))) }
        if let owner { members.append(("owner", .string(owner))) }
        if let ordering { members.append(("ordering", .string(ordering))) }
        if let maxInFlight { members.append(("maxInFlight", .integer(maxInFlight))) }
        if let timeout { members.append(("timeoutMs", .integer(try DurationText.milliseconds(timeout)))) }
        if let retryDelays {
            members.append(("retry", .members([("delaysMs", .array(try DurationText.list(retryDelays).map { .integer($0) }))])))
        }
        if !redact.isEmpty || !allow.isEmpty {
            members.append(("fieldPolicy", .members([("allow", .array(allow.map { .string($0) })),
                                                     ("redact", .array(redact.map { .string($0) }))])))
        }
        if let secret { members.append(("secret", .string(secret))) }
        let answer = try connection.client().json(.post, "/v1/subscriptions", body: .members(members))
        let output = options.output
        if output.json { return output.print(json: answer) }
        print("created subscription \(name)")
        print(SubscriptionTables.detail(answer["subscription"] ?? .null, output: output))
        print("\nsigning secret (shown once; give it to the receiver to verify deliveries):\n  \(answer.text("secret"))")
    }
}

/// Durations as typed: `250ms`, `5s`, `2m`, `1h`, or a bare number of milliseconds.
enum DurationText {
    static func milliseconds(_ text: String) throws -> Int64 {
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let plain = Int64(trimmed), plain >= 0 { return plain }
        for (suffix, factor) in units where trimmed.hasSuffix(suffix) {
            if let count = Int64(trimmed.dropLast(suffix.count)), count >= 0, count <= Int64.max / factor { return count * factor }
        }
        throw ValidationError("\"\(text)\" is not a duration; use e.g. 250ms, 5s, 2m or 1h")
    }

    static func list(_ text: String) throws -> [Int64] {
        try text.split(separator: ",").map { try milliseconds(String($0)) }
    }
}
