import Foundation
import SimpulTestSupport
import XCTest

@testable import SimpulLog

/// Goal (issue 7, backup): a backup taken while appends and journal snapshots go on holds
/// every partition up to a committed end — never a torn tail, never a journal whose
/// snapshot and entries disagree — and a restore brings back exactly those records, after
/// checking every file; whatever a backup or restore refuses, it says why and writes nothing.
final class BackupTests: XCTestCase {
    private var directory: TemporaryDirectory!
    private var data: String { directory.path + "/data" }

    override func setUpWithError() throws { directory = try TemporaryDirectory("backup") }
    override func tearDown() { directory.remove() }

    private func backup(to name: String) async throws -> BackupManifest {
        let source = data, target = directory.path + "/" + name
        return try await Task.detached { try DataDirectoryBackup(dataDirectory: source).run(to: target) }.value
    }

    func testBackupDuringAppendsRestoresEveryRecordUpToItsEnd() async throws {
        let log = try Log.open(directory: data, options: tinyOptions())
        let topic = try TopicName("city.population.person")
        try log.createTopic(topic, partitions: 2)
        for number in 0..<100 { _ = try await log.partition(topic, number % 2).append(value: Array("before \(number)".utf8)) }
        let acknowledgedBefore = [try log.partition(topic, 0).endOffset, try log.partition(topic, 1).endOffset]
        let writer = Task {
            var number = 0
            while !Task.isCancelled && number < 5000 {
                _ = try await log.partition(topic, number % 2).append(value: Array("during \(number)".utf8))
                number += 1
            }
        }
        let manifest = try await backup(to: "backup")
        writer.cancel()
        _ = try? await writer.value

        let restored = directory.path + "/restored"
        let result = try DataDirectoryRestore().run(from: directory.path + "/backup", to: restored)
        XCTAssertEqual(result.manifest, manifest)
        let copy = try Log.open(directory: restored, options: tinyOptions())
        for index in 0..<2 {
            let range = try XCTUnwrap(manifest.partition("topics/city.population.person/\(index)"))
            XCTAssertTrue(range.live)
            XCTAssertGreaterThanOrEqual(range.endOffset, acknowledgedBefore[index], "everything acknowledged before is in")
            let restoredPartition = try copy.partition(topic, index)
            XCTAssertTrue(restoredPartition.recoveryReport.isClean, "\(restoredPartition.recoveryReport.summary)")
            XCTAssertEqual(restoredPartition.endOffset, range.endOffset)
            let original = try log.partition(topic, index).read(from: 0, maxRecords: Int(range.endOffset), maxBytes: 1 << 30)
            let back = try restoredPartition.read(from: 0, maxRecords: Int(range.endOffset), maxBytes: 1 << 30)
            XCTAssertEqual(back, Array(original.prefix(Int(range.endOffset))), "partition \(index)")
        }
        XCTAssertTrue(try LogVerifier().verify(dataDirectory: restored).isClean)
        await copy.close()
        await log.close()
    }

    /// Entries are consecutive numbers; a snapshot holds the last number it covers. Whatever
    /// moment a backup catches, the restored journal's snapshot plus its replayed entries
    /// must be one unbroken run from 0.
    func testJournalSnapshotAndEntriesStayConsistentUnderConcurrentSnapshots() async throws {
        let log = try Log.open(directory: data, options: tinyOptions())
        let journal = try Journal.open(directory: log.journalsDirectory + "/delivery-cursors", options: tinyOptions())
        let writer = Task {
            var number: Int64 = 0
            while !Task.isCancelled && number < 20_000 {
                let offset = try await journal.append(Array(String(number).utf8))
                if number % 15 == 14 { try await journal.writeSnapshot(Array(String(number).utf8), nextOffset: offset + 1) }
                number += 1
            }
        }
        for round in 0..<12 {
            _ = try await backup(to: "backup-\(round)")
            let restored = directory.path + "/restored-\(round)"
            _ = try DataDirectoryRestore().run(from: directory.path + "/backup-\(round)", to: restored)
            let copy = try Journal.open(directory: restored + "/journals/delivery-cursors", options: tinyOptions())
            var last: Int64 = copy.snapshot.map { Int64(String(decoding: $0.state, as: UTF8.self)) ?? -99 } ?? -1
            try copy.replay { record in
                let value = Int64(String(decoding: record.value, as: UTF8.self)) ?? -99
                XCTAssertEqual(value, last + 1, "round \(round): a gap or overlap between snapshot and entries")
                XCTAssertEqual(record.offset, value, "entry n sits at offset n")
                last = value
            }
            await copy.close()
        }
        writer.cancel()
        _ = try? await writer.value
        await journal.close()
        await log.close()
    }

    /// The gap the loop above can only hit by luck, made certain: a snapshot covering
    /// entries the capture does not hold is written right after the capture.
    func testASnapshotNewerThanTheCapturedEntriesIsNotPairedWithThem() async throws {
        try FileManager.default.createDirectory(atPath: data + "/journals", withIntermediateDirectories: true)
        let journal = try Journal.open(directory: data + "/journals/dlq", options: tinyOptions())
        for number in 0..<10 { try await journal.append(Array(String(number).utf8)) }
        var injected = false
        let (capture, snapshot) = try DataDirectoryBackup.Copy.consistentCapture(
            journal.partition, snapshotPath: data + "/journals/dlq/snapshot.snap", io: PosixStorageIO()) {
            guard !injected else { return }
            injected = true
            let done = DispatchSemaphore(value: 0)
            Task.detached {
                for number in 10..<20 { try await journal.append(Array(String(number).utf8)) }
                try await journal.writeSnapshot(Array("19".utf8), nextOffset: 20)
                done.signal()
            }
            done.wait()
        }
        defer { capture.close(io: PosixStorageIO()) }
        XCTAssertTrue(injected)
        XCTAssertNotNil(snapshot)
        XCTAssertGreaterThanOrEqual(capture.endOffset, 20, "the entries below the snapshot's next offset are in the capture")
        await journal.close()
    }

