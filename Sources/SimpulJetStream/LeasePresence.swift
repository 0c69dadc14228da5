import Foundation

/// The nodes taking part in a lease bucket now, each with how many leases it holds: every
/// live holder writes a small presence key (`nodes/.<holder in hex>`, value: the count)
/// every round, and the bucket's `max_age` (the lease ttl) drops the key of a node that
/// stopped writing. A lease name never becomes such a key: `KVKey` never yields a `/`.
extension JetStreamLeases {
    static let presencePrefix = "nodes/"

    /// Says that `holder` is alive and holds `holding` leases (for the ttl from now).
    public func announce(_ holder: String, holding: Int) async throws(SharedStateError) {
        let key = try Self.presenceKey(holder)
        _ = try await call { try await self.bucket.write(key, Array(String(holding).utf8), expected: nil) }
    }

    /// Removes `holder`'s presence at once (a clean stop), so that the others count it out.
    public func withdraw(_ holder: String) async throws(SharedStateError) {
        let key = try Self.presenceKey(holder)
        _ = try await call { try await self.bucket.write(key, [], expected: nil, delete: true) }
    }

    /// Every holder whose presence is live, with the number of leases it said it holds.
    public func liveHolders() async throws(SharedStateError) -> [String: Int] {
        let entries = try await call { try await self.bucket.latest(under: Self.presencePrefix) }
        var holders: [String: Int] = [:]
        for (key, entry) in entries where !entry.isDeleted {
            guard let holder = Self.holder(fromPresenceKey: key) else { continue }
            holders[holder] = Int(String(decoding: entry.value, as: UTF8.self)) ?? 0
        }
        return holders
    }

    static func presenceKey(_ holder: String) throws(SharedStateError) -> String {
        guard !holder.isEmpty, holder.utf8.count <= 256 else {
            throw .invalidName(holder, reason: "a lease holder's name must be 1 to 256 bytes")
        }
        return presencePrefix + "." + StreamNaming.hex(Array(holder.utf8))
    }

    static func holder(fromPresenceKey key: String) -> String? {
        let head = presencePrefix + "."
        guard key.hasPrefix(head), let bytes = hexBytes(key.dropFirst(head.count)) else { return nil }
        return String(bytes: bytes, encoding: .utf8)
    }

    private static func hexBytes(_ text: Substring) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard !digits.isEmpty, digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let byte = UInt8(String(decoding: digits[index...index + 1], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(byte)
            index += 2
        }
        return bytes
    }
}
