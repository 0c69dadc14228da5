import Foundation

/// `backup.json`, written last into a backup directory: what the backup holds, each file
/// with its size and CRC-32C, and each partition with the offsets it covers. A backup
/// without it did not finish.
///
/// ```
/// BACKUP/backup.json
/// BACKUP/data/…        the data directory's files (FORMAT, tokens.json, topics/, journals/)
/// ```
public struct BackupManifest: Codable, Sendable, Equatable {
    public static let fileName = "backup.json"
    public static let dataFolder = "data"
    public static let formatName = "simpul-backup"
    public static let currentVersion = 1

    public struct File: Codable, Sendable, Equatable {
        /// Path inside the backup directory (`data/topics/…`).
        public var path: String
        public var bytes: Int
        public var crc32c: UInt32
    }

    public struct PartitionRange: Codable, Sendable, Equatable {
        /// Path inside the data directory (`topics/city.population.person/0`, `journals/dlq`).
        public var path: String
        /// First offset kept; every offset from here to `endOffset - 1` is in the backup.
        public var startOffset: Int64
        /// One past the last offset in the backup.
        public var endOffset: Int64
        /// Whether the partition was copied from a running server (up to its committed end)
        /// or from files nobody had open (up to the last valid record).
        public var live: Bool
    }

    public var format = BackupManifest.formatName
    public var version = BackupManifest.currentVersion
    /// `DATA/FORMAT` of the data that was copied.
    public var dataFormat: Int
    /// RFC 3339, UTC.
    public var createdAt: String
    public var partitions: [PartitionRange]
    public var files: [File]

    public var totalBytes: Int { files.reduce(0) { $0 + $1.bytes } }

    public init(dataFormat: Int, createdAt: String, partitions: [PartitionRange], files: [File]) {
        self.dataFormat = dataFormat
        self.createdAt = createdAt
        self.partitions = partitions
        self.files = files
    }

    /// The partition covering `path` (`topics/NAME/N`), if the backup has it.
    public func partition(_ path: String) -> PartitionRange? {
        partitions.first { $0.path == path }
    }

    func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(self)) + [0x0A]
    }

    static func decode(_ bytes: [UInt8], path: String) throws -> BackupManifest {
        do {
            return try JSONDecoder().decode(BackupManifest.self, from: Data(bytes))
        } catch {
            throw BackupError.invalidManifest(path: path, detail: "\(error)")
        }
    }
}
