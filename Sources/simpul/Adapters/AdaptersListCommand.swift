import ArgumentParser
import SimpulMapping

/// `simpul adapters list`: every adapter of the directory with what it reads and emits.
struct AdaptersListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the adapters of the adapters directory.",
        discussion: "Exit status: 0 when every adapter file compiles, 2 when one does not (its error goes to stderr).")

    @OptionGroup var options: AdaptersOptions

    func run() throws {
        let names: [String]
        let registry: ValidatorRegistry
        do {
            registry = try options.registry()
            names = try AdapterCatalog.names(in: options.adaptersDirectory)
        } catch {
            printError("\(error)")
            throw ExitCode(2)
        }
        var broken = false
        var rows: [[String]] = []
        for name in names {
            do {
                let adapter = try AdapterCatalog.load(name, in: options.adaptersDirectory, registry: registry)
                let descriptor = adapter.descriptor
                if options.json {
                    print(Self.jsonLine(descriptor))
                } else {
                    rows.append([descriptor.name, descriptor.formats.map(\.rawValue).joined(separator: ","),
                                 descriptor.eventType, descriptor.source])
                }
            } catch {
                broken = true
                printError("\(error)")
            }
        }
        if !options.json {
            if rows.isEmpty { print("no adapters in \(options.adaptersDirectory)") }
            else {
                var table = Table(["NAME", "FORMATS", "TYPE", "SOURCE"])
                for row in rows { table.add(row.map { Table.Cell($0) }) }
                print(table.render())
            }
        }
        if broken { throw ExitCode(2) }
    }

    static func jsonLine(_ descriptor: AdapterDescriptor) -> String {
        JSONValue.object(JSONObject([
            ("name", .string(descriptor.name)), ("source", .string(descriptor.source)),
            ("type", .string(descriptor.eventType)), ("topic", .string(descriptor.topic)),
            ("schema", .string(descriptor.schema)),
            ("formats", .array(descriptor.formats.map { .string($0.rawValue) })),
            ("key", .string(descriptor.key)),
        ])).jsonText
    }
}
