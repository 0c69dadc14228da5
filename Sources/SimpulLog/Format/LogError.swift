/// Everything the log can refuse, each with a sentence for the admin: what went wrong,
/// where, and what to do.
public enum LogError: Error, Sendable, Equatable {
    case invalidTopicName(String, reason: String)
    case unknownTopic(String)
    case unknownPartition(topic: String, partition: Int)
    case invalidPartitionCount(Int)
    case recordTooLarge(bytes: Int, limit: Int)
    case keyTooLarge(bytes: Int, limit: Int)
    /// The file system is full: nothing of this append was acknowledged.
    case storageFull(path: String)
    /// A write or sync failed; the partition refuses writes until it is reopened.
    case storageFailed(StorageError)
    /// An earlier storage failure made this partition read-only (writes are sticky-failed).
    case partitionReadOnly(path: String, cause: String)
    /// A record or file failed its checksum, offset or length checks.
    case corruption(DamageReport)
    /// The requested offset was removed by retention; `earliest` is the first one kept.
    case offsetBeforeStart(requested: Int64, earliest: Int64)
    case closed
    case unsupportedFormat(path: String, detail: String)
}

extension LogError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .invalidTopicName(let name, let reason):
            return "invalid topic name \"\(name)\": \(reason); use lowercase letters, digits, '.', '_' and '-'"
        case .unknownTopic(let name):
            return "no topic named \"\(name)\"; `simpul topics list` shows the topics"
        case .unknownPartition(let topic, let partition):
            return "topic \"\(topic)\" has no partition \(partition)"
        case .invalidPartitionCount(let count):
            return "a topic needs 1 to \(LogLimits.partitionCountMax) partitions, not \(count)"
        case .recordTooLarge(let bytes, let limit):
            return "record of \(bytes) bytes is over the limit of \(limit) bytes; split it or raise the limit"
        case .keyTooLarge(let bytes, let limit):
            return "record key of \(bytes) bytes is over the limit of \(limit) bytes"
        case .storageFull(let path):
            return "disk full at \(path); nothing was acknowledged — free space or lower retention, "
                + "appends resume by themselves"
        case .storageFailed(let error):
            return "storage failure: \(error); the partition is now read-only until Simpul is restarted — "
                + "check the disk (dmesg), then restart and run `simpul log verify`"
        case .partitionReadOnly(let path, let cause):
            return "partition \(path) is read-only after an earlier storage failure (\(cause)); "
                + "restart Simpul once the disk is healthy"
        case .corruption(let report):
            return report.description
        case .offsetBeforeStart(let requested, let earliest):
            return "offset \(requested) was removed by retention; the earliest kept offset is \(earliest)"
        case .closed:
            return "the log is closed"
        case .unsupportedFormat(let path, let detail):
            return "cannot open \(path): \(detail)"
        }
    }
}

/// One damaged place on disk: which file, where, and what was wrong.
public struct DamageReport: Sendable, Equatable, CustomStringConvertible {
    /// The segment (or journal) file.
    public var file: String
    /// Byte position inside the file.
    public var position: Int
    /// The offset the record at that position should carry, when known.
    public var offset: Int64?
    public var detail: String

    public init(file: String, position: Int, offset: Int64?, detail: String) {
        self.file = file
        self.position = position
        self.offset = offset
        self.detail = detail
    }

    public var description: String {
        let at = offset.map { "record offset \($0), " } ?? ""
        return "damaged data in \(file) at \(at)byte \(position): \(detail); nothing was changed — "
            + "run `simpul log verify --data-dir DIR` for the full list"
    }
}
