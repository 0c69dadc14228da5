import ArgumentParser
import Foundation
import SimpulAPI
import SimpulLog
import SimpulMapping

/// `simpul backup --to DIR`: a consistent copy of the data directory, journals included.
/// By default the running server makes it (only it knows how far each partition is
/// committed); with `--data-dir` this process makes it from a directory no server holds.
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the data directory (topics, journals, token hashes) into a new backup directory.",
        discussion: """
            Without --data-dir the running server writes the backup (POST /v1/admin/backup) on its own \
            machine, inside its backups folder (config key backupsDir, /var/backups/simpul when installed): \
            DIR is a name in that folder, or a path inside it. With --data-dir DATA the copy is made \
            here (DIR relative to the current directory), and only while no server uses DATA. \
            Restore with `simpul restore --from DIR --data-dir NEW`.
            """)

    /// A large log takes a while to copy and sync; the server answers when backup.json is written.
    static let serverTimeout: Duration = .seconds(6 * 3600)

    @Option(name: .long, help: ArgumentHelp("New or empty directory for the backup (a name in the server's backups folder).",
                                            valueName: "dir"))
    var to: String

    @Option(name: .long, help: ArgumentHelp("Back up this data directory here, without a server (none may be running on it).",
                                            valueName: "data"))
    var dataDir: String?

    @OptionGroup var connection: ConnectionOptions
    @Flag(name: .long, help: "Print one JSON document.")
    var json = false

    func run() throws {
        let summary: JSONValue
        if let dataDir {
            summary = try offline(dataDir, to: Self.absolute(to))
        } else {
            // The server resolves a relative name inside its backups folder.
            let answer = try connection.client().json(.post, "/v1/admin/backup", body: .object([("to", .string(to))]),
                                                      timeout: Self.serverTimeout)
            summary = answer["backup"] ?? answer
        }
        if json { return print(summary.jsonText) }
        print(Self.render(summary))
    }

    private func offline(_ dataDir: String, to target: String) throws(CLIError) -> JSONValue {
        guard FileManager.default.fileExists(atPath: dataDir + "/" + DataDirectoryFormat.fileName)
                || FileManager.default.fileExists(atPath: dataDir + "/topics") else {
            throw CLIError.usage("\(dataDir) is not a Simpul data directory (no FORMAT, no topics/)")
        }
        do {
            let lock = try DataDirectoryLock.acquire(dataDir)
            defer { withExtendedLifetime(lock) {} }
            let manifest = try DataDirectoryBackup(dataDirectory: dataDir).run(to: target)
            return BackupSummary.json(manifest, to: target)
        } catch {
            throw CLIError("backup failed: \(error)")
        }
    }

    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    static func render(_ summary: JSONValue) -> String {
        let partitions = summary["partitions"]?.array ?? []
        var lines = ["backup written to \(summary.text("to")) at \(summary.text("createdAt")): \(partitions.count) partitions, "
                     + "\(summary.text("files")) files, \(Numbers.bytes(summary["bytes"]?.int ?? 0))"]
        let width = partitions.map { $0.text("path").count }.max() ?? 0
        for partition in partitions {
            lines.append("  " + partition.text("path").padding(toLength: width, withPad: " ", startingAt: 0)
                         + "  offsets \(partition.text("startOffset"))..<\(partition.text("endOffset"))")
        }
        lines.append("restore with: simpul restore --from \(summary.text("to")) --data-dir NEW_DATA_DIR")
        return lines.joined(separator: "\n")
    }
}

/// `simpul restore --from DIR --data-dir NEW`: checks and brings back a backup as a new data directory.
struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a backup into a new (or empty) data directory, checking every file and record.",
        discussion: "Nothing is overwritten: the target must not exist or be empty. Start a server on it afterwards.")

    @Option(name: .long, help: ArgumentHelp("The backup directory (with backup.json).", valueName: "dir"))
    var from: String

    @Option(name: .long, help: ArgumentHelp("The new data directory.", valueName: "data"))
    var dataDir: String

    @Flag(name: .long, help: "Print one JSON document.")
    var json = false

    func run() throws {
        let result: DataDirectoryRestore.Result
        do {
            result = try DataDirectoryRestore().run(from: BackupCommand.absolute(from), to: BackupCommand.absolute(dataDir))
        } catch {
            throw CLIError("restore failed: \(error)")
        }
        let report = result.verification
        if json {
            return print(JSONValue.object([
                ("from", .string(from)), ("dataDir", .string(dataDir)), ("createdAt", .string(result.manifest.createdAt)),
                ("partitions", .int(report.partitionsChecked)), ("records", .int(report.recordsChecked)),
                ("files", .int(result.manifest.files.count)), ("clean", .bool(report.isClean)),
            ]).jsonText)
        }
        print("restored the backup of \(result.manifest.createdAt) into \(dataDir): \(result.manifest.files.count) files, "
              + "\(report.partitionsChecked) partitions, \(Numbers.grouped(Int64(report.recordsChecked))) records checked: clean")
        print("start a server on it: simpul serve --data-dir \(dataDir)")
    }
}
