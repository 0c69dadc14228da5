/// Idle configured curl handles, by the options they were configured with, so a send
/// reuses a handle already set up for its subscription's guard, CA file, client
/// certificate and proxy. Connections are not kept here: the multi handle caches them.
///
/// Concurrency: the driver thread's alone.
struct EasyHandlePool {
    let idleMax: Int
    private var idle: [HTTPDeliveryClientOptions: [CurlEasyTransfer]] = [:]
    private(set) var idleCount = 0

    init(idleMax: Int) {
        self.idleMax = idleMax
    }

    /// An idle handle for `options`, or a new one.
    /// - Throws: `DeliveryError.setup` when a new handle cannot be configured.
    mutating func take(for options: HTTPDeliveryClientOptions) throws(DeliveryError) -> CurlEasyTransfer {
        if let transfer = idle[options]?.popLast() {
            idleCount -= 1
            return transfer
        }
        return try CurlEasyTransfer(options: options)
    }

    /// Keeps a handle for reuse. When the pool is full, a handle of other options makes room
    /// (so a busy subscription is not starved by idle ones); failing that, this one is freed.
    mutating func put(_ transfer: CurlEasyTransfer) {
        guard idleMax > 0 else { return }
        if idleCount >= idleMax {
            guard let other = idle.first(where: { $0.key != transfer.options && !$0.value.isEmpty })?.key else { return }
            idle[other]?.removeLast()
            if idle[other]?.isEmpty == true { idle[other] = nil }
            idleCount -= 1
        }
        idle[transfer.options, default: []].append(transfer)
        idleCount += 1
    }

    /// Frees every idle handle.
    mutating func removeAll() {
        idle = [:]
        idleCount = 0
    }
}
