import Foundation
import XCTest

/// Goal (DESIGN.md layering): SimpulServer imports only NIO, swift-log and the system
/// libraries — never SimpulLog, SimpulMapping or a bus module — so the direction of the
/// module graph cannot rot unnoticed.
final class ImportRulesTests: XCTestCase {
    func testServerImportsOnlyItsAllowedModules() throws {
        let allowed: Set<String> = ["Foundation", "Logging", "NIOCore", "NIOHTTP1", "NIOPosix"]
        let sources = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/SimpulServer")
        let files = try FileManager.default.contentsOfDirectory(atPath: sources.path).filter { $0.hasSuffix(".swift") }
        XCTAssertFalse(files.isEmpty, "no sources found at \(sources.path)")
        for file in files {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            for line in text.split(separator: "\n") where line.hasPrefix("import ") || line.hasPrefix("@testable import ") {
                let module = String(line.split(separator: " ").last ?? "")
                XCTAssertTrue(allowed.contains(module), "\(file) imports \(module)")
            }
        }
    }
}
