import CNATS
import Foundation
import SimpulLog

/// Follows a shared journal through a libnats ordered push consumer: JetStream pushes each
/// entry once, libnats checks the order and, on a gap or after missed heartbeats (a
/// reconnect, a server that restarted), recreates the consumer from the next entry.
/// Entries arrive on a libnats thread and go into `entries`; one already handed over is
/// never handed over again.
public final class SharedJournalFollower: Sendable {
    /// How often the server proves the consumer alive; two missed ones make libnats
    /// recreate it, so a follower recovers within a few seconds of a server restart.
    static let heartbeatNs: Int64 = 1_000_000_000

    public let entries: AsyncStream<SharedJournalEntry>
    private let feed: FollowFeed
    private let client: NATSClient
    private let subscription: Locked<SubscriptionHandle?>

    private init(entries: AsyncStream<SharedJournalEntry>, feed: FollowFeed, client: NATSClient, subscription: SubscriptionHandle) {
        self.entries = entries
        self.feed = feed
        self.client = client
        self.subscription = Locked(subscription)
    }

    static func start(_ journal: SharedJournal, from offset: Int64) async throws -> SharedJournalFollower {
        let (entries, continuation) = AsyncStream.makeStream(of: SharedJournalEntry.self, bufferingPolicy: .unbounded)
        let feed = FollowFeed(continuation: continuation, nextOffset: offset)
        let stream = journal.stream, subject = journal.subject
        let handle = try await journal.client.run { jetStream -> SubscriptionHandle in
            // Retained until libnats says no callback will come any more (on-complete).
            let closure = Unmanaged.passRetained(feed).toOpaque()
            var subscription: OpaquePointer?
            var code = jsErrCode(0)
            var options = jsSubOptions()
            jsSubOptions_Init(&options)
            let status = stream.withCString { streamPointer in
                options.Stream = streamPointer
                options.Ordered = true
                options.Config.DeliverPolicy = js_DeliverByStartSequence
                options.Config.OptStartSeq = UInt64(offset + 1)
                options.Config.Heartbeat = heartbeatNs
                return js_Subscribe(&subscription, jetStream, subject, FollowFeed.handler, closure, nil, &options, &code)
            }
            guard status == NATS_OK, let subscription else {
                Unmanaged<FollowFeed>.fromOpaque(closure).release()
                throw NATSClient.failure("following the journal \(stream)", status, code)
            }
            // Should this fail, the feed stays retained for the process's life: a small
            // leak rather than a callback on a freed object.
            _ = natsSubscription_SetOnCompleteCB(subscription, FollowFeed.completed, closure)
            return SubscriptionHandle(pointer: subscription)
        }
        let follower = SharedJournalFollower(entries: entries, feed: feed, client: journal.client, subscription: handle)
        continuation.onTermination = { [weak follower] _ in
            guard let follower else { return }
            Task { await follower.stop() }
        }
        return follower
    }

    /// The offset of the next entry the follower will hand over.
    public var nextOffset: Int64 { feed.next }

    /// Stops following and ends `entries`.
    public func stop() async {
        guard let handle = subscription.withLock({ current -> SubscriptionHandle? in
            defer { current = nil }
            return current
        }) else { return }
        _ = try? await client.run { _ in
            natsSubscription_Unsubscribe(handle.pointer)
            natsSubscription_Destroy(handle.pointer)
        }
        feed.finish()
    }
}

/// A libnats subscription pointer, used only on the client's queue.
struct SubscriptionHandle: @unchecked Sendable {
    let pointer: OpaquePointer
}

/// Where a follower's entries go; called by libnats on its own thread.
final class FollowFeed: @unchecked Sendable {
    private let lock = NSLock()
    private let continuation: AsyncStream<SharedJournalEntry>.Continuation
    private var nextOffset: Int64

    init(continuation: AsyncStream<SharedJournalEntry>.Continuation, nextOffset: Int64) {
        self.continuation = continuation
        self.nextOffset = nextOffset
    }

    var next: Int64 { lock.withLock { nextOffset } }

    func deliver(_ message: OpaquePointer) {
        var meta: UnsafeMutablePointer<jsMsgMetaData>?
        guard natsMsg_GetMetaData(&meta, message) == NATS_OK, let meta else { return }
        let sequence = meta.pointee.Sequence.Stream
        jsMsgMetaData_Destroy(meta)
        let offset = Int64(sequence) - 1
        let entry = SharedJournal.entry(JetStreamLogStore.record(message, offset: offset))
        lock.withLock {
            // Once each: a recreated consumer starts at nextOffset, but never trust that.
            guard offset >= nextOffset else { return }
            nextOffset = offset + 1
            continuation.yield(entry)
        }
    }

    func finish() { continuation.finish() }

    static let handler: natsMsgHandler = { _, _, message, closure in
        guard let message else { return }
        defer { natsMsg_Destroy(message) }
        guard let closure else { return }
        Unmanaged<FollowFeed>.fromOpaque(closure).takeUnretainedValue().deliver(message)
    }

    static let completed: natsOnCompleteCB = { closure in
        guard let closure else { return }
        let feed = Unmanaged<FollowFeed>.fromOpaque(closure).takeRetainedValue()
        feed.finish()
    }
}
