import ArgumentParser
import Foundation
import SimpulLog

/// `simpul log verify`: offline, read-only check of every record in a data directory.
struct LogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log", abstract: "Inspect the embedded log on disk.", subcommands: [Verify.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every record of a data directory; changes nothing.",
            discussion: "Exit 0 when clean, 1 when damage was found, 2 when the directory cannot be read.")

        @Option(name: .long, help: "Data directory to verify.")
        var dataDir: String

        @Flag(name: .long, help: "Print one JSON document.")
        var json = false

        func run() async throws {
            let report: LogVerifier.Report
            do {
                report = try LogVerifier().verify(dataDirectory: dataDir)
            } catch {
                printError("cannot verify \(dataDir): \(error)")
                throw ExitCode(2)
            }
            if json {
                print(renderJSON(report))
            } else {
                for damage in report.damage {
                    print("DAMAGED \(damage.file) byte \(damage.position)"
                          + (damage.offset.map { " offset \($0)" } ?? "") + ": \(damage.detail)")
                }
                print("\(report.partitionsChecked) partitions, \(report.segmentsChecked) segments, "
                      + "\(report.recordsChecked) records checked: "
                      + (report.isClean ? "clean" : "\(report.damage.count) damaged places"))
            }
            if !report.isClean { throw ExitCode(1) }
        }

        private func renderJSON(_ report: LogVerifier.Report) -> String {
            let damage: [[String: Any]] = report.damage.map { damage in
                var entry: [String: Any] = ["file": damage.file, "position": damage.position, "detail": damage.detail]
                if let offset = damage.offset { entry["offset"] = offset }
                return entry
            }
            let document: [String: Any] = [
                "clean": report.isClean, "partitions": report.partitionsChecked, "segments": report.segmentsChecked,
                "records": report.recordsChecked, "bytes": report.bytesChecked, "damage": damage,
            ]
            let data = (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])) ?? Data("{}".utf8)
            return String(decoding: data, as: UTF8.self)
        }
    }
}
