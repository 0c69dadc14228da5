import Foundation

/// Runs `body` on the concurrency pool and blocks the calling (test) thread until it ends.
///
/// The tests are synchronous on purpose: their blocking sockets then never occupy one of
/// the two cooperative threads the server's handler tasks need on this machine.
public func runBlocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let result = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task {
        do { result.set(.success(try await body())) } catch { result.set(.failure(error)) }
        done.signal()
    }
    done.wait()
    return try result.get()
}

/// A result handed from a task to a waiting thread.
public final class ResultBox<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Result<T, any Error>?

    public init() {}

    public func set(_ result: Result<T, any Error>) {
        lock.lock()
        value = result
        lock.unlock()
    }

    public func get() throws -> T {
        lock.lock()
        defer { lock.unlock() }
        guard let value else { throw RawHTTPClient.Failure(description: "no result") }
        return try value.get()
    }
}
