import CNATS
import Foundation

/// Whether the NATS connection is up, as libnats reports it from its own threads
/// (disconnected, reconnected, closed), so that readiness and a publish can tell at once
/// that the cluster is out of reach instead of waiting out a request timeout.
final class ConnectionWatch: @unchecked Sendable {
    private let lock = NSLock()
    private var down: String?

    /// Why the connection is down, or nil while it is up.
    var reason: String? { lock.withLock { down } }

    func markDown(_ reason: String) { lock.withLock { down = reason } }
    func markUp() { lock.withLock { down = nil } }

    /// libnats keeps the closure pointer for the connection's life, callbacks included that
    /// run after `natsConnection_Destroy` returned: the watch is retained for as long as the
    /// process lives (one small object per store opened).
    func retainedPointer() -> UnsafeMutableRawPointer { Unmanaged.passRetained(self).toOpaque() }

    static let disconnected: natsConnectionHandler = { _, closure in
        guard let closure else { return }
        Unmanaged<ConnectionWatch>.fromOpaque(closure).takeUnretainedValue()
            .markDown("the connection to the NATS servers is lost; reconnecting")
    }

    static let reconnected: natsConnectionHandler = { _, closure in
        guard let closure else { return }
        Unmanaged<ConnectionWatch>.fromOpaque(closure).takeUnretainedValue().markUp()
    }

    static let closed: natsConnectionHandler = { _, closure in
        guard let closure else { return }
        Unmanaged<ConnectionWatch>.fromOpaque(closure).takeUnretainedValue().markDown("the NATS connection is closed")
    }
}
