import Foundation
import XCTest
@testable import SimpulBus
import SimpulTestSupport

/// Goal (issue 8, stateless nodes): tokens are configuration every node of a cluster must
/// carry identically (`tokens.json`); the fingerprint tells an admin whether two nodes do.
final class TokenFingerprintTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws { directory = try TemporaryDirectory("token-fingerprint") }
    override func tearDown() { directory.remove() }

    func testACopiedTokenFileHasTheSameFingerprintAndEveryChangeAnother() throws {
        let nodeA = directory.path + "/a", nodeB = directory.path + "/b"
        for path in [nodeA, nodeB] { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        let tokensA = try TokenStore(dataDirectory: nodeA)
        let empty = tokensA.fingerprint
        let admin = try tokensA.create(kind: .admin, name: "admin")
        _ = try tokensA.create(kind: .publisher, name: "siak", sources: ["population"])
        let created = tokensA.fingerprint
        XCTAssertNotEqual(created, empty)
        XCTAssertEqual(created.count, 16)

        try FileManager.default.copyItem(atPath: nodeA + "/" + TokenStore.fileName, toPath: nodeB + "/" + TokenStore.fileName)
        let tokensB = try TokenStore(dataDirectory: nodeB)
        XCTAssertEqual(tokensB.fingerprint, created, "a copied tokens.json is the same set of tokens")

        XCTAssertTrue(try tokensA.revoke(id: admin.record.id))
        XCTAssertNotEqual(tokensA.fingerprint, tokensB.fingerprint, "a revocation on one node only shows")
        try FileManager.default.removeItem(atPath: nodeB + "/" + TokenStore.fileName)
        try FileManager.default.copyItem(atPath: nodeA + "/" + TokenStore.fileName, toPath: nodeB + "/" + TokenStore.fileName)
        try tokensB.reload()
        XCTAssertEqual(tokensB.fingerprint, tokensA.fingerprint, "after copying the file again and a reload (SIGHUP)")
        XCTAssertNil(tokensB.authenticate(admin.token), "the revocation holds on node B too")
    }
}
