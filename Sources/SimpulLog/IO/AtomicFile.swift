/// Replaces a small file atomically: write a temporary file, sync it, rename it over the
/// target, sync the directory. After a crash the target is either the old or the new
/// version, never a mix (ALICE's ordering rules).
public enum AtomicFile {
    public static func write(_ bytes: [UInt8], to path: String, io: any StorageIO) throws {
        let temporary = path + ".tmp"
        let file = try io.open(temporary, mode: .readWrite(create: true))
        do {
            try io.truncate(file, to: 0)
            try bytes.withUnsafeBytes { try io.write(file, $0, at: 0) }
            try io.sync(file)
            io.close(file)
        } catch {
            io.close(file)
            throw error
        }
        try io.rename(temporary, to: path)
        try io.syncDirectory(directoryOf(path))
    }

    /// The whole file, or nil when it does not exist.
    public static func read(_ path: String, io: any StorageIO) throws -> [UInt8]? {
        guard io.fileExists(path) else { return nil }
        let file = try io.open(path, mode: .readOnly)
        defer { io.close(file) }
        var bytes = [UInt8](repeating: 0, count: try io.size(of: file))
        let count = try bytes.withUnsafeMutableBytes { try io.read(file, into: $0, at: 0) }
        return Array(bytes[0..<count])
    }

    static func directoryOf(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
