import Logging
import SimpulLog

/// The four delivery journals, embedded in the data directory or shared on the cluster.
struct DeliveryJournalSet: Sendable {
    let subscriptions: any SubscriptionJournal
    let pending: any PendingJournal
    let deadLetters: any DeadLetterJournal
    let attempts: any AttemptRecorder

    init(log: Log, shared: SharedDelivery?, logger: Logger, io: any StorageIO) async throws {
        guard let shared else {
            subscriptions = try SubscriptionStore(log: log, io: io)
            pending = try await PendingStore(log: log, io: io)
            deadLetters = try DeadLetterStore(log: log, io: io)
            attempts = try AttemptJournal(log: log, logger: logger, io: io)
            return
        }
        let subscriptions = try await SharedSubscriptionStore(shared: shared)
        do {
            let pending = try await SharedPendingStore(shared: shared)
            do {
                let deadLetters = try await SharedDeadLetterStore(shared: shared)
                do {
                    attempts = try await SharedAttemptJournal(shared: shared, logger: logger)
                } catch {
                    await deadLetters.close()
                    throw error
                }
                self.deadLetters = deadLetters
            } catch {
                await pending.close()
                throw error
            }
            self.pending = pending
        } catch {
            await subscriptions.close()
            throw error
        }
        self.subscriptions = subscriptions
    }

    /// Tells the engine what other nodes change: subscriptions, and replays to deliver.
    func listen(_ engine: Locked<DeliveryEngine?>) {
        (subscriptions as? SharedSubscriptionStore)?.onChange { name in
            Task { await engine.withLock { $0 }?.subscriptionChanged(name) }
        }
        (pending as? SharedPendingStore)?.onReplay { entry in
            Task { await engine.withLock { $0 }?.replayArrived(entry) }
        }
    }
}
