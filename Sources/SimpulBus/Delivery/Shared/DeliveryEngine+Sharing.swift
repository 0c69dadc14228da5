import SimpulLog

/// Several nodes sharing the deliveries (shared journals and partition leases): every
/// node runs a worker per subscription, and each worker delivers only the partitions
/// whose lease its node holds. A lease gained or lost restarts the worker, which then
/// resumes the partitions it holds from their committed cursors and pending entries.
extension DeliveryEngine {
    /// Starts the lease loop: want every (subscription, partition), react to changes.
    func startSharing() {
        guard let leases = context.leases else { return }
        let interval = scanInterval
        sharedTasks.append(Task { [weak self] in
            for await change in leases.changes { await self?.leaseChanged(change) }
        })
        sharedTasks.append(Task { [weak self] in
            // The keeper's first round then already asks for every partition (the next
            // comes a renew interval later: 5 s with the default ttl).
            await self?.wantLeases()
            leases.start()
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                await self?.wantLeases()
            }
        })
    }

    /// Stops reacting to lease changes (before the workers stop at close).
    func stopSharing() {
        for task in sharedTasks { task.cancel() }
        sharedTasks = []
    }

    /// The leases of every partition of every subscribed topic that exists now.
    func wantLeases() async {
        guard let leases = context.leases else { return }
        var names: Set<String> = []
        for subscription in store.all {
            for topic in subscription.topics {
                guard let name = try? TopicName(topic), let count = try? await context.store.partitionCount(name) else { continue }
                for index in 0..<count {
                    names.insert(SharedDelivery.leaseName(subscription: subscription.name, topic: topic, partition: index))
                }
            }
        }
        leases.want(names)
    }

    private func leaseChanged(_ change: DeliveryLeaseChange) {
        let lease: String
        switch change {
        case .acquired(let name), .lost(let name): lease = name
        }
        let subscription = String(lease.prefix { $0 != "/" })
        if case .lost = change { leasesLost[subscription, default: []].insert(lease) }
        guard started, restartsDue.insert(subscription).inserted else { return }
        context.logger.info("delivery partitions moved; restarting the subscription's worker", metadata: [
            "subscription": "\(subscription)", "lease": "\(lease)", "change": "\(change)"])
        // Changes come in bursts (a node starting takes every free partition at once).
        Task {
            try? await Task.sleep(for: .milliseconds(50))
            await self.restartWorker(subscription)
        }
    }

    /// Stops the subscription's worker (in-flight answers recorded) and starts a new one
    /// on the partitions held now. Partitions this node lost are first settled (their
    /// in-flight attempts answered, their cursors committed), then handed over: the next
    /// holder resumes right after what this node delivered. One restart per subscription
    /// at a time.
    private func restartWorker(_ name: String) async {
        while restarting.contains(name) { try? await Task.sleep(for: .milliseconds(10)) }
        restarting.insert(name)
        defer { restarting.remove(name) }
        restartsDue.remove(name)
        let lost = leasesLost.removeValue(forKey: name) ?? []
        if !lost.isEmpty, let worker = workers[name]?.worker {
            await worker.settlePartitionsLeaving()
        }
        if let (worker, task) = workers.removeValue(forKey: name) {
            await worker.stop()
            await task.value
            await worker.drain()
        }
        if !lost.isEmpty { context.leases?.handOver(lost) }
        // Retries another node saved just before handing a partition over are in this
        // node's view before the new worker takes them.
        if let pending = context.pending as? SharedPendingStore { try? await pending.catchUp() }
        if started, let subscription = store.subscription(name) { startWorker(subscription) }
    }

    /// A subscription changed on some node (this one too): start, update or stop its worker.
    func subscriptionChanged(_ name: String) async {
        guard started else { return }
        if let subscription = store.subscription(name) {
            if let running = workers[name]?.worker { await running.update(subscription) } else { startWorker(subscription) }
        } else if let (worker, task) = workers.removeValue(forKey: name) {
            await worker.stop()
            await task.value
        }
    }

    /// A replay asked on some node: the owner of its partition delivers it.
    func replayArrived(_ entry: PendingDelivery) async {
        guard context.owns(entry.subscription, entry.topic, entry.partition) else { return }
        await workers[entry.subscription]?.worker.accept(replays: [entry])
    }
}
