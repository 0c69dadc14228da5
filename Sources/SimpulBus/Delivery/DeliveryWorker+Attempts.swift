import Foundation
import SimpulDelivery
import SimpulLog
import SimpulMapping

extension DeliveryWorker {
    /// Starts every due job the capacity and the breaker allow.
    func launchDue(now: Int64) {
        while inFlight < subscription.maxInFlight, let first = due.first, first.dueMs <= now {
            guard breaker.mayStart(nowMs: now) else { return }
            // A lease that lapsed: send nothing more; the engine restarts this worker.
            if context.leases != nil, let job = jobs[first.id],
               !context.owns(subscription.name, job.entry.topic, job.entry.partition) { return }
            due.removeFirst()
            guard var job = jobs[first.id], job.queued else { continue }
            job.queued = false
            job.inFlight = true
            jobs[first.id] = job
            inFlight += 1
            launch(first.id, job.entry, now: now)
        }
    }

    private func launch(_ id: Int, _ entry: PendingDelivery, now: Int64) {
        let body = shape(entry.event, now: now)
        guard let signer else {
            answer(id, DeliveryResponse(status: nil, duration: .zero, error: .setup(detail:
                "the subscription's signing secret is not valid; set a new one")), startedMs: now)
            return
        }
        let request = DeliveryRequest.signedCloudEvent(
            url: subscription.url, eventID: entry.eventID, body: body, signer: signer, timestamp: now / 1000,
            timeout: .milliseconds(subscription.timeoutMs))
        // No task per attempt: the answer waits in `answers` and the loop takes them in batches.
        context.sender.send(request, options: clientOptions) { [answers, wake] response in
            answers.withLock { $0.append(AttemptAnswer(id: id, response: response, startedMs: now)) }
            wake.signal()
        }
    }

    nonisolated private func answer(_ id: Int, _ response: DeliveryResponse, startedMs: Int64) {
        answers.withLock { $0.append(AttemptAnswer(id: id, response: response, startedMs: startedMs)) }
        wake.signal()
    }

    /// Records every answer that came in since the last look; true when there was one.
    func takeAnswers() async -> Bool {
        let taken = answers.withLock { answers -> [AttemptAnswer] in
            defer { answers.removeAll(keepingCapacity: true) }
            return answers
        }
        for answer in taken {
            if settlesWithoutWriting(answer) {
                await complete(answer.id, answer.response, startedMs: answer.startedMs)  // never suspends
            } else {
                // A retry, a dead letter or a journaled job waits on an fsync: in a task of its
                // own, so the writes of many answers overlap and share their syncs.
                Task {
                    await self.complete(answer.id, answer.response, startedMs: answer.startedMs)
                    self.wake.signal()  // its retry is queued or its key's next event may go
                }
            }
        }
        return !taken.isEmpty
    }

    /// The bytes this receiver may see: the event as logged, minus what its field policy
    /// (or an expired agreement) withholds.
    func shape(_ event: [UInt8], now: Int64) -> [UInt8] {
        let policy = subscription.fieldPolicy
        guard !policy.isEmpty else { return event }  // the common case: the event as logged
        var redact = policy.redact
        if policy.agreement != nil, policy.agreementExpired(today: Timestamp.day(milliseconds: now)) {
            redact += FieldPolicySettings.sensitivePaths
            reportExpiredAgreement()
        }
        guard !policy.allow.isEmpty || !redact.isEmpty, case .object(var object)? = try? JSONReader.parse(event) else { return event }
        FieldPolicy.apply(to: &object, allow: policy.allow, redact: redact, pseudonymKey: context.pseudonymKey)
        return JSONWriter.write(.object(object))
    }

    private func reportExpiredAgreement() {
        guard !agreementReported, let agreement = subscription.fieldPolicy.agreement else { return }
        agreementReported = true
        let name = subscription.name
        Task { [ops = context.ops] in
            await ops.emit(.agreementExpired, subscription: name, data: [
                ("agreement", .string(agreement.number)), ("validUntil", .string(agreement.validUntil)),
                ("withheld", .array(FieldPolicySettings.sensitivePaths.map(JSONValue.string))),
            ])
        }
    }

    /// A delivery of a job that no journal knows about: recording it writes nothing.
    private func settlesWithoutWriting(_ answer: AttemptAnswer) -> Bool {
        guard case .success = answer.response.outcome, let job = jobs[answer.id] else { return false }
        return !job.persisted && job.entry.deadLetterID == nil
    }

