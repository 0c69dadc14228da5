import Foundation
import SimpulLog

#if canImport(Glibc)
import Glibc
#endif

/// An in-memory file system that remembers what was synced, so a test can "pull the plug"
/// (RELIABILITY.md harness notes): `crash` keeps all, a prefix, a random subset or a garbled
/// version of the writes not yet synced, forgets unsynced directory entries, and invalidates
/// every descriptor. It can also fail the Nth operation, fill the disk and flip bits.
/// Thread-safe (one lock), deterministic for a given seed.
public final class SimulatedStorageIO: StorageIO, @unchecked Sendable {
    /// How unsynced writes survive a crash.
    public enum CrashMode: CaseIterable, Sendable {
        case dropAll, keepAll, keepPrefix, keepSubset, garbleTail
    }

    /// One operation, in order, for accounting tests (L8).
    public struct Event: Sendable, Equatable {
        public enum Kind: Sendable, Equatable { case write, sync, syncDirectory, create, rename, unlink, truncate }
        public var kind: Kind
        public var path: String
        /// For writes: the byte range written; for syncs: the file's size when synced.
        public var range: Range<Int>
    }

    private struct Inode {
        var durable: [UInt8] = []
        var current: [UInt8] = []
        var pending: [Pending] = []
    }

    private enum Pending {
        case write(offset: Int, bytes: [UInt8])
        case truncate(Int)
    }

    private enum NameOperation {
        case link(String, Int)
        case unlink(String)
    }

    private let lock = NSLock()
    private var inodes: [Int: Inode] = [:]
    private var names: [String: Int] = [:]
    private var durableNames: [String: Int] = [:]
    private var pendingNames: [(directory: String, operation: NameOperation)] = []
    private var directories: Set<String> = ["/"]
    private var descriptors: [Int32: (inode: Int, path: String)] = [:]
    private var nextInode = 1
    private var nextDescriptor: Int32 = 3
    private var operationCount = 0
    private var random: SeededRandom

    private var failAtOperation: Int?
    private var failurePersists = false
    private var injectedErrno: Int32 = EIO
    private var diskFull = false
    private var recordsEvents = false
    private var recordedEvents: [Event] = []
    private var injected: [(operation: StorageOperation, path: String)] = []

    public init(seed: UInt64) {
        random = SeededRandom(seed: seed)
    }

    /// Operations performed so far (the N of "fail the Nth operation").
    public var operations: Int { lock.withLock { operationCount } }

    /// Makes operation number `operation` (1-based, counting every call) fail with
    /// `code`; with `persistent`, every later operation fails too.
    public func injectFailure(atOperation operation: Int?, code: Int32 = EIO, persistent: Bool = false) {
        lock.withLock {
            failAtOperation = operation
            injectedErrno = code
            failurePersists = persistent
        }
    }

    /// While full, writes that grow a file fail with ENOSPC and no space is reported free.
    public func setDiskFull(_ full: Bool) {
        lock.withLock { diskFull = full }
    }

    /// Starts recording every operation in `events`.
    public func recordEvents() {
        lock.withLock { recordsEvents = true }
    }

    public var events: [Event] { lock.withLock { recordedEvents } }

    // MARK: Faults

    /// Pulls the plug: what survives of unsynced writes depends on `mode`.
    public func crash(_ mode: CrashMode) {
        lock.withLock {
            for (number, inode) in inodes {
                var survivor = inode.durable
                let pending = inode.pending
                var kept: [Pending] = []
                switch mode {
                case .dropAll: kept = []
                case .keepAll, .garbleTail: kept = pending
                case .keepPrefix: kept = Array(pending.prefix(Int.random(in: 0...pending.count, using: &random)))
                case .keepSubset: kept = pending.filter { _ in Bool.random(using: &random) }
                }
                for operation in kept { apply(operation, to: &survivor) }
                if mode == .garbleTail, case .write(let offset, let bytes)? = pending.last, !bytes.isEmpty {
                    let start = offset + Int.random(in: 0..<bytes.count, using: &random)
                    for index in start..<min(offset + bytes.count, survivor.count) {
                        survivor[index] = UInt8.random(in: 0...255, using: &random)
                    }
                }
                inodes[number] = Inode(durable: survivor, current: survivor, pending: [])
            }
            var surviving = durableNames
            let keep = Int.random(in: 0...pendingNames.count, using: &random)
            for entry in pendingNames.prefix(mode == .dropAll ? 0 : keep) { applyName(entry.operation, to: &surviving) }
            names = surviving
            durableNames = surviving
            pendingNames = []
            descriptors = [:]
            failAtOperation = nil
            diskFull = false
        }
    }

