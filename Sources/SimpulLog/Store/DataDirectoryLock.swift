#if canImport(Glibc)
import Glibc
#endif

/// Keeps a second process off a data directory: `simpul serve`, an offline backup and a
/// restore hold a POSIX record lock on `DATA/simpul.lock` for as long as they run (the
/// kernel drops it when the process ends, even on SIGKILL). The file holds the holder's pid.
///
/// A process-wide lock on purpose: tests open one directory several times in one process,
/// and POSIX locks never conflict within a process. The lock is released when the object
/// is closed or freed.
public final class DataDirectoryLock: Sendable {
    public static let fileName = "simpul.lock"
    private let descriptor: Int32

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit { Glibc.close(descriptor) }

    /// Takes the lock of `directory` (which must exist).
    /// - Throws: `DataDirectoryLock.Busy` naming the process that holds it;
    ///   `StorageError` when the lock file cannot be opened.
    public static func acquire(_ directory: String) throws -> DataDirectoryLock {
        let path = directory + "/" + fileName
        let descriptor = Glibc.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw StorageError(.open, path: path, code: errno) }
        var request = flock()
        request.l_type = Int16(F_WRLCK)
        request.l_whence = Int16(SEEK_SET)
        if fcntl(descriptor, F_SETLK, &request) != 0 {
            var holder = flock()
            holder.l_type = Int16(F_WRLCK)
            holder.l_whence = Int16(SEEK_SET)
            let pid = fcntl(descriptor, F_GETLK, &holder) == 0 && holder.l_type != Int16(F_UNLCK) ? Int(holder.l_pid) : nil
            Glibc.close(descriptor)
            throw Busy(directory: directory, pid: pid)
        }
        let text = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = text.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        return DataDirectoryLock(descriptor: descriptor)
    }

    /// Another process holds the directory.
    public struct Busy: Error, Sendable, CustomStringConvertible {
        public var directory: String
        public var pid: Int?

        public var description: String {
            "the data directory \(directory) is in use by another Simpul process"
                + (pid.map { " (pid \($0))" } ?? "")
                + "; stop it first (for a backup of a running server use `simpul backup --to DIR` without --data-dir)"
        }
    }
}
