/// What a backup or a restore can refuse, each with what to do.
public enum BackupError: Error, Sendable, Equatable, CustomStringConvertible {
    case relativeTarget(String)
    case targetNotEmpty(String)
    case targetInsideData(target: String, data: String)
    case noDataDirectory(String)
    case noManifest(String)
    case invalidManifest(path: String, detail: String)
    case newerBackup(path: String, version: Int)
    case fileMismatch(path: String, detail: String)
    case snapshotRace(String)
    case alreadyRunning
    case verificationFailed(path: String, detail: String)

    public var description: String {
        switch self {
        case .relativeTarget(let path):
            return "\"\(path)\" is not an absolute path; give the backup directory as /full/path"
        case .targetNotEmpty(let path):
            return "\(path) exists and is not empty; give a new or empty directory (a backup or restore never overwrites)"
        case .targetInsideData(let target, let data):
            return "\(target) lies inside the data directory \(data) (or holds it); choose a directory outside it"
        case .noDataDirectory(let path):
            return "\(path) is not a data directory (no such directory)"
        case .noManifest(let path):
            return "\(path) has no \(BackupManifest.fileName): it is not a Simpul backup, or the backup did not finish — "
                + "make a new one"
        case .invalidManifest(let path, let detail):
            return "\(path) is not a valid backup manifest (\(detail)); make a new backup"
        case .newerBackup(let path, let version):
            return "\(path) was made by a newer Simpul (backup format \(version)); restore it with that version"
        case .fileMismatch(let path, let detail):
            return "the backup file \(path) \(detail); the backup is damaged — restore an older one"
        case .snapshotRace(let path):
            return "the journal \(path) kept changing its snapshot while it was copied; run the backup again"
        case .alreadyRunning:
            return "a backup is already running in this server; wait for it to finish"
        case .verificationFailed(let path, let detail):
            return "the restored data in \(path) does not check out: \(detail); it was not put in place"
        }
    }
}
