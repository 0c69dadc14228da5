import CNATS
import Foundation

/// The peer of `simpul-bench peers` that is JetStream alone: libnats publishing 1 KiB
/// messages to a one-subject file stream (R1) with `js_PublishAsync`, at most `outstanding`
/// publishes waiting for their PubAck at a time (libnats stalls the publisher beyond that),
/// the same number of appends as Simpul's 64 appenders keep in flight. Without
/// `simpulHeaders`, no `Nats-Msg-Id` and no headers: what a plain NATS user publishing with
/// acks gets; with it, the headers Simpul sends (message id, expected stream, time), to
/// tell the server's share of Simpul's cost from the client's.
final class PlainJetStreamPublisher: @unchecked Sendable {
    private let connection: OpaquePointer
    private let jetStream: OpaquePointer
    private let counter = AckCounter()
    let subject: String
    let stream: String
    let simpulHeaders: Bool

    init(url: String, stream: String, outstanding: Int, simpulHeaders: Bool = false) throws {
        subject = "bench.\(stream.lowercased())"
        self.stream = stream
        self.simpulHeaders = simpulHeaders
        var connection: OpaquePointer?
        guard natsConnection_ConnectTo(&connection, url) == NATS_OK, let connection else {
            throw BenchError("cannot connect to nats-server at \(url)")
        }
        var options = jsOptions()
        jsOptions_Init(&options)
        options.Wait = 10_000
        options.PublishAsync.MaxPending = Int64(outstanding)
        options.PublishAsync.StallWait = 10_000
        options.PublishAsync.AckHandler = AckCounter.handler
        options.PublishAsync.AckHandlerClosure = Unmanaged.passUnretained(counter).toOpaque()
        var jetStream: OpaquePointer?
        guard natsConnection_JetStream(&jetStream, connection, &options) == NATS_OK, let jetStream else {
            natsConnection_Destroy(connection)
            throw BenchError("no JetStream context on \(url)")
        }
        self.connection = connection
        self.jetStream = jetStream
        try addStream(stream)
    }

    /// A file stream of one replica holding `subject`, as Simpul creates for a partition.
    private func addStream(_ name: String) throws {
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
                config.Replicas = 1
                return js_AddStream(nil, jetStream, &config, nil, &code)
            }
        }
        guard status == NATS_OK else { throw BenchError("cannot create stream \(name): status \(status.rawValue), code \(code.rawValue)") }
    }

    /// Publishes for `seconds`, then waits for every PubAck; acknowledged messages per second.
    func acknowledgedRate(seconds: Double, payload: [UInt8]) throws -> Double {
        counter.reset()
        let start = DispatchTime.now().uptimeNanoseconds
        let deadline = start + UInt64(seconds * 1e9)
        var published = 0
        let prefix = "p\(UInt32.random(in: 0...UInt32.max))-"
        while DispatchTime.now().uptimeNanoseconds < deadline {
            let status = simpulHeaders
                ? publishWithHeaders(payload, id: prefix + String(published))
                : payload.withUnsafeBytes { js_PublishAsync(jetStream, subject, $0.baseAddress, Int32($0.count), nil) }
            guard status == NATS_OK else { throw BenchError("js_PublishAsync failed: status \(status.rawValue)") }
            published += 1
        }
        var wait = jsPubOptions()
        jsPubOptions_Init(&wait)
        wait.MaxWait = 30_000
        guard js_PublishAsyncComplete(jetStream, &wait) == NATS_OK else {
            throw BenchError("JetStream did not acknowledge every publish within 30 s")
        }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let (acked, failed) = counter.counts
        guard failed == 0, acked == published else {
            throw BenchError("JetStream acknowledged \(acked) of \(published) publishes, \(failed) failed")
        }
        return Double(acked) / elapsed
    }

    /// One message as `JetStreamLogStore` sends it (headers and publish options).
    private func publishWithHeaders(_ payload: [UInt8], id: String) -> natsStatus {
        var message: OpaquePointer?
        var status = payload.withUnsafeBytes {
            natsMsg_Create(&message, subject, nil, $0.baseAddress?.assumingMemoryBound(to: CChar.self), Int32($0.count))
        }
        guard status == NATS_OK, message != nil else { return status }
        // A printable event id travels as the Nats-Msg-Id, and is the key (no Simpul-Key header).
        status = natsMsgHeader_Set(message, "Simpul-Time-Ms", String(Int64(Date().timeIntervalSince1970 * 1000)))
        var options = jsPubOptions()
        jsPubOptions_Init(&options)
        if status == NATS_OK {
            status = id.withCString { messageID in
                stream.withCString { expected in
                    options.MsgId = messageID
                    options.ExpectStream = expected
                    return js_PublishMsgAsync(jetStream, &message, &options)
                }
            }
        }
        if status != NATS_OK { natsMsg_Destroy(message) }
        return status
    }

    func close() {
        jsCtx_Destroy(jetStream)
        natsConnection_Close(connection)
        natsConnection_Destroy(connection)
    }
}

/// Counts PubAcks; libnats calls `handler` on its own thread.
private final class AckCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var acked = 0
    private var failed = 0

    var counts: (acked: Int, failed: Int) { lock.withLock { (acked, failed) } }

    func reset() { lock.withLock { acked = 0; failed = 0 } }

    func record(success: Bool) {
        lock.withLock { if success { acked += 1 } else { failed += 1 } }
    }

    static let handler: jsPubAckHandler = { _, message, ack, _, closure in
        if let closure {
            Unmanaged<AckCounter>.fromOpaque(closure).takeUnretainedValue().record(success: ack != nil)
        }
        natsMsg_Destroy(message)
    }
}