    /// Flips one bit of a file's durable and current contents.
    public func flipBit(path: String, byte: Int, bit: Int) {
        lock.withLock {
            guard let number = names[path], var inode = inodes[number], byte < inode.current.count else { return }
            inode.current[byte] ^= UInt8(1 << bit)
            if byte < inode.durable.count { inode.durable[byte] ^= UInt8(1 << bit) }
            inodes[number] = inode
        }
    }

    /// Replaces a file's contents as if written and synced (for damage tests).
    public func replaceContents(of path: String, with bytes: [UInt8]) {
        lock.withLock {
            guard let number = names[path] else { return }
            inodes[number] = Inode(durable: bytes, current: bytes, pending: [])
        }
    }

    /// Creates (with its directories) or replaces a file, durably (to copy a data set).
    public func replaceContentsCreating(_ path: String, with bytes: [UInt8]) {
        let directory = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
        try? makeDirectory(directory)
        lock.withLock {
            let number = names[path] ?? nextInode
            if names[path] == nil { nextInode += 1 }
            inodes[number] = Inode(durable: bytes, current: bytes, pending: [])
            names[path] = number
            durableNames[path] = number
        }
    }

    /// Removes a file at once and durably (for damage tests).
    public func removeFile(_ path: String) {
        lock.withLock {
            names[path] = nil
            durableNames[path] = nil
        }
    }

    /// The operations that failed by injection, in order.
    public var injectedFailures: [(operation: StorageOperation, path: String)] { lock.withLock { injected } }

    /// The current contents of a file, or nil.
    public func contents(of path: String) -> [UInt8]? {
        lock.withLock { names[path].flatMap { inodes[$0]?.current } }
    }

    /// Paths of every file (not directory), sorted.
    public var allFiles: [String] { lock.withLock { names.keys.sorted() } }

    // MARK: StorageIO

    public func open(_ path: String, mode: StorageOpenMode) throws -> StorageFile {
        try lock.withLock {
            try count(.open, path)
            var number = names[path]
            if number == nil, case .readWrite(create: true) = mode {
                guard directories.contains(parent(path)) else { throw StorageError(.open, path: path, code: ENOENT) }
                number = nextInode
                nextInode += 1
                inodes[number!] = Inode()
                names[path] = number
                pendingNames.append((parent(path), .link(path, number!)))
                record(.create, path, 0..<0)
            }
            guard let inode = number else { throw StorageError(.open, path: path, code: ENOENT) }
            let descriptor = nextDescriptor
            nextDescriptor += 1
            descriptors[descriptor] = (inode, path)
            return descriptor
        }
    }

    public func close(_ file: StorageFile) {
        lock.withLock { _ = descriptors.removeValue(forKey: file) }
    }

    public func write(_ file: StorageFile, _ bytes: UnsafeRawBufferPointer, at offset: Int) throws {
        try lock.withLock {
            let (number, path) = try descriptor(file, .write)
            try count(.write, path)
            guard var inode = inodes[number] else { throw StorageError(.write, path: path, code: EBADF) }
            if diskFull && offset + bytes.count > inode.current.count { throw StorageError(.write, path: path, code: ENOSPC) }
            let operation = Pending.write(offset: offset, bytes: Array(bytes))
            apply(operation, to: &inode.current)
            inode.pending.append(operation)
            inodes[number] = inode
            record(.write, path, offset..<(offset + bytes.count))
        }
    }

