// simpul-crash-workload DIR [APPENDERS] [RECORDS] [VALUE_BYTES]
//
// Appends records to topic `crash` of the log in DIR from APPENDERS concurrent tasks and
// prints `ack OFFSET APPENDER SEQUENCE` for each append after it returned (that is the
// acknowledgement). The crash tests SIGKILL it at random moments, reopen the log and check
// that every printed record is there, byte for byte (RELIABILITY.md L1).
import Foundation
import SimpulLog

#if canImport(Glibc)
import Glibc
#endif

/// The value a record of (appender, sequence) carries, so a checker can recompute it.
func expectedValue(appender: Int, sequence: Int, bytes: Int) -> [UInt8] {
    var state = UInt64(appender) << 32 | UInt64(sequence)
    return (0..<bytes).map { _ in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return UInt8(truncatingIfNeeded: state >> 56)
    }
}

func writeLine(_ line: String) {
    var bytes = Array((line + "\n").utf8)
    bytes.withUnsafeMutableBytes { _ = write(1, $0.baseAddress, $0.count) }  // atomic below PIPE_BUF
}

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: simpul-crash-workload DIR [APPENDERS] [RECORDS] [VALUE_BYTES]\n".utf8))
    exit(2)
}
let directory = arguments[1]
let appenders = arguments.count > 2 ? Int(arguments[2]) ?? 64 : 64
let records = arguments.count > 3 ? Int(arguments[3]) ?? 10_000 : 10_000
let valueBytes = arguments.count > 4 ? Int(arguments[4]) ?? 1024 : 1024

do {
    let log = try Log.open(directory: directory)
    let topic = try TopicName("crash")
    try log.createTopic(topic, partitions: 1)
    let partition = try log.partition(topic, 0)
    writeLine("ready \(partition.endOffset)")
    let perAppender = max(1, records / appenders)
    try await withThrowingTaskGroup(of: Void.self) { group in
        for appender in 0..<appenders {
            group.addTask {
                for sequence in 0..<perAppender {
                    let value = expectedValue(appender: appender, sequence: sequence, bytes: valueBytes)
                    let offset = try await partition.append(key: Array("\(appender)-\(sequence)".utf8), value: value)
                    writeLine("ack \(offset) \(appender) \(sequence)")
                }
            }
        }
        try await group.waitForAll()
    }
    await log.close()
    writeLine("done")
} catch {
    FileHandle.standardError.write(Data("simpul-crash-workload: \(error)\n".utf8))
    exit(1)
}
