import Foundation

/// Brings a backup back as a new data directory: the manifest is checked, every file's size
/// and CRC-32C, then the files are copied into a staging folder beside the target, the copy
/// is verified record by record (`LogVerifier`, and each partition holds exactly the
/// offsets the manifest names), and only then renamed into place. Never overwrites.
public struct DataDirectoryRestore: Sendable {
    public struct Result: Sendable {
        public var manifest: BackupManifest
        public var verification: LogVerifier.Report
    }

    let io: any StorageIO

    public init(io: any StorageIO = PosixStorageIO()) {
        self.io = io
    }

    /// Restores the backup in `backup` into `target` (absent, or an empty directory).
    /// - Throws: `BackupError` (no or bad manifest, damaged file, target not empty, the
    ///   copy does not verify), `LogError` for data of a newer Simpul, `StorageError`.
    public func run(from backup: String, to target: String) throws -> Result {
        let manifest = try Self.readManifest(backup, io: io)
        try checkTarget(target)
        for file in manifest.files {
            let path = try Self.checkedPath(file.path, in: backup)
            guard io.fileExists(path) else { throw BackupError.fileMismatch(path: file.path, detail: "is missing") }
            let found = try FileCopy.checksum(path: path, io: io)
            guard found.bytes == file.bytes, found.crc32c == file.crc32c else {
                throw BackupError.fileMismatch(path: file.path, detail:
                    "has \(found.bytes) bytes with CRC-32C \(found.crc32c), the manifest says \(file.bytes) and \(file.crc32c)")
            }
        }
        let staging = Self.stagingPath(for: target)
        try? FileManager.default.removeItem(atPath: staging)
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        do {
            try copyFiles(manifest, from: backup, to: staging)
            let report = try verify(staging, manifest: manifest)
            if FileManager.default.fileExists(atPath: target) { try FileManager.default.removeItem(atPath: target) }  // empty, checked
            try io.rename(staging, to: target)
            try io.syncDirectory(AtomicFile.directoryOf(target))
            return Result(manifest: manifest, verification: report)
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        }
    }

    /// The manifest of a finished backup of a format this Simpul reads.
    public static func readManifest(_ backup: String, io: any StorageIO = PosixStorageIO()) throws -> BackupManifest {
        let path = backup + "/" + BackupManifest.fileName
        guard let bytes = try AtomicFile.read(path, io: io) else { throw BackupError.noManifest(backup) }
        let manifest = try BackupManifest.decode(bytes, path: path)
        guard manifest.format == BackupManifest.formatName else {
            throw BackupError.invalidManifest(path: path, detail: "format is \"\(manifest.format)\", not \"\(BackupManifest.formatName)\"")
        }
        guard manifest.version <= BackupManifest.currentVersion else {
            throw BackupError.newerBackup(path: backup, version: manifest.version)
        }
        try DataDirectoryFormat.check(manifest.dataFormat, path: path)
        return manifest
    }

    private func checkTarget(_ target: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: target, isDirectory: &isDirectory) else { return }
        guard isDirectory.boolValue, (try FileManager.default.contentsOfDirectory(atPath: target)).isEmpty else {
            throw BackupError.targetNotEmpty(target)
        }
    }

    /// A manifest path inside the backup's data folder, refusing `..` and absolute paths
    /// (the manifest is input: it must not make a restore write elsewhere).
    static func checkedPath(_ relativePath: String, in backup: String) throws -> String {
        let parts = relativePath.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.first == Substring(BackupManifest.dataFolder), parts.count >= 2,
              !parts.dropFirst().contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
            throw BackupError.invalidManifest(path: backup + "/" + BackupManifest.fileName,
                                              detail: "the file path \"\(relativePath)\" is not inside data/")
        }
        return backup + "/" + relativePath
    }

    static func stagingPath(for target: String) -> String {
        let trimmed = target.hasSuffix("/") ? String(target.dropLast()) : target
        let parent = AtomicFile.directoryOf(trimmed)
        let name = trimmed.split(separator: "/").last.map(String.init) ?? "data"
        return parent + "/." + name + ".restoring"
    }

    private func copyFiles(_ manifest: BackupManifest, from backup: String, to staging: String) throws {
        var folders: Set<String> = [staging]
        for file in manifest.files {
            let inside = String(file.path.dropFirst(BackupManifest.dataFolder.count + 1))
            let target = staging + "/" + inside
            let folder = AtomicFile.directoryOf(target)
            if !folders.contains(folder) {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                folders.insert(folder)
            }
            let copied = try FileCopy.copy(path: try Self.checkedPath(file.path, in: backup), to: target, io: io)
            guard copied.crc32c == file.crc32c else {
                throw BackupError.fileMismatch(path: file.path, detail: "changed while it was restored")
            }
        }
        for folder in folders.sorted(by: { $0.count > $1.count }) { try io.syncDirectory(folder) }
    }

    /// Every record checks out, and each partition holds the offsets the manifest names.
    private func verify(_ staging: String, manifest: BackupManifest) throws -> LogVerifier.Report {
        let verifier = LogVerifier(io: io)
        var total = LogVerifier.Report()
        for range in manifest.partitions {
            var one = LogVerifier.Report()
            let folder = staging + "/" + range.path
            if io.isDirectory(folder) { try verifier.verifyPartition(folder, report: &one) }
            if let damage = one.damage.first {
                throw BackupError.verificationFailed(path: staging, detail: damage.description)
            }
            let expected = Int(range.endOffset - range.startOffset)
            guard one.recordsChecked == expected else {
                throw BackupError.verificationFailed(path: staging, detail:
                    "\(range.path) holds \(one.recordsChecked) records, the manifest says \(expected) "
                    + "(offsets \(range.startOffset)..<\(range.endOffset))")
            }
            total.partitionsChecked += one.partitionsChecked
            total.segmentsChecked += one.segmentsChecked
            total.recordsChecked += one.recordsChecked
            total.bytesChecked += one.bytesChecked
        }
        return total
    }
}
