import Foundation
import XCTest

/// Goal (DESIGN.md layering, STYLE.md): SimpulDelivery stays a leaf that knows no bus and no
/// log — its sources import CCurl, COpenSSL and Foundation only.
final class ImportRulesTests: XCTestCase {
    func testSimpulDeliveryImportsOnlyItsAllowedModules() throws {
        let allowed: Set<String> = ["CCurl", "COpenSSL", "Foundation"]
        let root = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/SimpulDelivery")
        let files = try XCTUnwrap(FileManager.default.enumerator(atPath: root.path))
            .compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }
        XCTAssertGreaterThan(files.count, 5)
        for file in files {
            let text = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
            for line in text.split(separator: "\n") where line.hasPrefix("import ") {
                let module = line.split(separator: " ").last.map(String.init) ?? ""
                XCTAssertTrue(allowed.contains(module), "\(file) imports \(module)")
            }
        }
    }
}