    /// Takes an attempt's answer: delivered, retry later, or dead-letter.
    func complete(_ id: Int, _ response: DeliveryResponse, startedMs: Int64) async {
        inFlight -= 1
        // Stopped (shutdown or deleted): the event is not settled, so a restart sends it again.
        guard running, var job = jobs[id] else { return }
        // Past this point the outcome is recorded; `drain()` waits for it before the journals close.
        processing += 1
        defer { processing -= 1 }
        job.inFlight = false
        let now = currentTimeMs()
        let outcome = response.outcome
        let durationMs = Int(Subscription.milliseconds(response.duration))
        counters.recordLatency(durationMs)
        var errorText: String?
        switch outcome {
        case .success: errorText = nil
        case .retryable(let reason), .permanent(let reason): errorText = response.error?.description ?? reason
        }
        let attempt = DeliveryAttempt(attempt: job.entry.attempts.count + 1, atMs: startedMs, status: response.status,
                                      error: errorText, durationMs: durationMs)
        job.entry.attempts.append(attempt)
        context.attempts.record(subscription: subscription.name, eventID: job.entry.eventID, attempt: attempt)
        job.entry.scheduleAttempts += 1
        noteBreaker(outcome, now: now)

        var retryAfter: Duration?
        if response.status == 429 || response.status == 503, let header = response.retryAfter {
            retryAfter = RetryAfter.parse(header, now: Date(timeIntervalSince1970: Double(now) / 1000))
        }
        switch subscription.retry.decide(afterAttempt: job.entry.scheduleAttempts, outcome: outcome,
                                         retryAfter: retryAfter, using: &random) {
        case .delivered:
            counters.delivered += 1
            jobs[id] = job
            await finish(id, deadLetterReason: nil)
        case .retry(let after):
            counters.retried += 1
            job.entry.dueMs = now + Subscription.milliseconds(after)
            jobs[id] = job
            await persist([id])
            enqueue(id)
        case .deadLetter(let reason):
            jobs[id] = job
            await finish(id, deadLetterReason: reason)
            counters.failed += 1  // after the DLQ entry is durable: the counter never runs ahead of it
        }
    }

    private func noteBreaker(_ outcome: DeliveryOutcome, now: Int64) {
        let change: CircuitBreaker.State?
        switch outcome {
        case .success:
            failingSinceMs = nil
            change = breaker.record(success: true, nowMs: now)
        case .retryable:
            if failingSinceMs == nil { failingSinceMs = now }
            change = breaker.record(success: false, nowMs: now)
        case .permanent:
            change = nil  // the receiver answered: it is up, only this event is refused
        }
        guard let change else { return }
        let name = subscription.name
        let failures = breaker.consecutiveFailures
        Task { [ops = context.ops] in
            await ops.emit(change == .open ? .breakerOpened : .breakerClosed, subscription: name,
                           data: [("consecutiveFailures", .int(failures))])
        }
    }

    /// Settles a job for good: delivered, or into the DLQ with its history.
    func finish(_ id: Int, deadLetterReason: String?) async {
        guard let job = jobs[id] else { return }
        let entry = job.entry
        do {
            if let reason = deadLetterReason {
                try await deadLetter(entry, reason: reason)
            } else if let deadLetterID = entry.deadLetterID {
                try await context.deadLetters.setState(.delivered, ids: [deadLetterID], countReplay: false)
            }
            if job.persisted { try await context.pending.remove([entry.identity]) }
        } catch {
            // The outcome could not be recorded: keep the job and try again later, so that
            // neither the DLQ entry nor the delivery is lost.
            context.logger.error("cannot record a delivery outcome; will retry", metadata: [
                "subscription": "\(subscription.name)", "event": "\(entry.eventID)", "error": "\(error)"])
            if var kept = jobs[id] {
                kept.entry.dueMs = currentTimeMs() + 5_000
                jobs[id] = kept
                enqueue(id)
            }
            return
        }
        jobs[id] = nil
        if job.inWindow, !job.persisted { settle(entry) }
        if subscription.ordering == .key, entry.deadLetterID == nil, let key = entry.key, var queue = keyQueues[key] {
            queue.removeAll { $0 == id }
            keyQueues[key] = queue.isEmpty ? nil : queue
            if let next = queue.first { enqueue(next) }
        }
    }

    private func deadLetter(_ logged: PendingDelivery, reason: String) async throws {
        let entry = logged.withDetails()
        let now = currentTimeMs()
        let summary = DeadLetter(
            id: entry.deadLetterID ?? "dlq_" + TokenStore.randomHex(bytes: 10), subscription: entry.subscription,
            eventID: entry.eventID, type: entry.type, topic: entry.topic, partition: entry.partition, offset: entry.offset,
            deadLetteredAtMs: now, attemptCount: entry.attempts.count, lastStatus: entry.attempts.last?.status,
            lastError: entry.attempts.last?.error, reason: reason, state: .dead,
            replays: entry.deadLetterID.flatMap { context.deadLetters.summary($0)?.replays } ?? 0, recordOffset: -1)
        try await context.deadLetters.add([DeadLetterRecord(summary: summary, event: entry.event, key: entry.key,
                                                            attempts: entry.attempts)])
        guard entry.topic != OpsEvents.topic else { return }  // no ops event about an ops event: no feedback loop
        let name = subscription.name
        Task { [ops = context.ops] in
            await ops.emit(.deadLettered, subscription: name, data: [
                ("deadLetterId", .string(summary.id)), ("eventId", .string(entry.eventID)), ("topic", .string(entry.topic)),
                ("reason", .string(reason)), ("attempts", .int(entry.attempts.count)),
            ])
        }
    }

