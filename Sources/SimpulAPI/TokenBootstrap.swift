import Foundation
import SimpulBus
import SimpulMapping

/// First start: an admin token and one publisher token per adapter are created; the data
/// directory keeps their hashes, the plain tokens go once to the screen and to a 0600 file
/// outside the data directory (which `simpul` reads for its default token).
public enum TokenBootstrap {
    /// Creates the first tokens when the bus has none; returns the lines to print.
    public static func runIfNeeded(bus: Bus, tokenFile: String, serverURL: String) throws -> [String] {
        guard bus.tokens.isEmpty else { return [] }
        let admin = try bus.tokens.create(kind: .admin, name: "admin")
        var publishers: [(String, JSONValue)] = []
        let width = max(5, bus.adapterNames.map(\.count).max() ?? 0) + "publisher ".count
        var lines = ["first start: created these tokens (shown once; only their SHA-256 is kept in the data directory)",
                     "  " + "admin".padding(toLength: width, withPad: " ", startingAt: 0) + " " + admin.token]
        for name in bus.adapterNames {
            let created = try bus.tokens.create(kind: .publisher, name: "publisher-\(name)", sources: [name])
            publishers.append((name, .string(created.token)))
            lines.append("  " + "publisher \(name)".padding(toLength: width, withPad: " ", startingAt: 0) + " " + created.token)
        }
        let document = JSONValue.object(JSONObject([
            ("server", .string(serverURL)), ("admin", .string(admin.token)), ("publishers", .object(JSONObject(publishers))),
        ]))
        try write(JSONWriter.write(document) + [0x0A], to: tokenFile)
        lines.append("they are kept in \(tokenFile) (mode 0600); `simpul` reads the admin token from there")
        return lines
    }

    /// With `--listen HOST:0` the port is known only once the server listens: the token file
    /// written before then says `placeholder`; this puts the real URL in its place (a file
    /// that says anything else is left alone).
    public static func replaceServerURL(_ placeholder: String, with url: String, in tokenFile: String) throws {
        guard placeholder != url, let bytes = FileManager.default.contents(atPath: tokenFile),
              case .object(var document) = try JSONReader.parse(Array(bytes)),
              document["server"]?.stringValue == placeholder else { return }
        document["server"] = .string(url)
        try write(JSONWriter.write(.object(document)) + [0x0A], to: tokenFile)
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        }
        let temporary = path + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(bytes), attributes: [.posixPermissions: 0o600]) else {
            throw ConfigurationError(key: "tokenFile", message: "cannot write \(path); set tokenFile to a writable place")
        }
        if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
        try FileManager.default.moveItem(atPath: temporary, toPath: path)
    }
}
