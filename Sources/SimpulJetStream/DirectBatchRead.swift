import CNATS
import Foundation
import SimpulLog

/// Reads many records in one request: a batched direct get (`$JS.API.DIRECT.GET.<stream>`
/// with `batch`, NATS server 2.11 or later; the streams allow direct gets). The server
/// answers with one message per record, then a message with status 204 (end of batch), or
/// 404 when there is nothing at or after the sequence. One round trip for a delivery read
/// of 512 records instead of 512.
extension JetStreamLogStore {
    /// Records asked for in one request at most (a longer read returns fewer, as reads may).
    static let batchMax = 4096

    /// Up to `batch` records from `offset` (sequences without a message are skipped, as
    /// JetStream does), about `maxBytes` of values; nil when the server sent nothing usable
    /// (the caller then reads record by record).
    static func directBatch(_ connection: OpaquePointer, stream: String, offset: Int64, batch wanted: Int, maxBytes: Int,
                            timeoutMs: Int) throws -> [LogRecord]? {
        let batch = min(wanted, batchMax)
        var inbox: UnsafeMutablePointer<natsInbox>?
        guard natsInbox_Create(&inbox) == NATS_OK, let inbox else { return nil }
        defer { natsInbox_Destroy(inbox) }
        var subscription: OpaquePointer?
        var status = natsConnection_SubscribeSync(&subscription, connection, inbox)
        guard status == NATS_OK, let subscription else { throw NATSClient.failure("reading \(stream)", status) }
        defer {
            natsSubscription_Unsubscribe(subscription)
            natsSubscription_Destroy(subscription)
        }
        // The server counts headers and subjects in max_bytes, the log only values: allow
        // for the headers, and cut to `maxBytes` of values in the caller.
        let serverBytes = min(maxBytes, 1 << 40) + batch * (512 + 4 * LogLimits.recordKeyBytesMax)
        let request = Array("{\"seq\":\(offset + 1),\"batch\":\(batch),\"max_bytes\":\(serverBytes)}".utf8)
        status = request.withUnsafeBytes {
            natsConnection_PublishRequest(connection, "$JS.API.DIRECT.GET." + stream, inbox, $0.baseAddress, Int32($0.count))
        }
        guard status == NATS_OK else { throw NATSClient.failure("reading \(stream)", status) }
        var records: [LogRecord] = []
        while records.count < batch {
            var reply: OpaquePointer?
            status = natsSubscription_NextMsg(&reply, subscription, Int64(timeoutMs))
            if status == NATS_TIMEOUT { return records.isEmpty ? nil : records }
            guard status == NATS_OK, let reply else { throw NATSClient.failure("reading \(stream) at offset \(offset)", status) }
            defer { natsMsg_Destroy(reply) }
            if let code = header(reply, "Status") {
                if code == "204" || code == "404" { return records }  // end of batch, or nothing there
                return records.isEmpty ? nil : records
            }
            guard let sequence = header(reply, "Nats-Sequence").flatMap(Int64.init) else { return records.isEmpty ? nil : records }
            records.append(record(reply, offset: sequence - 1))
        }
        return records
    }

    /// A record from a stored message: value, key and append time from Simpul's headers.
    static func record(_ message: OpaquePointer, offset: Int64) -> LogRecord {
        let length = Int(natsMsg_GetDataLength(message))
        let value: [UInt8] = natsMsg_GetData(message).map { data in
            data.withMemoryRebound(to: UInt8.self, capacity: length) { Array(UnsafeBufferPointer(start: $0, count: length)) }
        } ?? []
        let time = header(message, timeHeader).flatMap { Int64($0) } ?? natsMsg_GetTime(message) / 1_000_000
        // A printable key is its own Nats-Msg-Id; any other has a Simpul-Key header.
        let key = header(message, keyHeader).flatMap { StreamNaming.unhex($0) }
            ?? header(message, messageIDHeader).map { Array($0.utf8) } ?? []
        return LogRecord(offset: offset, timestampMs: time, key: key, value: value)
    }
}
