import Foundation
import NIOCore

/// Counters and budgets shared by every connection of one server; safe from any thread.
///
/// Admission decisions (a new connection, a request body's bytes) are made here under one
/// lock, so two connections can never both take the last unit of a budget.
final class ServerState: @unchecked Sendable {
    private let lock = NSLock()
    // All fields below are guarded by `lock`.
    private var connections: [ObjectIdentifier: any Channel] = [:]
    private var accepting = true
    private var inFlightBytes = 0
    private var inFlightRequests = 0
    private var runningHandlers = 0
    private var bodyBytesReceived = 0
    private var rejectedConnections = 0

    let connectionCountMax: Int
    let inFlightBytesMax: Int

    init(connectionCountMax: Int, inFlightBytesMax: Int) {
        self.connectionCountMax = connectionCountMax
        self.inFlightBytesMax = inFlightBytesMax
    }

    private func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }

    /// Admits `channel` unless the server is at `connectionCountMax` or shutting down.
    func admit(_ channel: any Channel) -> Bool {
        locked {
            guard accepting, connections.count < connectionCountMax else {
                rejectedConnections += 1
                return false
            }
            connections[ObjectIdentifier(channel)] = channel
            return true
        }
    }

    /// Forgets a closed connection.
    func remove(_ channel: any Channel) {
        locked { _ = connections.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    /// Stops admitting connections and returns the open ones.
    func stopAccepting() -> [any Channel] {
        locked {
            accepting = false
            return Array(connections.values)
        }
    }

    /// The open connections.
    var openChannels: [any Channel] { locked { Array(connections.values) } }

    /// Takes `bytes` from the in-flight budget; `false` (nothing taken) when it would pass
    /// `inFlightBytesMax`.
    func reserve(bytes: Int) -> Bool {
        locked {
            guard inFlightBytes + bytes <= inFlightBytesMax else { return false }
            inFlightBytes += bytes
            return true
        }
    }

    /// Gives `bytes` back to the in-flight budget.
    func release(bytes: Int) {
        locked {
            inFlightBytes -= bytes
            precondition(inFlightBytes >= 0, "in-flight bytes released twice")
        }
    }

    /// Adds `delta` to the requests between head and response end.
    func addInFlightRequests(_ delta: Int) { locked { inFlightRequests += delta } }
    /// Adds `delta` to the handler tasks not yet back on their event loop.
    func addRunningHandlers(_ delta: Int) { locked { runningHandlers += delta } }
    /// Counts request body bytes read from sockets (kept or discarded).
    func addBodyBytesReceived(_ count: Int) { locked { bodyBytesReceived += count } }

    /// A consistent copy of the counters.
    var statistics: HTTPServerStatistics {
        locked {
            HTTPServerStatistics(
                openConnections: connections.count, inFlightRequests: inFlightRequests,
                inFlightBytes: inFlightBytes, runningHandlers: runningHandlers,
                bodyBytesReceived: bodyBytesReceived, rejectedConnections: rejectedConnections)
        }
    }
}

/// A snapshot of the server's counters, for `/metrics` and tests.
public struct HTTPServerStatistics: Sendable, Equatable {
    /// Connections open now.
    public var openConnections: Int
    /// Requests whose head arrived and whose response has not been fully written.
    public var inFlightRequests: Int
    /// Request body bytes held in memory now.
    public var inFlightBytes: Int
    /// Handler calls still running (or not yet back on their event loop).
    public var runningHandlers: Int
    /// Request body bytes read since start, including discarded ones.
    public var bodyBytesReceived: Int
    /// Connections refused at `connectionCountMax` or during shutdown since start.
    public var rejectedConnections: Int
}
