import Foundation
import SimpulDelivery
import SimpulLog
import SimpulMapping

/// Who may do what. A token belongs to one principal.
public enum PrincipalKind: String, Codable, Sendable, CaseIterable {
    /// Reads and operates everything through the admin API.
    case admin
    /// An OPD system: publishes to its own sources only.
    case publisher
    /// A receiving system: reads its allowed topics, with its field policy applied.
    case consumer
}

/// An authenticated caller.
public struct Principal: Sendable, Equatable {
    public var id: String
    public var kind: PrincipalKind
    public var name: String
    /// Adapter names a publisher may publish to.
    public var sources: [String]
    /// Topics a consumer may read.
    public var topics: [String]
    /// Canonical `data` paths removed before a consumer sees an event (`nik`, `address`).
    public var redact: [String]
}

/// One stored token: only its SHA-256 is kept, never the token.
public struct TokenRecord: Codable, Sendable, Equatable {
    public var id: String
    public var kind: PrincipalKind
    public var name: String
    public var sha256: String
    public var sources: [String]
    public var topics: [String]
    public var redact: [String]
    public var createdAt: String
    public var revokedAt: String?
}

/// The tokens of a data directory (`tokens.json`, replaced atomically, mode 0600).
/// Tokens are compared by their SHA-256 in constant time and never logged.
/// Safe from any task.
public final class TokenStore: Sendable {
    public static let fileName = "tokens.json"
    private let path: String
    private let io: any StorageIO
    private let records: Locked<[TokenRecord]>

    public init(dataDirectory: String, io: any StorageIO = PosixStorageIO()) throws {
        path = dataDirectory + "/" + Self.fileName
        self.io = io
        records = Locked(try Self.read(path, io: io))
    }

    /// Reads the token file again (tokens created or revoked by `simpul tokens` while the
    /// server runs; SIGHUP). A damaged file is refused and the tokens in memory stay.
    public func reload() throws {
        let fresh = try Self.read(path, io: io)
        records.withLock { $0 = fresh }
    }

    private static func read(_ path: String, io: any StorageIO) throws -> [TokenRecord] {
        guard let bytes = try AtomicFile.read(path, io: io) else { return [] }
        do {
            return try JSONDecoder().decode([TokenRecord].self, from: Data(bytes))
        } catch {
            throw BusError.invalidConfiguration(key: path, message: "the token file is not valid: \(error); restore it from a backup")
        }
    }

    public var isEmpty: Bool { records.withLock { $0.isEmpty } }

    /// 16 hex digits naming exactly this set of tokens (ids, hashes, rights, revocations),
    /// whatever their order in the file. Nodes of one cluster do not share tokens: each
    /// reads its own `tokens.json`, so every node must carry the same file; equal
    /// fingerprints (`GET /v1/stats`, the start and SIGHUP log lines) show they do.
    public var fingerprint: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var digest = SHA256()
        for record in all.sorted(by: { $0.id < $1.id }) {
            digest.update((try? encoder.encode(record)).map { Array($0) } ?? Array(record.id.utf8))
            digest.update(byte: 0x0A)
        }
        return String(digest.finalizeHex().prefix(16))
    }
    public var all: [TokenRecord] { records.withLock { $0 } }

    /// Creates a token and returns it in plain text: the only time it exists outside the
    /// caller's hands.
    public func create(kind: PrincipalKind, name: String, sources: [String] = [], topics: [String] = [],
                       redact: [String] = []) throws -> (token: String, record: TokenRecord) {
        let token = "spl_\(kind.rawValue.prefix(3))_" + Self.randomHex(bytes: 24)
        let record = TokenRecord(
            id: "tok_" + Self.randomHex(bytes: 6), kind: kind, name: name, sha256: SHA256.hex(SHA256.hash(token.utf8)),
            sources: sources, topics: topics, redact: redact, createdAt: Timestamp.rfc3339(Date()),
            revokedAt: nil)
        try records.withLock { records in
            records.append(record)
            try save(records)
        }
        return (token, record)
    }

    /// Whether the token with this id exists and is not revoked.
    public func isActive(id: String) -> Bool {
        records.withLock { $0.contains { $0.id == id && $0.revokedAt == nil } }
    }

    /// Revokes a token by id; false when there is none.
    public func revoke(id: String) throws -> Bool {
        try records.withLock { records in
            guard let index = records.firstIndex(where: { $0.id == id && $0.revokedAt == nil }) else { return false }
            records[index].revokedAt = Timestamp.rfc3339(Date())
            try save(records)
            return true
        }
    }

    /// The principal of a bearer token, or nil. Every stored hash is compared, each in
    /// constant time, so timing says nothing about which (or whether one) matched.
    public func authenticate(_ token: String) -> Principal? {
        let presented = Array(Digest.sha256Hex(token).utf8)
        var match: TokenRecord?
        for record in records.withLock({ $0 }) {
            if Self.constantTimeEqual(presented, Array(record.sha256.utf8)) && record.revokedAt == nil { match = record }
        }
        return match.map {
            Principal(id: $0.id, kind: $0.kind, name: $0.name, sources: $0.sources, topics: $0.topics, redact: $0.redact)
        }
    }

    private func save(_ records: [TokenRecord]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let bytes = try Array(encoder.encode(records))
        try AtomicFile.write(bytes, to: path, io: io)
        chmod(path, 0o600)
        // `simpul tokens` run as root on the service's data directory must leave the file to
        // the service user (the owner of the directory), or the server can no longer read it.
        var directory = stat()
        if geteuid() == 0, stat((path as NSString).deletingLastPathComponent, &directory) == 0, directory.st_uid != 0 {
            chown(path, directory.st_uid, directory.st_gid)
        }
    }

    static func constantTimeEqual(_ left: [UInt8], _ right: [UInt8]) -> Bool {
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }

    /// 256 random bits in hex, for a status-page session.
    public static func randomSessionID() -> String { randomHex(bytes: 32) }

    static func randomHex(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}
