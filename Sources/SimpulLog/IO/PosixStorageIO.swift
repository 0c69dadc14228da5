#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The production `StorageIO`: plain POSIX calls, retried on `EINTR`, short writes and
/// reads completed. Paths of open descriptors are kept only for error messages.
public struct PosixStorageIO: StorageIO {
    public init() {}

    public func open(_ path: String, mode: StorageOpenMode) throws -> StorageFile {
        let flags: Int32
        switch mode {
        case .readOnly: flags = O_RDONLY | O_CLOEXEC
        case .readWrite(let create): flags = O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0)
        }
        let fd = retryingEINTR { Glibc.open(path, flags, 0o640) }
        guard fd >= 0 else { throw StorageError(.open, path: path, code: errno) }
        return fd
    }

    public func close(_ file: StorageFile) {
        _ = Glibc.close(file)
    }

    public func write(_ file: StorageFile, _ bytes: UnsafeRawBufferPointer, at offset: Int) throws {
        var done = 0
        while done < bytes.count {
            let n = pwrite(file, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw StorageError(.write, path: descriptorPath(file), code: errno)
            }
            if n == 0 { throw StorageError(.write, path: descriptorPath(file), code: EIO) }
            done += n
        }
    }

    public func read(_ file: StorageFile, into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws -> Int {
        var done = 0
        while done < buffer.count {
            let n = pread(file, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw StorageError(.read, path: descriptorPath(file), code: errno)
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    public func sync(_ file: StorageFile) throws {
        guard retryingEINTR({ fdatasync(file) }) == 0 else {
            throw StorageError(.sync, path: descriptorPath(file), code: errno)
        }
    }

    public func truncate(_ file: StorageFile, to length: Int) throws {
        guard retryingEINTR({ ftruncate(file, off_t(length)) }) == 0 else {
            throw StorageError(.truncate, path: descriptorPath(file), code: errno)
        }
    }

    public func size(of file: StorageFile) throws -> Int {
        var info = stat()
        guard fstat(file, &info) == 0 else { throw StorageError(.size, path: descriptorPath(file), code: errno) }
        return Int(info.st_size)
    }

    public func rename(_ source: String, to target: String) throws {
        guard Glibc.rename(source, target) == 0 else { throw StorageError(.rename, path: source, code: errno) }
    }

    public func unlink(_ path: String) throws {
        guard Glibc.unlink(path) == 0 else { throw StorageError(.unlink, path: path, code: errno) }
    }

    public func syncDirectory(_ path: String) throws {
        let fd = retryingEINTR { Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        guard fd >= 0 else { throw StorageError(.syncDirectory, path: path, code: errno) }
        defer { _ = Glibc.close(fd) }
        guard retryingEINTR({ fsync(fd) }) == 0 else { throw StorageError(.syncDirectory, path: path, code: errno) }
    }

    public func listDirectory(_ path: String) throws -> [String] {
        guard let dir = opendir(path) else { throw StorageError(.listDirectory, path: path, code: errno) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    public func makeDirectory(_ path: String) throws {
        if mkdir(path, 0o750) != 0 && errno != EEXIST {
            throw StorageError(.makeDirectory, path: path, code: errno)
        }
    }

    public func fileExists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    public func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    public func availableBytes(at path: String) throws -> Int {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { throw StorageError(.statfs, path: path, code: errno) }
        return Int(info.f_bavail) * Int(info.f_frsize)
    }

    private func descriptorPath(_ file: StorageFile) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/fd/\(file)", &buffer, buffer.count - 1)
        guard n > 0 else { return "file descriptor \(file)" }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private func retryingEINTR(_ call: () -> Int32) -> Int32 {
        while true {
            let result = call()
            if result < 0 && errno == EINTR { continue }
            return result
        }
    }
}
