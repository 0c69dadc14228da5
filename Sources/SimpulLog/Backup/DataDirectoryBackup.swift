import Foundation

/// Copies a data directory into a backup directory while the server may be running: every
/// partition (topics and every journal under `journals/`, found by walking the folders) up
/// to its committed end, journal snapshots consistent with their entries, and the small
/// files (`FORMAT`, `tokens.json`, `pseudonym.key`, `topic.meta`, …); `backup.json` last.
///
/// Journals are copied before topics: what a journal refers to (a consumer's position, a
/// delivery cursor, an idempotency watermark) is then never ahead of the topics copied.
/// Partitions open in this process are copied through `LivePartitions`; others from their
/// files, without a torn tail. Call from a thread that may block (it reads and syncs files).
public struct DataDirectoryBackup: Sendable {
    public let dataDirectory: String
    let io: any StorageIO
    /// Tries to catch a journal between two snapshot writes before giving up.
    static let snapshotAttemptsMax = 100

    public init(dataDirectory: String, io: any StorageIO = PosixStorageIO()) {
        self.dataDirectory = dataDirectory
        self.io = io
    }

    /// Makes the backup in `target` (absolute; new or empty) and returns its manifest.
    /// - Throws: `BackupError` for a target it will not write; `LogError` and `StorageError`
    ///   when the data cannot be read or the copy cannot be written.
    public func run(to target: String, now: Date = Date()) throws -> BackupManifest {
        guard target.hasPrefix("/") else { throw BackupError.relativeTarget(target) }
        guard io.isDirectory(dataDirectory) else { throw BackupError.noDataDirectory(dataDirectory) }
        let data = LivePartitions.normalized(dataDirectory)
        let resolvedTarget = LivePartitions.normalized(target)
        if resolvedTarget == data || resolvedTarget.hasPrefix(data + "/") || data.hasPrefix(resolvedTarget + "/") {
            throw BackupError.targetInsideData(target: target, data: dataDirectory)
        }
        let dataFormat = try DataDirectoryFormat.read(directory: dataDirectory, io: io) ?? DataDirectoryFormat.version
        try DataDirectoryFormat.check(dataFormat, path: dataDirectory + "/" + DataDirectoryFormat.fileName)
        try BackupDirectories.prepareEmpty(target, io: io)
        var copy = Copy(source: dataDirectory, root: target, io: io)
        try copy.run()
        let manifest = BackupManifest(dataFormat: dataFormat, createdAt: BackupDirectories.rfc3339(now),
                                      partitions: copy.partitions, files: copy.files)
        try AtomicFile.write(try manifest.encoded(), to: target + "/" + BackupManifest.fileName, io: io)
        return manifest
    }

    /// One backup's walk and what it wrote.
    struct Copy {
        let source: String
        let root: String
        let io: any StorageIO
        var files: [BackupManifest.File] = []
        var partitions: [BackupManifest.PartitionRange] = []

        init(source: String, root: String, io: any StorageIO) {
            self.source = source
            self.root = root
            self.io = io
        }

        var output: String { root + "/" + BackupManifest.dataFolder }

        mutating func run() throws {
            try io.makeDirectory(output)
            try copySmallFiles(from: source, to: output)
            for journal in try subdirectories(source + "/journals") {
                try copyPartition("journals/" + journal)
            }
            for topic in try subdirectories(source + "/topics") {
                let folder = "topics/" + topic
                // A topic is being created until its topic.meta exists: no record is in it yet.
                guard io.fileExists(source + "/" + folder + "/topic.meta") else { continue }
                try makeDirectories(output + "/" + folder)
                try copySmallFiles(from: source + "/" + folder, to: output + "/" + folder)
                for partition in try subdirectories(source + "/" + folder) where Int(partition) != nil {
                    try copyPartition(folder + "/" + partition)
                }
                try io.syncDirectory(output + "/" + folder)
            }
            for folder in [output + "/topics", output + "/journals", output] where io.isDirectory(folder) {
                try io.syncDirectory(folder)
            }
        }

