#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file descriptor handed out by a `StorageIO`.
public typealias StorageFile = Int32

/// How a file is opened.
public enum StorageOpenMode: Sendable {
    case readOnly
    /// Read and write; `create` makes the file if it does not exist.
    case readWrite(create: Bool)
}

/// The storage operations the log uses, and nothing else: every byte the log reads or
/// writes goes through this seam, so that tests can drop unsynced writes, garble a torn
/// tail, fill the disk or fail the Nth operation (RELIABILITY.md, harness notes).
///
/// Implementations are safe to call from any thread; a file descriptor is used by one
/// writer at a time, while readers may `pread` it concurrently.
public protocol StorageIO: Sendable {
    func open(_ path: String, mode: StorageOpenMode) throws -> StorageFile
    func close(_ file: StorageFile)
    /// Writes all of `bytes` at `offset`, or throws.
    func write(_ file: StorageFile, _ bytes: UnsafeRawBufferPointer, at offset: Int) throws
    /// Reads up to `buffer.count` bytes at `offset`; returns how many were read (0 at end).
    func read(_ file: StorageFile, into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws -> Int
    /// Makes the file's data durable (`fdatasync`).
    func sync(_ file: StorageFile) throws
    func truncate(_ file: StorageFile, to length: Int) throws
    func size(of file: StorageFile) throws -> Int
    func rename(_ source: String, to target: String) throws
    func unlink(_ path: String) throws
    /// Makes the directory's entries durable (a new or renamed file survives a crash).
    func syncDirectory(_ path: String) throws
    func listDirectory(_ path: String) throws -> [String]
    /// Creates the directory if it does not exist yet (one level).
    func makeDirectory(_ path: String) throws
    func fileExists(_ path: String) -> Bool
    func isDirectory(_ path: String) -> Bool
    /// Bytes available to this process on the file system holding `path`.
    func availableBytes(at path: String) throws -> Int
}

/// The operation that failed, named for the admin's message.
public enum StorageOperation: String, Sendable {
    case open, close, write, read, sync, truncate, size, rename, unlink
    case syncDirectory = "directory sync"
    case listDirectory = "directory listing"
    case makeDirectory = "mkdir"
    case statfs
}

/// A failed storage call: what, where and the system's error number.
public struct StorageError: Error, Sendable, Equatable, CustomStringConvertible {
    public let operation: StorageOperation
    public let path: String
    public let code: Int32

    public init(_ operation: StorageOperation, path: String, code: Int32) {
        self.operation = operation
        self.path = path
        self.code = code
    }

    /// The file system is full (or the quota is reached).
    public var isNoSpace: Bool { code == ENOSPC || code == EDQUOT }

    /// The process may not write there (permissions, a read-only file system or mount).
    public var isPermissionDenied: Bool { code == EACCES || code == EPERM || code == EROFS }

    public var description: String {
        let reason = String(cString: strerror(code))
        return "\(operation.rawValue) failed on \(path): \(reason) (errno \(code))"
    }
}
