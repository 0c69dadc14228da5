import NIOHTTP1
import SimpulBus
import SimpulServer

/// The HTTP API of the bus (`docs/openapi.yaml`): every route, bound to one `Bus`.
public enum APIRouter {
    /// Routes answered without a token: liveness and readiness probes only.
    public static let publicRoutes: Set<String> = ["GET /healthz", "GET /readyz"]

    public static func make(bus: Bus, probes: Probes) -> Router {
        var router = Router()
        let sessions = Sessions()
        router.add(.GET, "/") { await StatusRoutes.page($0, bus: bus, sessions: sessions) }
        router.add(.POST, "/login") { await StatusRoutes.login($0, bus: bus, sessions: sessions) }
        router.add(.POST, "/logout") { await StatusRoutes.logout($0, bus: bus, sessions: sessions) }
        router.add(.POST, "/v1/sources/{source}/records") { await PublishRoutes.publish($0, bus: bus) }
        router.add(.POST, "/v1/events") { await CanonicalEventRoutes.publish($0, bus: bus) }
        router.add(.GET, "/v1/topics") { await ReadRoutes.topics($0, bus: bus) }
        router.add(.GET, "/v1/topics/{topic}/events") { await ReadRoutes.events($0, bus: bus) }
        router.add(.GET, "/v1/quarantine") { await QuarantineRoutes.list($0, bus: bus) }
        router.add(.GET, "/v1/quarantine/{id}") { await QuarantineRoutes.show($0, bus: bus) }
        router.add(.POST, "/v1/quarantine/{id}/retry") { await QuarantineRoutes.retry($0, bus: bus) }
        router.add(.GET, "/v1/subscriptions") { await SubscriptionRoutes.list($0, bus: bus) }
        router.add(.POST, "/v1/subscriptions") { await SubscriptionRoutes.create($0, bus: bus) }
        router.add(.GET, "/v1/subscriptions/{name}") { await SubscriptionRoutes.show($0, bus: bus) }
        router.add(.PATCH, "/v1/subscriptions/{name}") { await SubscriptionRoutes.update($0, bus: bus) }
        router.add(.DELETE, "/v1/subscriptions/{name}") { await SubscriptionRoutes.delete($0, bus: bus) }
        router.add(.POST, "/v1/subscriptions/{name}/pause") { await SubscriptionRoutes.pause($0, bus: bus, paused: true) }
        router.add(.POST, "/v1/subscriptions/{name}/resume") { await SubscriptionRoutes.pause($0, bus: bus, paused: false) }
        router.add(.GET, "/v1/dlq") { await DeadLetterRoutes.list($0, bus: bus) }
        router.add(.GET, "/v1/dlq/{id}") { await DeadLetterRoutes.show($0, bus: bus) }
        router.add(.POST, "/v1/dlq/replay") { await DeadLetterRoutes.replay($0, bus: bus) }
        router.add(.POST, "/v1/admin/backup") { await BackupRoutes.backup($0, bus: bus) }
        router.add(.GET, "/v1/stats") { await AdminRoutes.stats($0, bus: bus) }
        router.add(.GET, "/metrics") { await AdminRoutes.metrics($0, bus: bus, probes: probes) }
        router.add(.GET, "/healthz") { _ in .json(status: 200, "{\"status\":\"ok\"}") }
        router.add(.GET, "/readyz") { _ in await AdminRoutes.ready(bus: bus, probes: probes) }
        return router
    }
}

/// What the API asks of the process around it (the HTTP server's in-flight count).
public struct Probes: Sendable {
    public var inFlightRequests: @Sendable () -> Int

    public init(inFlightRequests: @escaping @Sendable () -> Int = { 0 }) {
        self.inFlightRequests = inFlightRequests
    }
}
