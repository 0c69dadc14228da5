import Foundation
import XCTest
@testable import SimpulAPI
import SimpulTestSupport

/// Goal (issue 4 point 10): the routes the server answers and the paths of
/// `docs/openapi.yaml` are the same set, method by method.
final class OpenAPIConsistencyTests: XCTestCase {
    func testRouterAndDocumentAgree() async throws {
        let text = try String(contentsOfFile: RepositoryPaths.root() + "/docs/openapi.yaml", encoding: .utf8)
        var documented: Set<String> = []
        var inPaths = false
        var currentPath: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "paths:" { inPaths = true; continue }
            if inPaths && !line.hasPrefix(" ") && !line.isEmpty { break }
            if line.hasPrefix("  /") && line.hasSuffix(":") && !line.hasPrefix("   ") {
                currentPath = String(line.dropFirst(2).dropLast())
            } else if let path = currentPath, line.hasPrefix("    ") && !line.hasPrefix("     ") {
                let word = line.trimmingCharacters(in: .whitespaces).dropLast()
                if ["get", "post", "put", "patch", "delete"].contains(word) { documented.insert("\(word.uppercased()) \(path)") }
            }
        }
        let api = try await LiveAPI()
        let served = Set(api.router.routes.map { "\($0.method) \($0.pattern)" })
        await api.stop()
        XCTAssertEqual(served.subtracting(documented), [], "served but not documented")
        XCTAssertEqual(documented.subtracting(served), [], "documented but not served")
        XCTAssertGreaterThan(served.count, 8)
    }
}