    /// Saves jobs to the pending journal so their window can let go of them.
    func persist(_ ids: [Int]) async {
        let entries = ids.compactMap { jobs[$0]?.entry.withDetails() }
        do {
            try await context.pending.save(entries)
        } catch {
            context.logger.error("cannot save pending deliveries; they stay in memory", metadata: [
                "subscription": "\(subscription.name)", "error": "\(error)"])
            return
        }
        for id in ids {
            guard var job = jobs[id] else { continue }
            if job.inWindow && !job.persisted { settle(job.entry) }
            job.persisted = true
            jobs[id] = job
        }
    }

    /// When a window is full and its waiting events wait for something other than a free
    /// sending slot (behind their key, for the breaker, or for a retry), they are saved as
    /// pending so the window can move on. Events that only wait for a slot are not: in a
    /// backlog the window is always full, and journaling them would write every event twice.
    func spillIfBlocked(now: Int64) async {
        let windowMax = max(context.settings.windowMin, subscription.maxInFlight * 4)
        let blocked = windows.values.contains { $0.unsettledCount >= windowMax }
        let waitingForASlot = inFlight >= subscription.maxInFlight
            || breaker.state == .closed && (due.first.map { $0.dueMs <= now } ?? false)
        guard blocked, !waitingForASlot else { return }
        let waiting = jobs.filter { $0.value.inWindow && !$0.value.persisted && !$0.value.inFlight }.map(\.key)
        guard !waiting.isEmpty else { return }
        await persist(waiting)
    }

    func settle(_ entry: PendingDelivery) {
        let key = "\(entry.topic)/\(entry.partition)"
        if windows[key]?.settle(entry.offset) == true { scheduleCommit() }
    }

    /// Makes the cursors durable in the background, one commit at a time.
    func scheduleCommit() {
        guard !committing else { return }
        committing = true
        Task { await commitLoop() }
    }

    private func commitLoop() async {
        while true {
            let moved = windows.filter { $0.value.low > $0.value.committed }
            guard !moved.isEmpty else {
                committing = false
                return
            }
            for (key, window) in moved {
                guard let name = try? TopicName(window.topic) else { continue }
                let low = window.low
                do {
                    try await context.store.commitPosition(low, consumer: consumerName, topic: name, partition: window.partition)
                    windows[key]?.committed = low
                } catch {
                    context.logger.error("cannot save a delivery cursor", metadata: [
                        "subscription": "\(subscription.name)", "error": "\(error)"])
                    committing = false
                    return
                }
            }
            wake.signal()
        }
    }

    /// Before the partitions this node no longer owns are handed over: waits (at most the
    /// subscription's timeout, 10 s at most) until their in-flight attempts are answered and
    /// recorded and their cursors committed, so that the next holder resends as little as
    /// possible. Nothing new is sent on them meanwhile (`launchDue` checks ownership).
    func settlePartitionsLeaving() async {
        let deadline = ContinuousClock.now + .milliseconds(min(subscription.timeoutMs, 10_000))
        let name = subscription.name, context = self.context
        let leaving = { (topic: String, partition: Int) in !context.owns(name, topic, partition) }
        while running, ContinuousClock.now < deadline {
            let answering = jobs.values.contains { $0.inFlight && leaving($0.entry.topic, $0.entry.partition) }
            let uncommitted = windows.values.contains { leaving($0.topic, $0.partition) && $0.low > $0.committed }
            if !answering, processing == 0, !uncommitted, !committing { return }
            if uncommitted, !committing { scheduleCommit() }
            wake.signal()  // the loop records the answers that came in
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Pauses a subscription whose receiver has failed without one success for too long.
    func checkLongFailure(now: Int64) {
        guard let since = failingSinceMs, now - since >= context.settings.pauseAfterFailingMs else { return }
        failingSinceMs = nil
        let name = subscription.name
        let days = Double(now - since) / 86_400_000
        let reason = String(format: "the receiver failed every attempt for %.1f days; resume when it is fixed", days)
        Task { [context] in await context.pause(name, reason) }
    }
}

extension PendingDelivery {
    /// The entry with its type and key read from the event, for the records that outlive
    /// the forward flow (the fast path does not parse events it only forwards).
    func withDetails() -> PendingDelivery {
        guard type.isEmpty, case .object(let event)? = try? JSONReader.parse(event) else { return self }
        var filled = self
        filled.type = event["type"]?.stringValue ?? ""
        filled.key = key ?? event["partitionkey"]?.stringValue
        return filled
    }
}
