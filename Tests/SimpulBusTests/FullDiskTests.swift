import XCTest
@testable import SimpulBus
import SimpulLog
import SimpulTestSupport

/// Goal (RELIABILITY L11 through the bus): on a full disk a publish is refused as
/// `storage.full` (HTTP 507 with Retry-After), nothing of it is acknowledged, and
/// publishing resumes by itself once space is free — no restart.
final class FullDiskTests: XCTestCase {
    func testFullDiskRefusesThenResumes() async throws {
        let io = SimulatedStorageIO(seed: 7)
        var settings = BusSettings(dataDirectory: "/data", adaptersDirectory: RepositoryPaths.adapters)
        settings.log.freeBytesFloor = 1 << 20
        let bus = try Bus.open(settings, io: io)
        let publisher = Principal(id: "p", kind: .admin, name: "ops", sources: [], topics: [], redact: [])
        let body = try RepositoryPaths.sample("siperietnik", "valid-single.json")
        io.setDiskFull(true)
        do {
            _ = try await bus.publish(PublishRequest(source: "siperietnik", body: body, publisher: publisher))
            XCTFail("a publish was accepted on a full disk")
        } catch let error as BusError {
            XCTAssertEqual(error.status, 507)
            XCTAssertEqual(error.code, "storage.full")
            XCTAssertTrue(error.description.contains("free space"), error.description)
        }
        io.setDiskFull(false)
        let result = try await bus.publish(PublishRequest(source: "siperietnik", body: body, publisher: publisher))
        XCTAssertEqual(result.status, 202)
        guard case .published(_, _, let topic, _, let offset, _)? = result.records.first else { return XCTFail("\(result)") }
        XCTAssertEqual(offset, 0, "the refused publish left nothing behind")
        XCTAssertEqual(try bus.log.partition(try TopicName(topic), 0).endOffset, 1)
        await bus.close()
    }
}
