import Foundation
import SimpulDelivery
import SimpulLog
import SimpulMapping

/// One event in a worker's hands: its pending-delivery state plus where it stands now.
struct DeliveryJob {
    var entry: PendingDelivery
    /// Read from the log in this run and not yet settled in its partition window.
    var inWindow: Bool
    /// Saved in the pending journal (so the window no longer needs to hold it).
    var persisted: Bool
    var inFlight = false
    /// Waiting in the due queue (eligible: first of its key, or not key-ordered).
    var queued = false
}

/// Delivers one subscription's events: reads its topics from a durable cursor, sends up
/// to `maxInFlight` attempts at once through the shared sender, retries on the policy's
/// schedule without holding back unrelated events (with `ordering: key`, only the events
/// of the same key wait), dead-letters what cannot be delivered, and moves the cursor
/// only past events that are settled. An actor: every state change happens on it.
actor DeliveryWorker {
    private(set) var subscription: Subscription
    let context: DeliveryContext
    var signer: WebhookSigner?
    var clientOptions: HTTPDeliveryClientOptions
    var windows: [String: PartitionWindow] = [:]
    var jobs: [Int: DeliveryJob] = [:]
    var nextJobID = 0
    var due = DueQueue()
    /// `ordering: key`: the jobs of each key in log order; only the first may be sent.
    var keyQueues: [String: [Int]] = [:]
    var inFlight = 0
    var breaker: CircuitBreaker
    var failingSinceMs: Int64?
    var counters = DeliveryCounters()
    var random = SystemRandomNumberGenerator()
    var running = true
    var committing = false
    /// Answers being recorded right now (see `drain()`).
    var processing = 0
    var agreementReported = false
    let wake = WakeSignal()
    /// Answers of attempts, handed over from the sender's thread; the loop records them.
    let answers = Locked<[AttemptAnswer]>([])
    /// Windows with a log notification registered (cleared by the notification).
    let watching = Locked<Set<String>>([])
    /// With shared journals: the partitions (`topic/index`) this worker did not hold when
    /// it first looked at them, and the topics (`topic`) that did not exist yet; it leaves
    /// them to the worker restarted for their leases.
    var partitionsLeftToRestart: Set<String> = []

    var consumerName: String { "delivery:" + subscription.name }

    init(subscription: Subscription, context: DeliveryContext) {
        self.subscription = subscription
        self.context = context
        self.breaker = CircuitBreaker(settings: context.settings.breaker)
        self.signer = try? WebhookSigner(secret: subscription.secret)
        self.clientOptions = Self.options(for: subscription, settings: context.settings)
    }

    static func options(for subscription: Subscription, settings: DeliverySettings) -> HTTPDeliveryClientOptions {
        HTTPDeliveryClientOptions(
            addressPolicy: settings.addressPolicy, caFile: subscription.tls.caFile,
            clientCertificateFile: subscription.tls.clientCertificateFile, clientKeyFile: subscription.tls.clientKeyFile,
            proxy: subscription.proxy, responseBytesMax: settings.responseBytesMax)
    }

    /// New settings (PATCH, pause, resume); takes effect at the next attempt.
    func update(_ subscription: Subscription) {
        self.subscription = subscription
        signer = try? WebhookSigner(secret: subscription.secret)
        clientOptions = Self.options(for: subscription, settings: context.settings)
        windows = windows.filter { subscription.topics.contains($0.value.topic) }
        wake.signal()
    }

    func stop() {
        running = false
        wake.signal()
    }

    /// Waits until the answers already being recorded are in the journals (after `stop()`,
    /// no new ones start); answers that come later are dropped and resent after a restart.
    func drain() async {
        while processing > 0 || committing { try? await Task.sleep(for: .milliseconds(2)) }
    }

    /// The identities of every persisted pending entry (for removal when deleted).
    var persistedIdentities: [String] { jobs.values.filter(\.persisted).map(\.entry.identity) }

    /// The loop: load what was pending, then send, read and wait until stopped.
    func run() async {
        let name = subscription.name, context = self.context
        for entry in context.pending.takeLoaded(name, owned: { context.owns(name, $0, $1) }).sorted(by: Self.logOrder) {
            add(DeliveryJob(entry: entry, inWindow: false, persisted: true))
        }
        while running {
            let now = currentTimeMs()
            if subscription.paused {
                // Attempts sent before the pause still settle and move the cursor, so a
                // node stopped during the pause does not send them again.
                if await takeAnswers() { continue }
                if !committing, windows.values.contains(where: { $0.low > $0.committed }) { scheduleCommit() }
                await openWindows()  // so a paused subscription still shows its lag
                await wake.wait(timeout: .seconds(60))
                continue
            }
            checkLongFailure(now: now)
            if await takeAnswers() { continue }
            launchDue(now: now)
            if await readNew(now: now) { continue }
            await spillIfBlocked(now: now)
            var timeoutMs: Int64 = 1000
            if let next = due.first?.dueMs { timeoutMs = min(timeoutMs, max(1, next - now)) }
            if breaker.state == .open { timeoutMs = min(timeoutMs, max(1, breaker.probeAtMs - now)) }
            if !committing, windows.values.contains(where: { $0.low > $0.committed }) {
                scheduleCommit()  // a cursor commit that failed earlier (its store was out of reach)
            }
            await watchCaughtUpPartitions()
            await wake.wait(timeout: .milliseconds(timeoutMs))
        }
    }

    static func logOrder(_ a: PendingDelivery, _ b: PendingDelivery) -> Bool {
        (a.topic, a.partition, a.offset) < (b.topic, b.partition, b.offset)
    }

    /// Takes a job into the worker: queued at once, or behind the earlier jobs of its key.
    func add(_ job: DeliveryJob) {
        let id = nextJobID
        nextJobID += 1
        jobs[id] = job
        if subscription.ordering == .key, job.entry.deadLetterID == nil, let key = job.entry.key {
            keyQueues[key, default: []].append(id)
            if keyQueues[key]?.count == 1 { enqueue(id) }
        } else {
            enqueue(id)
        }
    }

    func enqueue(_ id: Int) {
        guard var job = jobs[id], !job.queued else { return }
        job.queued = true
        jobs[id] = job
        due.push(dueMs: job.entry.dueMs, id: id)
    }

    // MARK: reading

    /// Opens windows for new partitions of the subscribed topics and reads new events into
    /// them while they have room. Returns whether anything was read.
    func readNew(now: Int64) async -> Bool {
        await openWindows()
        var readAny = false
        let windowMax = max(context.settings.windowMin, subscription.maxInFlight * 4)
        for key in windows.keys.sorted() {
            guard let known = windows[key], let name = try? TopicName(known.topic),
                  let partition = try? await context.store.summary(topic: name, partition: known.partition),
                  var window = windows[key] else { continue }  // looked up again: answers settle events meanwhile
            // Unsettled events fill the window; settled ones whose cursor commit (an fsync) is
            // still on its way may add up to three windows more, so reading never waits on a sync.
            let room = min(windowMax - window.unsettledCount, 4 * windowMax - Int(window.nextRead - window.committed))
            guard room > 0, window.nextRead < partition.endOffset else { continue }
            if window.nextRead < partition.startOffset {
                context.logger.warning("events expired from the log before delivery", metadata: [
                    "subscription": "\(subscription.name)", "topic": "\(window.topic)",
                    "from": "\(window.nextRead)", "to": "\(partition.startOffset)"])
                counters.expired += Int(partition.startOffset - window.nextRead)
                window.nextRead = partition.startOffset
                windows[key] = window
            }
            let from = window.nextRead
            let records: [LogRecord]
            do {
                records = try await context.store.read(topic: name, partition: window.partition, from: from,
                                                       maxRecords: min(room, 512), maxBytes: 8 << 20)
            } catch let error as any LogStoreError where error.isUnavailable {
                continue  // the cluster is out of reach: nothing is skipped, the read is tried again later
            } catch {
                context.logger.error("cannot read an event for delivery; skipping it", metadata: [
                    "subscription": "\(subscription.name)", "topic": "\(window.topic)", "offset": "\(from)",
                    "error": "\(error)"])
                guard var window = windows[key], window.nextRead == from else { continue }
                counters.unreadable += 1
                window.opened(from)
                window.settle(from)
                windows[key] = window
                continue
            }
            guard var window = windows[key], window.nextRead == from else { continue }
            for record in records {
                window.opened(record.offset)
                guard let job = makeJob(record, topic: window.topic, partition: window.partition, now: now) else {
                    window.settle(record.offset)
                    continue
                }
                add(job)
            }
            windows[key] = window
            readAny = readAny || !records.isEmpty
        }
        if readAny { scheduleCommit() }
        return readAny
    }

    private func makeJob(_ record: LogRecord, topic: String, partition: Int, now: Int64) -> DeliveryJob? {
        var id = record.key.isEmpty ? nil : String(decoding: record.key, as: UTF8.self)
        var type: String?
        var key: String?
        // The log keeps the event id as the record key; the event is parsed only when the
        // subscription needs its type or partition key (or the key is missing).
        if id == nil || !subscription.types.isEmpty || subscription.ordering == .key {
            guard case .object(let event)? = try? JSONReader.parse(record.value),
                  let parsedID = event["id"]?.stringValue else { return nil }
            id = parsedID
            type = event["type"]?.stringValue
            key = event["partitionkey"]?.stringValue
            guard subscription.wants(topic: topic, type: type) else { return nil }
        }
        guard let id else { return nil }
        let entry = PendingDelivery(
            subscription: subscription.name, eventID: id, type: type ?? "", key: key,
            topic: topic, partition: partition, offset: record.offset, deadLetterID: nil, event: record.value,
            attempts: [], scheduleAttempts: 0, dueMs: now, enqueuedMs: record.timestampMs)
        return DeliveryJob(entry: entry, inWindow: true, persisted: false)
    }

    /// A window per partition of every subscribed topic; a new one starts at the committed
    /// cursor, or at the beginning for a topic created after the subscription.
    private func openWindows() async {
        for topic in subscription.topics {
            guard let name = try? TopicName(topic) else { continue }
            let count: Int?
            do {
                count = try await context.store.partitionCount(name)
            } catch {
                continue  // out of reach now: looked at again on the next round
            }
            guard let count else {
                // Not created yet. With shared journals its leases come later, with a restart.
                if context.leases != nil { partitionsLeftToRestart.insert(topic) }
                continue
            }
            // With shared journals, only the partitions whose lease this node holds.
            for index in 0..<count where windows["\(topic)/\(index)"] == nil && takes(topic, index) {
                // A cursor that cannot be read now (the cluster is out of reach) is tried
                // again on the next round: starting at 0 would send everything again.
                let start: Int64?
                do {
                    start = try await context.store.position(consumer: consumerName, topic: name, partition: index)
                } catch {
                    continue
                }
                windows["\(topic)/\(index)"] = PartitionWindow(topic: topic, partition: index, start: start ?? 0)
            }
        }
    }

    /// Whether this worker delivers the partition: always with the embedded journals; with
    /// shared ones, when this node held its lease as the worker first looked at it. A lease
    /// gained later restarts the worker, and the new one takes the partition with its
    /// pending retries; taking it here too would start sending from a worker about to be
    /// stopped, whose answers are then dropped and its events sent a second time.
    private func takes(_ topic: String, _ partition: Int) -> Bool {
        guard context.leases != nil else { return true }
        let key = "\(topic)/\(partition)"
        guard !partitionsLeftToRestart.contains(key), !partitionsLeftToRestart.contains(topic) else { return false }
        if context.owns(subscription.name, topic, partition) { return true }
        partitionsLeftToRestart.insert(key)
        return false
    }

    /// Asks the store to wake the loop when a partition that has been read to its end grows.
    func watchCaughtUpPartitions() async {
        for (key, window) in windows where !watching.withLock({ $0.contains(key) }) {
            guard let name = try? TopicName(window.topic),
                  let partition = try? await context.store.summary(topic: name, partition: window.partition),
                  window.nextRead >= partition.endOffset else { continue }
            let fresh = watching.withLock { $0.insert(key).inserted }
            guard fresh else { continue }
            context.store.notifyWhenRecords(topic: name, partition: window.partition, from: window.nextRead) { [wake, watching] in
                _ = watching.withLock { $0.remove(key) }
                wake.signal()
            }
        }
    }
}

/// What the sender answered for one attempt, waiting for the worker's loop.
struct AttemptAnswer: Sendable {
    var id: Int
    var response: DeliveryResponse
    var startedMs: Int64
}

/// Delivered, retried and dead-lettered counts and the attempt latency histogram of one
/// subscription since the process started.
struct DeliveryCounters: Sendable {
    static let latencyBucketsMs = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000]
    var delivered = 0
    var failed = 0
    var retried = 0
    var expired = 0
    var unreadable = 0
    var latencyBuckets = [Int](repeating: 0, count: latencyBucketsMs.count)
    var latencyCount = 0
    var latencySumMs = 0

    mutating func recordLatency(_ milliseconds: Int) {
        latencyCount += 1
        latencySumMs += milliseconds
        if let index = Self.latencyBucketsMs.firstIndex(where: { milliseconds <= $0 }) { latencyBuckets[index] += 1 }
    }
}