        private mutating func copyPartition(_ folder: String) throws {
            let sourceFolder = source + "/" + folder
            let targetFolder = output + "/" + folder
            try makeDirectories(targetFolder)
            let snapshotPath = sourceFolder + "/snapshot.snap"
            let capture: PartitionCapture
            let snapshot: [UInt8]?
            let live = LivePartitions.partition(at: sourceFolder)
            if let live {
                (capture, snapshot) = try Self.consistentCapture(live, snapshotPath: snapshotPath, io: io)
            } else {
                capture = try PartitionCapture.offline(directory: sourceFolder, io: io)
                snapshot = try AtomicFile.read(snapshotPath, io: io)
            }
            defer { capture.close(io: io) }
            files += try capture.write(to: targetFolder, relativeTo: root, io: io)
            if let snapshot {
                try FileCopy.write(snapshot, to: targetFolder + "/snapshot.snap", io: io)
                files.append(BackupManifest.File(path: relative(targetFolder + "/snapshot.snap", to: root),
                                                 bytes: snapshot.count, crc32c: CRC32C.checksum(snapshot)))
            }
            try copySmallFiles(from: sourceFolder, to: targetFolder)
            try io.syncDirectory(targetFolder)
            partitions.append(BackupManifest.PartitionRange(path: folder, startOffset: capture.startOffset,
                                                            endOffset: capture.endOffset, live: live != nil))
        }

        /// Captures the entries, then reads the snapshot: a snapshot taken after the
        /// capture may cover entries the capture lacks, so the pair is taken again until
        /// the snapshot's first uncovered entry lies within the captured ones.
        /// `afterCapture` is a seam for the test that writes a snapshot in exactly that gap.
        static func consistentCapture(_ partition: Partition, snapshotPath: String, io: any StorageIO,
                                      afterCapture: () -> Void = {}) throws -> (PartitionCapture, [UInt8]?) {
            for _ in 0..<DataDirectoryBackup.snapshotAttemptsMax {
                let capture = PartitionCapture.live(partition)
                afterCapture()
                guard let snapshot = try AtomicFile.read(snapshotPath, io: io) else { return (capture, nil) }
                let next = (try? JournalSnapshot.decode(snapshot, file: snapshotPath))?.nextOffset ?? 0
                if next <= capture.endOffset { return (capture, snapshot) }
                usleep(10_000)
            }
            throw BackupError.snapshotRace(snapshotPath)
        }

        /// Regular files of `folder` other than segments, indexes, snapshots, temporary
        /// files and the process lock: each read whole (they are replaced atomically).
        private mutating func copySmallFiles(from folder: String, to targetFolder: String) throws {
            for name in try io.listDirectory(folder).sorted() {
                let path = folder + "/" + name
                guard !io.isDirectory(path), !name.hasSuffix(".log"), !name.hasSuffix(".idx"), !name.hasSuffix(".tmp"),
                      name != "snapshot.snap", name != DataDirectoryLock.fileName,
                      let bytes = try AtomicFile.read(path, io: io) else { continue }
                try FileCopy.write(bytes, to: targetFolder + "/" + name, io: io)
                files.append(BackupManifest.File(path: relative(targetFolder + "/" + name, to: root), bytes: bytes.count,
                                                 crc32c: CRC32C.checksum(bytes)))
            }
        }

        private func subdirectories(_ folder: String) throws -> [String] {
            guard io.isDirectory(folder) else { return [] }
            return try io.listDirectory(folder).filter { io.isDirectory(folder + "/" + $0) }.sorted()
        }

        private func makeDirectories(_ path: String) throws {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
    }
}

/// Directory chores shared by backup and restore.
enum BackupDirectories {
    /// Creates `path` and its parents (the last with mode 0700: a backup holds token hashes
    /// and the pseudonym key), or checks that it is an empty directory.
    /// - Throws: `BackupError.targetNotEmpty`; `StorageError` naming the folder it could not make.
    static func prepareEmpty(_ path: String, io: any StorageIO = PosixStorageIO()) throws {
        if io.fileExists(path) || io.isDirectory(path) {
            guard io.isDirectory(path), try io.listDirectory(path).isEmpty else { throw BackupError.targetNotEmpty(path) }
        } else {
            var partial = ""
            for component in path.split(separator: "/") {
                partial += "/" + component
                if !io.isDirectory(partial) { try io.makeDirectory(partial) }
            }
        }
        chmod(path, 0o700)
    }

    static func rfc3339(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}
