import Foundation
import SimpulDelivery

/// Sends attempts on a pool of threads, each with its own blocking libcurl client per
/// subscription setting. Stands in until the curl-multi sender is merged.
final class ThreadPoolSender: AsyncDeliveryTransport, @unchecked Sendable {
    private typealias Job = (request: DeliveryRequest, options: HTTPDeliveryClientOptions,
                             reply: CheckedContinuation<DeliveryResponse, Never>)
    private let condition = NSCondition()
    private var jobs: [Job] = []

    init(threads: Int = 32) {
        for _ in 0..<threads {
            let thread = Thread { [self] in work() }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    func send(_ request: DeliveryRequest, options: HTTPDeliveryClientOptions) async -> DeliveryResponse {
        await withCheckedContinuation { reply in
            condition.lock()
            jobs.append((request, options, reply))
            condition.signal()
            condition.unlock()
        }
    }

    private func work() {
        var clients: [String: HTTPDeliveryClient] = [:]
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            let key = "\(job.options)"
            do throws(DeliveryError) {
                let client: HTTPDeliveryClient
                if let existing = clients[key] { client = existing } else { client = try HTTPDeliveryClient(options: job.options) }
                clients[key] = client
                job.reply.resume(returning: client.send(job.request))
            } catch {
                job.reply.resume(returning: DeliveryResponse(status: nil, duration: .zero, error: error))
            }
        }
    }
}
