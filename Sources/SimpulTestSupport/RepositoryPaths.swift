import Foundation

/// Paths inside this repository, found from a test source file (`#filePath`).
public enum RepositoryPaths {
    public static func root(from file: String = #filePath) -> String {
        var url = URL(fileURLWithPath: file)
        while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            url.deleteLastPathComponent()
        }
        return url.path
    }

    public static var adapters: String { root() + "/adapters" }

    public static func sample(_ adapter: String, _ file: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: "\(adapters)/\(adapter)/samples/\(file)")))
    }
}
