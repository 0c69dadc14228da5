// simpul-fuzz-http: the HTTP request handling of the bus under libFuzzer (RELIABILITY S4).
//
// Built two ways:
// - by `scripts/fuzz.sh` with `swift build --sanitize fuzzer --sanitize address
//   -Xswiftc -DSIMPUL_LIBFUZZER`: libFuzzer drives `LLVMFuzzerTestOneInput` and keeps any
//   input that breaks a rule as a crash artifact;
// - by `swift build`, as a replay tool: `simpul-fuzz-http FILE|DIR...` sends each input once
//   and prints what broke the rules (exit 1), which is how findings are replayed and how the
//   tests run the seed corpus and the kept regressions.
// The rules are `HTTPAnswerRules`: no 5xx, every 4xx with the JSON error body, well-framed
// answers, the connection closed within a second.

import Foundation
import SimpulTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// The bus and server, started on first use and shared by every input of the process.
let harness: HTTPFuzzHarness = {
    let repository = ProcessInfo.processInfo.environment["SIMPUL_REPOSITORY"] ?? RepositoryPaths.root()
    do {
        let started = try HTTPFuzzHarness.start(repository: repository)
        atexit { HTTPFuzzHarness.removeScratchDirectory() }
        return started
    } catch {
        FileHandle.standardError.write(Data("simpul-fuzz-http: cannot start the bus and server: \(error)\n".utf8))
        exit(2)
    }
}()

#if SIMPUL_LIBFUZZER
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let problems = harness.run(Array(UnsafeBufferPointer(start: data, count: size))).problems
    if !problems.isEmpty {
        // A finding: abort so that libFuzzer keeps this input as a crash artifact.
        FileHandle.standardError.write(Data(("HTTP fuzz finding:\n" + problems.joined(separator: "\n") + "\n").utf8))
        abort()
    }
    return 0
}
#else
@main
struct ReplayInputs {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let verbose = arguments.contains("--verbose")
        let paths = arguments.filter { $0 != "--verbose" }
        guard !paths.isEmpty else {
            print("usage: simpul-fuzz-http [--verbose] FILE|DIR...   (replays fuzz inputs through the bus's HTTP API;")
            print("       --verbose prints each answer's body)")
            exit(2)
        }
        var failures = 0
        for file in paths.flatMap(inputFiles) {
            guard let input = FileManager.default.contents(atPath: file) else {
                print("cannot read \(file)")
                failures += 1
                continue
            }
            let (answers, problems) = harness.run(Array(input))
            if verbose {
                for answer in answers { print("  \(answer.status) \(String(decoding: answer.body.prefix(2000), as: UTF8.self))") }
            }
            if problems.isEmpty {
                print("ok \(file): \(answers.map { String($0.status) }.joined(separator: " "))")
            } else {
                failures += 1
                print("FINDING \(file)\n  " + problems.joined(separator: "\n  "))
            }
        }
        exit(failures == 0 ? 0 : 1)
    }

    /// `path` itself, or the files directly inside it when it is a directory, sorted.
    static func inputFiles(_ path: String) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            return [path]
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { path + "/" + $0 }
    }
}
#endif
