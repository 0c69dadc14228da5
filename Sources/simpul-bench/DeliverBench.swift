import Foundation
import SimpulDelivery
import SimpulTestSupport

/// `simpul-bench deliver`: outbound delivery to one local receiver, beside two ceilings
/// measured on the same receiver in the same run.
///
/// The receiver is `DeliverySink` (SimpulTestSupport) on one SwiftNIO event loop thread,
/// answering `204` with keep-alive and counting webhook ids only. Every request carries the
/// same 1 KiB CloudEvent and the headers Simpul sends (`Content-Type`, `Idempotency-Key`,
/// the three Standard Webhooks headers).
///
/// Figures, interleaved in `rounds` rounds and best of each kept (the machine is shared):
/// - `deliver.ceiling.plain_curl_multi_loop`: one thread, one curl multi handle, no Simpul
///   (`PlainCurlMultiLoop`), at each of `loopHandleCounts`; the best is the ceiling;
/// - `deliver.ceiling.wrk`: wrk (2 threads, 64 connections), the receiver's own limit;
/// - `deliver.curl_multi_sender`: the same posts through `CurlMultiSender` from
///   `senderConcurrency` tasks (Swift concurrency, the sender's thread and queue), ÷ the
///   plain loop: the sending layer's own cost;
/// - `deliver.events_delivered`: the whole bus, log to receiver (`DeliverBenchSimpul`), ÷
///   both ceilings, and publish-to-delivered p50/p99 at half that rate.
enum DeliverBench {
    static let rounds = Int(ProcessInfo.processInfo.environment["SIMPUL_BENCH_DELIVER_ROUNDS"] ?? "") ?? 3
    static let secondsPerFigure = Double(ProcessInfo.processInfo.environment["SIMPUL_BENCH_DELIVER_SECONDS"] ?? "") ?? 3
    static let loopHandleCounts = [16, 64]
    static let senderConcurrency = 64
    static let bodyBytes = 1024

    /// The two ceilings, and how a figure is printed against them.
    struct Ceilings {
        var plainCurlLoop: Double
        var plainCurlLoopHandles: Int
        var wrk: Double

        var plainCurlLoopName: String { "plain libcurl multi loop, \(plainCurlLoopHandles) handles, one thread" }
        static let wrkName = "wrk, 2 threads, 64 connections"

        /// Prints `value` ÷ the plain libcurl loop, and a second line `NAME_vs_wrk` ÷ wrk.
        func printAgainstBoth(name: String, value: Double, unit: String, json: Bool) {
            BenchResult(name: name, value: value, unit: unit, ceiling: plainCurlLoop,
                        ceilingName: plainCurlLoopName).print(json: json)
            BenchResult(name: name + "_vs_wrk", value: value, unit: unit, ceiling: wrk,
                        ceilingName: Self.wrkName).print(json: json)
        }
    }