    public func read(_ file: StorageFile, into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws -> Int {
        try lock.withLock {
            let (number, path) = try descriptor(file, .read)
            try count(.read, path)
            let content = inodes[number]?.current ?? []
            guard offset < content.count else { return 0 }
            let count = min(buffer.count, content.count - offset)
            content.withUnsafeBytes { source in
                buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[offset..<(offset + count)]))
            }
            return count
        }
    }

    public func sync(_ file: StorageFile) throws {
        try lock.withLock {
            let (number, path) = try descriptor(file, .sync)
            try count(.sync, path)
            guard var inode = inodes[number] else { return }
            inode.durable = inode.current
            inode.pending = []
            inodes[number] = inode
            record(.sync, path, 0..<inode.current.count)
        }
    }

    public func truncate(_ file: StorageFile, to length: Int) throws {
        try lock.withLock {
            let (number, path) = try descriptor(file, .truncate)
            try count(.truncate, path)
            guard var inode = inodes[number] else { return }
            apply(.truncate(length), to: &inode.current)
            inode.pending.append(.truncate(length))
            inodes[number] = inode
            record(.truncate, path, length..<length)
        }
    }

    public func size(of file: StorageFile) throws -> Int {
        try lock.withLock {
            let (number, _) = try descriptor(file, .size)
            return inodes[number]?.current.count ?? 0
        }
    }

    public func rename(_ source: String, to target: String) throws {
        try lock.withLock {
            try count(.rename, source)
            guard let number = names[source] else { throw StorageError(.rename, path: source, code: ENOENT) }
            names[source] = nil
            names[target] = number
            pendingNames.append((parent(source), .unlink(source)))
            pendingNames.append((parent(target), .link(target, number)))
            record(.rename, target, 0..<0)
        }
    }

    public func unlink(_ path: String) throws {
        try lock.withLock {
            try count(.unlink, path)
            guard names.removeValue(forKey: path) != nil else { throw StorageError(.unlink, path: path, code: ENOENT) }
            pendingNames.append((parent(path), .unlink(path)))
            record(.unlink, path, 0..<0)
        }
    }

    public func syncDirectory(_ path: String) throws {
        try lock.withLock {
            try count(.syncDirectory, path)
            let (now, later) = (pendingNames.filter { $0.directory == path }, pendingNames.filter { $0.directory != path })
            for entry in now { applyName(entry.operation, to: &durableNames) }
            pendingNames = later
            record(.syncDirectory, path, 0..<0)
        }
    }

    public func listDirectory(_ path: String) throws -> [String] {
        try lock.withLock {
            guard directories.contains(path) else { throw StorageError(.listDirectory, path: path, code: ENOENT) }
            let prefix = path.hasSuffix("/") ? path : path + "/"
            let files = names.keys.filter { $0.hasPrefix(prefix) && !$0.dropFirst(prefix.count).contains("/") }
            let subdirectories = directories.filter { $0.hasPrefix(prefix) && $0 != path && !$0.dropFirst(prefix.count).contains("/") }
            return (files + subdirectories).map { String($0.dropFirst(prefix.count)) }.sorted()
        }
    }

    public func makeDirectory(_ path: String) throws {
        try lock.withLock {
            try count(.makeDirectory, path)
            var current = ""
            for component in path.split(separator: "/") {
                current += "/" + component
                directories.insert(current)
            }
        }
    }

    public func fileExists(_ path: String) -> Bool {
        lock.withLock { names[path] != nil || directories.contains(path) }
    }

    public func isDirectory(_ path: String) -> Bool {
        lock.withLock { directories.contains(path) }
    }

    public func availableBytes(at path: String) throws -> Int {
        lock.withLock { diskFull ? 0 : 1 << 40 }
    }

    // MARK: Helpers (call with the lock held)

    private func count(_ operation: StorageOperation, _ path: String) throws {
        operationCount += 1
        guard let failAt = failAtOperation else { return }
        if operationCount == failAt || (failurePersists && operationCount > failAt) {
            injected.append((operation, path))
            throw StorageError(operation, path: path, code: injectedErrno)
        }
    }

    private func descriptor(_ file: StorageFile, _ operation: StorageOperation) throws -> (Int, String) {
        guard let entry = descriptors[file] else { throw StorageError(operation, path: "fd \(file)", code: EBADF) }
        return entry
    }

    private func apply(_ operation: Pending, to content: inout [UInt8]) {
        switch operation {
        case .write(let offset, let bytes):
            if content.count < offset + bytes.count {
                content.append(contentsOf: repeatElement(0, count: offset + bytes.count - content.count))
            }
            content.replaceSubrange(offset..<(offset + bytes.count), with: bytes)
        case .truncate(let length):
            if length < content.count { content.removeSubrange(length...) } else {
                content.append(contentsOf: repeatElement(0, count: length - content.count))
            }
        }
    }

    private func applyName(_ operation: NameOperation, to table: inout [String: Int]) {
        switch operation {
        case .link(let path, let number): table[path] = number
        case .unlink(let path): table[path] = nil
        }
    }

    private func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }

    private func record(_ kind: Event.Kind, _ path: String, _ range: Range<Int>) {
        if recordsEvents { recordedEvents.append(Event(kind: kind, path: path, range: range)) }
    }
}