    func testFilesNobodyHasOpenAreCopiedWithoutATornTail() async throws {
        let log = try Log.open(directory: data, options: tinyOptions())
        let topic = try TopicName("city.permit")
        try log.createTopic(topic)
        for number in 0..<30 { _ = try await log.partition(topic, 0).append(value: Array("permit \(number)".utf8)) }
        await log.close()
        // A copy of the directory at a path no partition of this process is open on.
        let offline = directory.path + "/offline"
        try FileManager.default.copyItem(atPath: data, toPath: offline)
        let segment = try XCTUnwrap(directory.files(in: "offline/topics/city.permit/0", suffix: ".log").last)
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: segment))
        handle.seekToEndOfFile()
        handle.write(Data([0x30, 0, 0, 0, 0xde, 0xad]))  // a frame cut short by a crash
        try handle.close()

        let manifest = try DataDirectoryBackup(dataDirectory: offline).run(to: directory.path + "/backup")
        let range = try XCTUnwrap(manifest.partition("topics/city.permit/0"))
        XCTAssertFalse(range.live)
        XCTAssertEqual(range.endOffset, 30)
        let restored = directory.path + "/restored"
        _ = try DataDirectoryRestore().run(from: directory.path + "/backup", to: restored)
        let copy = try Log.open(directory: restored)
        XCTAssertTrue(try copy.partition(topic, 0).recoveryReport.isClean, "the torn tail stayed behind")
        XCTAssertEqual(try copy.partition(topic, 0).read(from: 29, maxRecords: 1).first?.value, Array("permit 29".utf8))
        await copy.close()
    }

    func testBackupAndRestoreRefuseWhatTheyMustNotWrite() async throws {
        let log = try Log.open(directory: data, options: tinyOptions())
        try log.createTopic(try TopicName("city.permit"))
        _ = try await log.partition(try TopicName("city.permit"), 0).append(value: Array("one".utf8))
        let backup = DataDirectoryBackup(dataDirectory: data)
        let busy = directory.path + "/busy"
        try FileManager.default.createDirectory(atPath: busy, withIntermediateDirectories: true)
        try "x".write(toFile: busy + "/file", atomically: true, encoding: .utf8)
        let refusals: [(String, () throws -> Void, String)] = [
            ("relative", { _ = try backup.run(to: "backups/today") }, "is not an absolute path"),
            ("inside", { _ = try backup.run(to: self.data + "/backup") }, "lies inside the data directory"),
            ("not empty", { _ = try backup.run(to: busy) }, "exists and is not empty"),
            ("restore no manifest", { _ = try DataDirectoryRestore().run(from: busy, to: self.directory.path + "/r1") },
             "is not a Simpul backup, or the backup did not finish"),
        ]
        for (label, body, expected) in refusals {
            XCTAssertThrowsError(try body(), label) { XCTAssertTrue("\($0)".contains(expected), "\(label): \($0)") }
        }
        _ = try backup.run(to: directory.path + "/good")
        await log.close()
        XCTAssertThrowsError(try DataDirectoryRestore().run(from: directory.path + "/good", to: busy)) {
            XCTAssertTrue("\($0)".contains("exists and is not empty"), "\($0)")
        }

        let manifestPath = directory.path + "/good/backup.json"
        let original = try String(contentsOfFile: manifestPath, encoding: .utf8)
        let tampered: [(String, String, String)] = [
            ("newer backup", original.replacingOccurrences(of: "\"version\" : 1", with: "\"version\" : 2"), "made by a newer Simpul (backup format 2)"),
            ("newer data", original.replacingOccurrences(of: "\"dataFormat\" : 1", with: "\"dataFormat\" : 3"), "data format 3"),
            ("escaping path", original.replacingOccurrences(of: "\"data/FORMAT\"", with: "\"data/../../FORMAT\""), "is not inside data/"),
            ("not json", "{", "is not a valid backup manifest"),
        ]
        for (label, text, expected) in tampered {
            XCTAssertNotEqual(text, original, label)
            try text.write(toFile: manifestPath, atomically: true, encoding: .utf8)
            XCTAssertThrowsError(try DataDirectoryRestore().run(from: directory.path + "/good", to: directory.path + "/r-\(label.count)"), label) {
                XCTAssertTrue("\($0)".contains(expected), "\(label): \($0)")
            }
        }
        try original.write(toFile: manifestPath, atomically: true, encoding: .utf8)

        let segment = try XCTUnwrap(directory.files(in: "good/data/topics/city.permit/0", suffix: ".log").first)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: segment)))
        bytes[bytes.count - 1] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: segment))
        XCTAssertThrowsError(try DataDirectoryRestore().run(from: directory.path + "/good", to: directory.path + "/r2")) {
            XCTAssertTrue("\($0)".contains("the manifest says"), "\($0)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.path + "/r2"), "a refused restore leaves nothing")
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.path + "/.r2.restoring"))
    }
}
