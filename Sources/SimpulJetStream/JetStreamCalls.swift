import CNATS
import Foundation
import SimpulLog

/// The libnats calls behind `JetStreamLogStore`; each runs on the client's queue.
extension JetStreamLogStore {
    struct StreamState {
        var startOffset: Int64
        var endOffset: Int64
        var bytes: UInt64
    }

    static func openPositionsBucket(_ jetStream: OpaquePointer, replicas: Int) throws -> BucketHandle {
        var bucket: OpaquePointer?
        var status = js_KeyValue(&bucket, jetStream, StreamNaming.positionsBucket)
        if status == NATS_NOT_FOUND {
            var config = kvConfig()
            kvConfig_Init(&config)
            status = StreamNaming.positionsBucket.withCString { name in
                config.Bucket = name
                config.History = 1
                config.Replicas = Int32(replicas)
                return js_CreateKeyValue(&bucket, jetStream, &config)
            }
        }
        guard status == NATS_OK, let bucket else { throw NATSClient.failure("opening the positions bucket", status) }
        return BucketHandle(pointer: bucket)
    }

    /// Asks JetStream for the account's usage: answered only while JetStream can serve
    /// (in a cluster, while a majority of the servers elect a meta leader).
    static func probe(_ jetStream: OpaquePointer, waitMs: Int) throws {
        var info: UnsafeMutablePointer<jsAccountInfo>?
        var options = jsOptions()
        jsOptions_Init(&options)
        options.Wait = Int64(waitMs)
        var code = jsErrCode(0)
        let status = js_GetAccountInfo(&info, jetStream, &options, &code)
        guard status == NATS_OK, let info else { throw NATSClient.failure("asking for the account's usage", status, code) }
        jsAccountInfo_Destroy(info)
    }

    /// The stream's offsets, or nil when it does not exist.
    static func streamState(_ jetStream: OpaquePointer, _ stream: String) throws -> StreamState? {
        var info: UnsafeMutablePointer<jsStreamInfo>?
        var code = jsErrCode(0)
        let status = js_GetStreamInfo(&info, jetStream, stream, nil, &code)
        if status == NATS_NOT_FOUND || code == JSStreamNotFoundErr { return nil }
        guard status == NATS_OK, let info else { throw NATSClient.failure("reading stream \(stream)", status, code) }
        defer { jsStreamInfo_Destroy(info) }
        let state = info.pointee.State
        // An empty stream reports first 0 (new) or last + 1 (emptied): either way nothing is kept.
        let end = Int64(state.LastSeq)
        let start = state.Msgs == 0 ? end : max(Int64(state.FirstSeq) - 1, 0)
        return StreamState(startOffset: start, endOffset: end, bytes: state.Bytes)
    }

    static func streamNames(_ jetStream: OpaquePointer) throws -> [String] {
        var list: UnsafeMutablePointer<jsStreamNamesList>?
        var code = jsErrCode(0)
        let status = js_StreamNames(&list, jetStream, nil, &code)
        if status == NATS_NOT_FOUND { return [] }
        guard status == NATS_OK, let list else { throw NATSClient.failure("listing streams", status, code) }
        defer { jsStreamNamesList_Destroy(list) }
        return (0..<Int(list.pointee.Count)).compactMap { index in
            list.pointee.List[index].map { String(cString: $0) }
        }
    }

    /// How many partition streams the topic has (0: none), counting up from partition 0.
    static func partitionCount(_ jetStream: OpaquePointer, _ topic: TopicName) throws -> Int {
        var count = 0
        while count < LogLimits.partitionCountMax,
              try streamState(jetStream, StreamNaming.stream(topic, count)) != nil {
            count += 1
        }
        return count
    }

    /// The error for a missing stream: the topic is unknown, or only that partition is.
    static func missing(_ jetStream: OpaquePointer, _ topic: TopicName, _ partition: Int) throws -> LogError {
        try partitionCount(jetStream, topic) == 0
            ? .unknownTopic(topic.value) : .unknownPartition(topic: topic.value, partition: partition)
    }

    static func addStream(_ jetStream: OpaquePointer, _ topic: TopicName, _ partition: Int, replicas: Int) throws {
        try addStream(jetStream, name: StreamNaming.stream(topic, partition), subject: StreamNaming.subject(topic, partition),
                      replicas: replicas, maxAgeNs: 0, what: "stream")
    }