    static func run(json: Bool) throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/wrk") else {
            throw BenchError("wrk is not installed: apt-get install wrk")
        }
        let root = FileManager.default.currentDirectoryPath + "/.build/bench-deliver"
        try? FileManager.default.removeItem(atPath: root)
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }

        let sink = try DeliverySink(threads: 1, recording: .webhookIDsOnly)
        defer { sink.shutdown() }
        let url = sink.url(path: "/hooks")
        let body = eventBody()
        let headers = try signedHeaders(body: body)
        let script = try wrkScript(directory: root, body: body, headers: headers)

        var loopBest: [Int: Double] = [:]
        var wrkBest = 0.0
        var senderBest = 0.0
        for _ in 0..<rounds {
            for handles in loopHandleCounts {
                let rate = try PlainCurlMultiLoop.requestsPerSecond(
                    url: url, body: body, headers: headers.map { "\($0.name): \($0.value)" },
                    handles: handles, seconds: secondsPerFigure)
                loopBest[handles] = max(loopBest[handles] ?? 0, rate)
            }
            senderBest = max(senderBest, try senderRate(url: url, body: body, headers: headers))
            wrkBest = max(wrkBest, try IngestBench.wrk(port: sink.port, script: script, connections: 64).rate)
        }
        guard let (handles, loop) = loopBest.max(by: { $0.value < $1.value }) else { return }
        let ceilings = Ceilings(plainCurlLoop: loop, plainCurlLoopHandles: handles, wrk: wrkBest)
        for (count, rate) in loopBest.sorted(by: { $0.key < $1.key }) {
            BenchResult(name: "deliver.ceiling.plain_curl_multi_loop_\(count)_handles", value: rate, unit: "requests/s")
                .print(json: json)
        }
        BenchResult(name: "deliver.ceiling.wrk", value: wrkBest, unit: "requests/s").print(json: json)
        BenchResult(name: "deliver.curl_multi_sender", value: senderBest, unit: "requests/s",
                    ceiling: ceilings.plainCurlLoop, ceilingName: ceilings.plainCurlLoopName).print(json: json)
        try simpulFigures(sink: sink, root: root, ceilings: ceilings, json: json)
    }

    /// Requests/s through `CurlMultiSender`: `senderConcurrency` tasks, each sending again
    /// as soon as its answer arrives.
    static func senderRate(url: String, body: [UInt8], headers: [(name: String, value: String)]) throws -> Double {
        let sender = try CurlMultiSender(options: CurlMultiSenderOptions(transfersMax: senderConcurrency))
        defer { sender.shutdown() }
        let options = HTTPDeliveryClientOptions(addressPolicy: AddressPolicy(allowPrivateNetworks: true))
        let request = DeliveryRequest(url: url, body: body, headers: headers)
        let seconds = secondsPerFigure
        let concurrency = senderConcurrency
        return try blocking {
            let start = ContinuousClock.now
            let warmUpEnd = start + .milliseconds(300)
            let end = warmUpEnd + .milliseconds(Int64(seconds * 1000))
            let answered = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<concurrency {
                    group.addTask {
                        var count = 0
                        while ContinuousClock.now < end {
                            let response = await sender.send(request, options: options)
                            guard response.outcome == .success else {
                                throw BenchError("CurlMultiSender got \(response.status.map(String.init) ?? "no answer"): \(response.error.map { "\($0)" } ?? "")")
                            }
                            if ContinuousClock.now >= warmUpEnd { count += 1 }
                        }
                        return count
                    }
                }
                return try await group.reduce(0, +)
            }
            let elapsed = ContinuousClock.now - warmUpEnd
            return Double(answered) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
    }

    /// A canonical-looking CloudEvent padded to exactly `bodyBytes`.
    static func eventBody() -> [UInt8] {
        let head = #"{"specversion":"1.0","id":"01JD5Q0000BENCH0000000000","source":"/bench/deliver","#
            + #""type":"city.population.person.registered","time":"2026-11-22T03:04:05.123Z","#
            + #""datacontenttype":"application/json","data":{"kota":"Bandung","note":""#
        let tail = #""}}"#
        let padding = String(repeating: "x", count: max(0, bodyBytes - head.utf8.count - tail.utf8.count))
        return Array((head + padding + tail).utf8)
    }

    /// The headers every attempt carries, signed once (the ceilings do not sign per request).
    static func signedHeaders(body: [UInt8]) throws -> [(name: String, value: String)] {
        let signer = try WebhookSigner(secret: WebhookSigner.generateSecret())
        let id = "01JD5Q0000BENCH0000000000"
        return [("Content-Type", DeliveryRequest.cloudEventsContentType), ("Idempotency-Key", id)]
            + signer.headers(id: id, timestamp: Int64(Date().timeIntervalSince1970), body: body)
    }

    /// wrk posting the same body and headers on every request.
    static func wrkScript(directory: String, body: [UInt8], headers: [(name: String, value: String)]) throws -> String {
        let headerLines = headers.map { #"wrk.headers["\#($0.name)"] = [==[\#($0.value)]==]"# }.joined(separator: "\n")
        let lua = """
        wrk.method = "POST"
        wrk.path = "/hooks"
        wrk.body = [==[\(String(decoding: body, as: UTF8.self))]==]
        \(headerLines)
        """
        let path = directory + "/deliver.lua"
        try lua.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
