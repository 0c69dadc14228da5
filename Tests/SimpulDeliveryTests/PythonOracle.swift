import Foundation

/// Runs a short Python script with `input` on stdin and returns its stdout: Python's own
/// `hmac` and `base64` are an oracle independent of our OpenSSL binding.
enum PythonOracle {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The interpreter: `SIMPUL_TEST_PYTHON` (for a virtualenv holding `standardwebhooks`) or `python3`.
    static var interpreter: String {
        ProcessInfo.processInfo.environment["SIMPUL_TEST_PYTHON"] ?? "python3"
    }

    /// True when the interpreter can import `module`.
    static func hasModule(_ module: String) -> Bool {
        (try? run(script: "import \(module)", input: Data())) != nil
    }

    static func run(script: String, input: Data) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [interpreter, "-c", script]
        process.standardError = FileHandle.nullDevice
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
            throw Failure(description: "\(interpreter) exited with \(process.terminationStatus)")
        }
        return String(decoding: output, as: UTF8.self)
    }
}