    /// Creates a file stream of one subject with Simpul's duplicate window and direct gets.
    /// A stream of that name already there (another node created it first) is the same one.
    static func addStream(_ jetStream: OpaquePointer, name: String, subject: String, replicas: Int, maxAgeNs: Int64,
                          what: String) throws {
        let subjectCopy = strdup(subject)
        defer { free(subjectCopy) }
        var subjects: [UnsafePointer<CChar>?] = [UnsafePointer(subjectCopy)]
        var code = jsErrCode(0)
        let status = name.withCString { namePointer in
            subjects.withUnsafeMutableBufferPointer { subjectsPointer in
                var config = jsStreamConfig()
                jsStreamConfig_Init(&config)
                config.Name = namePointer
                config.Subjects = subjectsPointer.baseAddress
                config.SubjectsLen = 1
                config.Storage = js_FileStorage
                config.Replicas = Int64(replicas)
                config.Duplicates = duplicateWindowNs
                config.MaxAge = maxAgeNs
                config.AllowDirect = true
                return js_AddStream(nil, jetStream, &config, nil, &code)
            }
        }
        guard status == NATS_OK || code == JSStreamNameExistErr else {
            throw NATSClient.failure("creating \(what) \(name)", status, code)
        }
    }

    /// An upper bound of the headers a record is published with (time, key, message id,
    /// expected stream), for checking it against the servers' `max_payload`.
    static func headerBytesEstimate(key: [UInt8], stream: String) -> Int {
        256 + 4 * key.count + stream.utf8.count
    }

    /// A NATS message for the record, with its key and time in headers; the caller owns it.
    static func makeMessage(_ record: AppendRecord, subject: String, stream: String) throws -> OpaquePointer {
        var message: OpaquePointer?
        var status = record.value.withUnsafeBytes { value in
            natsMsg_Create(&message, subject, nil, value.baseAddress?.assumingMemoryBound(to: CChar.self),
                           Int32(value.count))
        }
        guard status == NATS_OK, let message else { throw NATSClient.failure("preparing a message for \(stream)", status) }
        status = natsMsgHeader_Set(message, timeHeader, String(record.timestampMs))
        // A printable key travels as the Nats-Msg-Id already; only other keys need their own header.
        if status == NATS_OK, !record.key.isEmpty, !StreamNaming.keyIsItsOwnMessageID(record.key) {
            status = natsMsgHeader_Set(message, keyHeader, StreamNaming.hex(record.key))
        }
        guard status == NATS_OK else {
            natsMsg_Destroy(message)
            throw NATSClient.failure("preparing a message for \(stream)", status)
        }
        return message
    }

    /// Publishes one record and waits for its PubAck; returns its offset (the first one's
    /// offset when JetStream recognised a duplicate `Nats-Msg-Id`).
    static func publish(_ jetStream: OpaquePointer, _ record: AppendRecord, subject: String, stream: String) throws -> Int64 {
        let message = try makeMessage(record, subject: subject, stream: stream)
        defer { natsMsg_Destroy(message) }
        var ack: UnsafeMutablePointer<jsPubAck>?
        var code = jsErrCode(0)
        var options = jsPubOptions()
        jsPubOptions_Init(&options)
        let status = withOptionalCString(StreamNaming.messageID(key: record.key)) { messageID in
            stream.withCString { expected in
                options.MsgId = messageID
                options.ExpectStream = expected
                return js_PublishMsg(&ack, jetStream, message, &options, &code)
            }
        }
        guard status == NATS_OK, let ack else {
            throw NATSClient.failure("publishing to \(stream) (nothing was acknowledged)", status, code)
        }
        defer { jsPubAck_Destroy(ack) }
        return Int64(ack.pointee.Sequence) - 1
    }

    /// The record at `offset`, or nil when JetStream no longer has that sequence.
    static func message(_ jetStream: OpaquePointer, stream: String, offset: Int64) throws -> LogRecord? {
        var message: OpaquePointer?
        var code = jsErrCode(0)
        let status = js_GetMsg(&message, jetStream, stream, UInt64(offset + 1), nil, &code)
        if status == NATS_NOT_FOUND || code == JSNoMessageFoundErr { return nil }
        guard status == NATS_OK, let message else { throw NATSClient.failure("reading \(stream) at offset \(offset)", status, code) }
        defer { natsMsg_Destroy(message) }
        return record(message, offset: offset)
    }

    static func header(_ message: OpaquePointer, _ name: String) -> String? {
        var value: UnsafePointer<CChar>?
        guard natsMsgHeader_Get(message, name, &value) == NATS_OK, let value else { return nil }
        return String(cString: value)
    }
}
