import ArgumentParser
import Foundation
import SimpulBus
import SimpulMapping

/// `simpul tokens create|list|revoke`: the tokens of a data directory, edited offline
/// (the data directory keeps only their SHA-256; a created token is shown once).
struct TokensCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens", abstract: "Create, list and revoke API tokens in a data directory (no server needed).",
        discussion: """
            A running `simpul serve` reads the tokens when it starts and on SIGHUP (`systemctl reload simpul`): \
            reload or restart it after a change for the change to take effect.
            """,
        subcommands: [TokensCreateCommand.self, TokensListCommand.self, TokensRevokeCommand.self])
}

struct DataDirectoryOption: ParsableArguments {
    @Option(name: .long, help: "The server's data directory (as given to `simpul serve --data-dir`).")
    var dataDir = "./data"

    func store() throws(CLIError) -> TokenStore {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dataDir, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CLIError.usage("no data directory at \(dataDir); pass the directory `simpul serve` uses with --data-dir")
        }
        do {
            return try TokenStore(dataDirectory: dataDir)
        } catch {
            throw CLIError("cannot read the tokens of \(dataDir): \(error)")
        }
    }
}

struct TokensCreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a token; it is printed once.")

    @Option(name: .long, help: "admin, publisher or consumer.")
    var kind: String

    @Option(name: .long, help: "Who holds it (an OPD system, a person).")
    var name: String

    @Option(name: .long, help: ArgumentHelp("Publisher: a source it may publish to (repeat).", valueName: "source"))
    var source: [String] = []

    @Option(name: .long, help: ArgumentHelp("Consumer: a topic it may read (repeat; * for all).", valueName: "topic"))
    var topic: [String] = []

    @Option(name: .long, help: ArgumentHelp("Consumer: an event field removed before it reads, e.g. data.nik (repeat).", valueName: "path"))
    var redact: [String] = []

    @OptionGroup var data: DataDirectoryOption
    @OptionGroup var options: OutputOptions

    func validate() throws {
        guard let kind = PrincipalKind(rawValue: kind) else { throw ValidationError("--kind must be admin, publisher or consumer") }
        if name.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--name must not be empty") }
        if kind == .publisher && source.isEmpty { throw ValidationError("a publisher token needs at least one --source") }
        if kind == .consumer && topic.isEmpty { throw ValidationError("a consumer token needs at least one --topic") }
        if kind != .publisher && !source.isEmpty { throw ValidationError("--source is for publisher tokens") }
        if kind != .consumer && !(topic.isEmpty && redact.isEmpty) { throw ValidationError("--topic and --redact are for consumer tokens") }
    }

    func run() throws {
        let store = try data.store()
        let created: (token: String, record: TokenRecord)
        do {
            created = try store.create(kind: PrincipalKind(rawValue: kind) ?? .consumer, name: name, sources: source, topics: topic, redact: redact)
        } catch {
            throw CLIError("cannot save the token in \(data.dataDir): \(error)")
        }
        if options.json {
            guard case .object(var object) = TokensListCommand.json(created.record) else { return }
            object["token"] = .string(created.token)
            return options.output.print(json: .object(object))
        }
        print("created \(kind) token \(created.record.id) for \(name); it is shown only now:")
        print("  \(created.token)")
        print("send SIGHUP to `simpul serve` (`systemctl reload simpul`) or restart it for the token to be accepted")
    }
}

struct TokensListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List tokens (never the tokens themselves).")

    @OptionGroup var data: DataDirectoryOption
    @OptionGroup var options: OutputOptions

    func run() throws {
        let store = try data.store()
        let records = store.all
        let output = options.output
        if output.json {
            // Every node of a JetStream cluster must carry the same tokens: equal fingerprints show it.
            return output.print(json: .members([("tokens", .array(records.map(Self.json))),
                                                ("fingerprint", .string(store.fingerprint))]))
        }
        var table = Table(["ID", "KIND", "NAME", "MAY", "CREATED", "STATUS"])
        for record in records {
            let scope: String
            switch record.kind {
            case .admin: scope = "everything"
            case .publisher: scope = "publish " + record.sources.joined(separator: ",")
            case .consumer: scope = "read " + record.topics.joined(separator: ",") + (record.redact.isEmpty ? "" : " without " + record.redact.joined(separator: ","))
            }
            table.add([.init(record.id), .init(record.kind.rawValue), .init(record.name), .init(scope),
                       .init(output.time(record.createdAt)),
                       record.revokedAt.map { .init("revoked " + output.time($0), .red) } ?? .init("active", .green)])
        }
        output.print(table, empty: "no tokens in \(data.dataDir)")
    }

    static func json(_ record: TokenRecord) -> JSONValue {
        .members([("id", .string(record.id)), ("kind", .string(record.kind.rawValue)), ("name", .string(record.name)),
                  ("sources", .array(record.sources.map { .string($0) })), ("topics", .array(record.topics.map { .string($0) })),
                  ("redact", .array(record.redact.map { .string($0) })), ("createdAt", .string(record.createdAt)),
                  ("revokedAt", record.revokedAt.map { .string($0) } ?? .null)])
    }
}

struct TokensRevokeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke tokens by id (tok_…).")

    @Argument(help: "Token ids, from `simpul tokens list`.")
    var ids: [String]

    @OptionGroup var data: DataDirectoryOption

    func validate() throws {
        if ids.isEmpty { throw ValidationError("give at least one token id (see `simpul tokens list`)") }
    }

    func run() throws {
        let store = try data.store()
        var missing: [String] = []
        for id in ids {
            do {
                if try store.revoke(id: id) { print("revoked \(id)") } else { missing.append(id) }
            } catch {
                throw CLIError("cannot save the tokens of \(data.dataDir): \(error)")
            }
        }
        if !missing.isEmpty { throw CLIError("no active token with id \(missing.joined(separator: ", ")); `simpul tokens list` shows them") }
        print("send SIGHUP to `simpul serve` (`systemctl reload simpul`) or restart it for the revocation to take effect")
    }
}
