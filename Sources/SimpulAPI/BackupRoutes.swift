import Dispatch
import Foundation
import SimpulBus
import SimpulLog
import SimpulMapping
import SimpulServer

/// `POST /v1/admin/backup {"to": "/abs/dir"}` (admins): a consistent copy of the data
/// directory made inside the server, which alone knows how far each partition is committed.
/// The copy runs on a thread of its own (it reads and syncs files for a while) and answers
/// with the manifest's summary once `backup.json` is written. One backup at a time.
enum BackupRoutes {
    private static let running = Locked<Set<String>>([])

    static func backup(_ request: HTTPRequest, bus: Bus) async -> HTTPResponse {
        if case .failure(let box) = Authentication.admin(request, bus: bus) { return box.response }
        let body: JSONValue
        do { body = try JSONReader.parse(request.body) } catch {
            return ErrorResponses.badRequest("json.invalid", "the body is not valid JSON: \(error)")
        }
        guard let requested = body["to"]?.stringValue, !requested.isEmpty, !requested.contains("\u{0}") else {
            return ErrorResponses.badRequest("backup.target", "send {\"to\": \"NAME\"} or {\"to\": \"/path/inside/the/backups/folder\"}")
        }
        let root = bus.settings.resolvedBackupsDirectory
        guard let target = insideBackups(requested, root: root) else {
            return ErrorResponses.badRequest("backup.target", "backups go under \(root) (config key backupsDir); "
                                             + "\"\(requested)\" is not a folder name inside it — give a plain name "
                                             + "(letters, digits, '-', at most 255 bytes), or a path inside it")
        }
        let dataDirectory = bus.log.directory
        let claimed = running.withLock { $0.insert(dataDirectory).inserted }
        guard claimed else { return response(for: BackupError.alreadyRunning) }
        defer { _ = running.withLock { $0.remove(dataDirectory) } }
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<BackupManifest, any Error>, Never>) in
            DispatchQueue.global(qos: .utility).async {
                continuation.resume(returning: Result { try DataDirectoryBackup(dataDirectory: dataDirectory).run(to: target) })
            }
        }
        switch result {
        case .success(let manifest):
            return .json(status: 201, value: .object([("backup", BackupSummary.json(manifest, to: target))]))
        case .failure(let error):
            return response(for: error)
        }
    }

    /// `requested` as a path strictly inside `root` (a relative one is taken inside it), or
    /// nil: the admin API writes nowhere else, whatever a token holder asks.
    static func insideBackups(_ requested: String, root: String) -> String? {
        let base = (root as NSString).standardizingPath
        // Names a file system takes: no control characters, no component over 255 bytes.
        guard requested.utf8.count <= 1024, !requested.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }),
              !requested.split(separator: "/").contains(where: { $0.utf8.count > 255 }) else { return nil }
        let path = requested.hasPrefix("/") ? requested : base + "/" + requested
        let normalized = (path as NSString).standardizingPath
        guard normalized.hasPrefix(base + "/"), !normalized.split(separator: "/").contains("..") else { return nil }
        return normalized
    }

    private static func response(for error: any Error) -> HTTPResponse {
        switch error {
        case let backup as BackupError:
            switch backup {
            case .relativeTarget, .targetInsideData, .noDataDirectory:
                return .error(status: 400, code: "backup.target", message: backup.description)
            case .targetNotEmpty, .alreadyRunning:
                return .error(status: 409, code: "backup.conflict", message: backup.description)
            default:
                return .error(status: 500, code: "backup.failed", message: backup.description)
            }
        case let storage as StorageError:
            let hint = storage.isPermissionDenied
                ? "; the server runs as its own user and (under systemd) may write only /var/backups/simpul" : ""
            return .error(status: storage.isNoSpace ? 507 : 500, code: "backup.failed",
                          message: "the backup could not be written: \(storage)\(hint); remove the partial backup and try again")
        default:
            if let log = error as? LogError { return ErrorResponses.response(for: log) }
            return .error(status: 500, code: "backup.failed", message: "the backup failed: \(error); remove the partial backup and try again")
        }
    }
}

/// The answer to a backup, the same from the server and from `simpul backup --data-dir`.
public enum BackupSummary {
    public static func json(_ manifest: BackupManifest, to target: String) -> JSONValue {
        .object([
            ("to", .string(target)), ("createdAt", .string(manifest.createdAt)), ("dataFormat", .int(manifest.dataFormat)),
            ("files", .int(manifest.files.count)), ("bytes", .int(manifest.totalBytes)),
            ("partitions", .array(manifest.partitions.map { range in
                .object([("path", .string(range.path)), ("startOffset", .int(Int(range.startOffset))),
                         ("endOffset", .int(Int(range.endOffset)))])
            })),
        ])
    }
}
