import Foundation

/// Every partition open in this process, by directory, so that a backup can copy a live
/// partition up to its committed end instead of guessing from the files.
///
/// Why a process-wide table: the bus and its delivery engine open journals of their own
/// (`journals/idempotency`, `journals/dlq`, …) and new ones keep coming; a backup walks the
/// data directory and must treat every journal alike without a list of their owners.
/// Entries are weak: a partition nobody holds is gone from here too. Safe from any thread.
enum LivePartitions {
    private struct Entry {
        weak var partition: Partition?
    }

    private static let table = Locked<[String: Entry]>([:])

    static func register(_ partition: Partition) {
        let key = normalized(partition.directory)
        table.withLock { table in
            table = table.filter { $0.value.partition != nil }
            table[key] = Entry(partition: partition)
        }
    }

    /// The partition open on `directory` in this process, if any.
    static func partition(at directory: String) -> Partition? {
        let key = normalized(directory)
        return table.withLock { $0[key]?.partition }
    }

    static func normalized(_ path: String) -> String {
        var resolved = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        if realpath(path, &resolved) != nil {
            return String(decoding: resolved.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        return (path as NSString).standardizingPath
    }
}
