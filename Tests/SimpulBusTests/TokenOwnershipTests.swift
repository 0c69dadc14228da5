import Foundation
import XCTest
@testable import SimpulBus
import SimpulTestSupport

/// Regression (found by the runbook session): `simpul tokens create` run as root rewrote
/// `tokens.json` owned by root, and the service user could no longer read it.
final class TokenOwnershipTests: XCTestCase {
    func testTheTokenFileStaysWithTheDataDirectoryOwner() throws {
        guard geteuid() == 0 else { throw XCTSkip("needs root to hand a file to another user") }
        let directory = try TemporaryDirectory("token-owner")
        defer { directory.remove() }
        XCTAssertEqual(chown(directory.path, 65534, 65534), 0)
        let store = try TokenStore(dataDirectory: directory.path)
        _ = try store.create(kind: .admin, name: "night-shift")
        var file = stat()
        XCTAssertEqual(stat(directory.path + "/" + TokenStore.fileName, &file), 0)
        XCTAssertEqual(file.st_uid, 65534, "owned by the data directory's owner, not root")
        XCTAssertEqual(file.st_mode & 0o777, 0o600)
    }
}
