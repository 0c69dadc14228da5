import ArgumentParser
import Foundation

/// Where the server is and which token to show it: on every command that talks to a server.
struct ConnectionOptions: ParsableArguments {
    /// Used when neither `--server`, `$SIMPUL_SERVER` nor the token file names a server.
    static let defaultServer = "http://127.0.0.1:8080"

    @Option(name: .long, help: ArgumentHelp(
        "Server URL (default: $SIMPUL_SERVER, else the server in the token file, else \(defaultServer)).",
        valueName: "url"))
    var server: String?

    @Option(name: .long, help: ArgumentHelp(
        "Admin token (default: $SIMPUL_TOKEN, else the admin token the first `simpul serve` wrote to the token file).",
        valueName: "token"))
    var token: String?

    func validate() throws {
        if let server, !(server.hasPrefix("http://") || server.hasPrefix("https://")) {
            throw ValidationError("--server must be an http:// or https:// URL, e.g. \(Self.defaultServer)")
        }
    }

    /// A client for the resolved server and token.
    /// - Throws: `CLIError` (exit 4) when no token can be found anywhere.
    func client() throws(CLIError) -> AdminClient {
        let environment = ProcessInfo.processInfo.environment
        let file = try TokenFile.load()
        let url = server ?? environment["SIMPUL_SERVER"].flatMap { $0.isEmpty ? nil : $0 } ?? file.server ?? Self.defaultServer
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw CLIError.usage("the server URL \"\(url)\" must start with http:// or https://; fix $SIMPUL_SERVER or pass --server")
        }
        guard let token = token ?? environment["SIMPUL_TOKEN"].flatMap({ $0.isEmpty ? nil : $0 }) ?? file.admin else {
            throw CLIError("no admin token: pass --token or set SIMPUL_TOKEN (the first `simpul serve` writes one to "
                           + "\(file.path))", exit: .unauthorised)
        }
        return try AdminClient(server: url, token: token)
    }
}

/// How results are shown: on every list and show command.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print one JSON document (stable field names, times in UTC) instead of a table.")
    var json = false

    @Flag(name: .long, help: "Show times in UTC instead of the local time zone.")
    var utc = false

    var output: Output { Output(json: json, utc: utc) }
}
