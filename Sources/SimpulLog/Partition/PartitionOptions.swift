/// When an append is acknowledged.
public enum Durability: Sendable, Equatable {
    /// The default: an append returns only after `fdatasync` covered it. Appenders waiting
    /// at the same moment share one sync (group commit).
    case durable
    /// **Risks losing acknowledged records.** Appends return once written to the page
    /// cache; a sync runs every `intervalMs` (or sooner when `unsyncedBytesMax` is
    /// reached). A power loss or kernel crash loses up to that window of acknowledged
    /// records; a process crash alone loses nothing. Never the default.
    case relaxedMayLoseAcknowledgedRecords(intervalMs: Int)
}

/// Retention of old records: whole sealed segments are deleted, the newest never.
public struct RetentionPolicy: Sendable, Equatable {
    /// Delete a sealed segment once its newest record is older than this (nil: keep).
    public var maxAgeMs: Int64?
    /// Delete the oldest sealed segments while the partition is bigger than this (nil: keep).
    public var maxBytes: Int?

    public init(maxAgeMs: Int64? = nil, maxBytes: Int? = nil) {
        self.maxAgeMs = maxAgeMs
        self.maxBytes = maxBytes
    }

    public static let keepEverything = RetentionPolicy()
}

/// How a partition lays out and syncs its files. Defaults suit a city's server.
public struct PartitionOptions: Sendable, Equatable {
    /// A segment rolls once adding a record would make it bigger than this.
    public var segmentBytesMax: Int = 64 << 20
    /// One index entry per this many bytes of records.
    public var indexIntervalBytes: Int = 4096
    public var durability: Durability = .durable
    /// Most bytes ever written without a sync (a group-commit batch is at most this).
    /// Recovery treats damage within this distance of the end of the newest segment as a
    /// torn write and cuts it off; farther back it is damage and is refused.
    public var unsyncedBytesMax: Int = 32 << 20
    public var retention: RetentionPolicy = .keepEverything
    /// Appends are refused with `storageFull` while free space is below this.
    public var freeBytesFloor: Int = 64 << 20
    /// Largest record value accepted (at most `LogLimits.recordValueBytesMax`).
    public var valueBytesMax: Int = LogLimits.recordValueBytesMax

    public init() {}

    /// Checks the relations between the limits once, with a message naming the setting.
    public func validated() throws -> PartitionOptions {
        guard valueBytesMax > 0, valueBytesMax <= LogLimits.recordValueBytesMax else {
            throw LogError.unsupportedFormat(path: "options", detail:
                "valueBytesMax must be between 1 and \(LogLimits.recordValueBytesMax)")
        }
        let recordMax = RecordFrame.size(keyCount: LogLimits.recordKeyBytesMax, valueCount: valueBytesMax)
        guard segmentBytesMax >= FileHeader.bytes + recordMax, segmentBytesMax <= Int(UInt32.max) else {
            throw LogError.unsupportedFormat(path: "options", detail:
                "segmentBytesMax must be between \(FileHeader.bytes + recordMax) and \(UInt32.max)")
        }
        guard unsyncedBytesMax >= recordMax else {
            throw LogError.unsupportedFormat(path: "options", detail: "unsyncedBytesMax must be at least \(recordMax)")
        }
        guard indexIntervalBytes > 0 else {
            throw LogError.unsupportedFormat(path: "options", detail: "indexIntervalBytes must be positive")
        }
        if case .relaxedMayLoseAcknowledgedRecords(let interval) = durability, interval <= 0 {
            throw LogError.unsupportedFormat(path: "options", detail: "the relaxed sync interval must be positive")
        }
        return self
    }

    var indexCapacity: Int { segmentBytesMax / indexIntervalBytes + 2 }
}

/// What opening a partition found and did, for the admin's log.
public struct RecoveryReport: Sendable, Equatable {
    public var directory: String
    /// Bytes cut off the end of the newest segment (a torn, never-acknowledged write).
    public var truncatedBytes = 0
    /// The offset the cut began at (the next record appended gets this offset).
    public var truncatedAtOffset: Int64?
    public var truncatedFile: String?
    /// Segments whose index was missing or wrong and was rebuilt.
    public var rebuiltIndexes: [String] = []
    /// Leftover files removed (orphan indexes, a half-created segment).
    public var removedFiles: [String] = []
    /// Damage found in sealed segments; the records around it stay readable.
    public var damage: [DamageReport] = []

    public var isClean: Bool { truncatedBytes == 0 && removedFiles.isEmpty && damage.isEmpty }

    public var summary: String {
        var parts: [String] = []
        if truncatedBytes > 0, let file = truncatedFile, let offset = truncatedAtOffset {
            parts.append("cut a torn write of \(truncatedBytes) bytes off \(file) at offset \(offset)")
        }
        if !rebuiltIndexes.isEmpty { parts.append("rebuilt the index of \(rebuiltIndexes.joined(separator: ", "))") }
        if !removedFiles.isEmpty { parts.append("removed \(removedFiles.joined(separator: ", "))") }
        for report in damage { parts.append(report.description) }
        return parts.isEmpty ? "\(directory): clean" : "\(directory): " + parts.joined(separator: "; ")
    }
}
