import Foundation
import SimpulAPI
import SimpulMapping

/// The file the first `simpul serve` wrote (`TokenBootstrap`): `{"server":…,"admin":…,
/// "publishers":{source:token}}`. The CLI takes its default server and admin token from it.
struct TokenFile {
    var server: String?
    var admin: String?
    var publishers: [String: String] = [:]
    let path: String

    /// Reads `path` (default: `$SIMPUL_TOKEN_FILE` or `~/.config/simpul/tokens.json`);
    /// a missing file is an empty one, an unreadable one an error that names it.
    static func load(_ path: String = ServeConfiguration.defaultTokenFile) throws(CLIError) -> TokenFile {
        var file = TokenFile(path: path)
        guard let data = FileManager.default.contents(atPath: path) else { return file }
        guard case .object(let object)? = try? JSONReader.parse(Array(data)) else {
            throw CLIError("the token file \(path) is not valid JSON; pass --token, or delete the file and "
                           + "create tokens with `simpul tokens create`", exit: .unauthorised)
        }
        file.server = object["server"]?.stringValue
        file.admin = object["admin"]?.stringValue
        if case .object(let publishers)? = object["publishers"] {
            for member in publishers.members { if let token = member.value.stringValue { file.publishers[member.key] = token } }
        }
        return file
    }
}
