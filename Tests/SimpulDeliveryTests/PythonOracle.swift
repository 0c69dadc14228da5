import Foundation

/// Runs a short Python script with `input` on stdin and returns its stdout: Python's own
/// `hmac` and `base64` are an oracle independent of our OpenSSL binding.
enum PythonOracle {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func run(script: String, input: Data) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        stdin.fileHandleForWriting.write(input)
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "python3 exited with \(process.terminationStatus)")
        }
        return String(decoding: output, as: UTF8.self)
    }
}
