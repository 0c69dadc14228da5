import Foundation

/// Runs the built `simpul` executable and captures its output, for whole-output tests.
///
/// Verified with `swift test` on Linux (Swift 6.3): `CommandLine.arguments[0]` is the test
/// executable `<products>/simpulPackageTests.xctest`, and `Bundle.main.bundleURL` is the
/// products directory `<products>` itself; `simpul` sits in that directory. Both are
/// tried (the bundle's parent too, for platforms where the bundle is a folder).
enum SimpulBinary {
    struct Result: Equatable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var url: URL? {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            Bundle.main.bundleURL.deletingLastPathComponent(),
            Bundle.main.bundleURL,
        ]
        return candidates.map { $0.appendingPathComponent("simpul") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// Runs `simpul arguments…` in the repository root. Outputs here are small, so
    /// reading stdout then stderr cannot fill a pipe and block.
    static func run(_ arguments: [String]) throws -> Result {
        guard let url else { throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "simpul beside the test bundle"]) }
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        process.currentDirectoryURL = repository
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
                      stderr: String(decoding: err, as: UTF8.self))
    }
}
