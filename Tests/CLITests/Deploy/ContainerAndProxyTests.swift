import Foundation
import SimpulTestSupport
import XCTest

/// Goal (issue 7): the nginx example is a configuration Debian's nginx accepts and that
/// really proxies TLS to a running Simpul, with the same body limit; the Dockerfile's
/// runtime image installs a Debian package for every C library `simpul` links.
final class ContainerAndProxyTests: XCTestCase {
    func testNginxExampleProxiesTLSToSimpulWithItsBodyLimit() throws {
        let nginx = try DeployTools.nginx()
        let curl = try DeployTools.require("curl", "curl")
        let openssl = try DeployTools.require("openssl", "openssl")
        let directory = try TemporaryDirectory("nginx")
        defer { directory.remove() }
        let simpulPort = 21_000 + Int.random(in: 0..<2000), httpPort = simpulPort + 2000, tlsPort = simpulPort + 4000

        let certificate = try DeployTools.run(openssl, [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
            "-keyout", directory.path + "/key.pem", "-out", directory.path + "/cert.pem"])
        XCTAssertEqual(certificate.status, 0, certificate.standardError)
        let site = try DeployTools.text("deploy/nginx/simpul.conf")
            .replacingOccurrences(of: "/etc/ssl/simpul/fullchain.pem", with: directory.path + "/cert.pem")
            .replacingOccurrences(of: "/etc/ssl/simpul/privkey.pem", with: directory.path + "/key.pem")
            .replacingOccurrences(of: "127.0.0.1:8080", with: "127.0.0.1:\(simpulPort)")
            .replacingOccurrences(of: "listen 80;", with: "listen 127.0.0.1:\(httpPort);")
            .replacingOccurrences(of: "listen [::]:80;", with: "")
            .replacingOccurrences(of: "listen 443 ssl http2;", with: "listen 127.0.0.1:\(tlsPort) ssl http2;")
            .replacingOccurrences(of: "listen [::]:443 ssl http2;", with: "")
        try site.write(toFile: directory.path + "/simpul.conf", atomically: true, encoding: .utf8)
        let temporaries = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]
            .map { "\($0)_temp_path \(directory.path)/\($0);" }.joined(separator: "\n")
        let main = """
            pid \(directory.path)/nginx.pid;
            error_log stderr;
            events {}
            http {
            access_log off;
            \(temporaries)
            include \(directory.path)/simpul.conf;
            }
            """
        try main.write(toFile: directory.path + "/nginx.conf", atomically: true, encoding: .utf8)
        let check = try DeployTools.run(nginx, ["-t", "-p", directory.path, "-c", directory.path + "/nginx.conf"])
        XCTAssertEqual(check.status, 0, check.standardError)
        guard check.status == 0 else { return }

        let server = try startSimpul(dataDirectory: directory.path + "/data", port: simpulPort, tokenFile: directory.path + "/tokens.json")
        defer { server.terminate(); server.waitUntilExit() }
        // In the foreground: a daemonised nginx would keep this test's pipes open.
        let proxy = Process()
        proxy.executableURL = URL(fileURLWithPath: nginx)
        proxy.arguments = ["-p", directory.path, "-c", directory.path + "/nginx.conf", "-g", "daemon off;"]
        proxy.standardOutput = FileHandle.nullDevice
        proxy.standardError = FileHandle.nullDevice
        try proxy.run()
        defer { proxy.terminate(); proxy.waitUntilExit() }
        try waitForPort(tlsPort)

        let https = "https://localhost:\(tlsPort)"
        let health = try DeployTools.run(curl, ["-sS", "--cacert", directory.path + "/cert.pem", "--resolve",
                                                "localhost:\(tlsPort):127.0.0.1", "-w", " %{http_code}", https + "/healthz"])
        XCTAssertEqual(health.standardOutput, "{\"status\":\"ok\"} 200", health.standardError)

        let redirect = try DeployTools.run(curl, ["-sS", "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}",
                                                  "http://127.0.0.1:\(httpPort)/healthz"])
        XCTAssertTrue(redirect.standardOutput.hasPrefix("301 https://"), redirect.standardOutput)

        // One byte over Simpul's default limits.bodyBytesMax: refused by nginx, as Simpul would.
        let body = directory.path + "/big.bin"
        try Data(count: 8 * 1024 * 1024 + 1).write(to: URL(fileURLWithPath: body))
        let tooBig = try DeployTools.run(curl, ["-sS", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", directory.path + "/cert.pem",
                                                "--resolve", "localhost:\(tlsPort):127.0.0.1", "--data-binary", "@" + body,
                                                https + "/v1/sources/population/records"])
        XCTAssertEqual(tooBig.standardOutput, "413", tooBig.standardError)
        let config = try JSONSerialization.jsonObject(with: Data(try DeployTools.text("deploy/simpul.example.json").utf8)) as? [String: Any]
        XCTAssertEqual((config?["limits"] as? [String: Any])?["bodyBytesMax"] as? Int, 8 * 1024 * 1024,
                       "the nginx example's client_max_body_size 8m matches limits.bodyBytesMax")
    }

    func testDockerRuntimeImageInstallsEveryLinkedCLibrary() throws {
        let dockerfile = try DeployTools.text("deploy/Dockerfile")
        let stages = dockerfile.split(separator: "\n").filter { $0.hasPrefix("FROM ") }
        XCTAssertEqual(stages.count, 2, "one build stage, one runtime stage")
        let runtime = String(dockerfile[try XCTUnwrap(dockerfile.range(of: "FROM ${RUNTIME_IMAGE}")).lowerBound...])
        XCTAssertTrue(runtime.contains("\nUSER simpul\n"), "the runtime image runs as simpul, not root")
        XCTAssertTrue(runtime.contains("VOLUME [\"/var/lib/simpul\", \"/var/backups/simpul\"]"), "data and backups outlive the container")
        XCTAssertTrue(dockerfile.contains("--static-swift-stdlib"), "the runtime image carries no Swift toolchain")

        let installLine = runtime.components(separatedBy: "--no-install-recommends").dropFirst().first ?? ""
        let packages = Set(installLine.split(whereSeparator: { " \\\n&".contains($0) }).prefix { !$0.hasPrefix("rm") }.map(String.init))
        let baseImage: Set<String> = ["libc6", "libgcc-s1", "libstdc++6", "zlib1g", "liblzma5", "libzstd1"]
        for library in try linkedDebianPackages() {
            XCTAssertTrue(packages.contains(library) || baseImage.contains(library),
                          "simpul links a library of \(library), which the runtime image does not install (it has \(packages.sorted()))")
        }
    }

    /// The Debian packages holding the C libraries `simpul` needs once the Swift runtime is
    /// linked in statically: those it names directly, and those the Swift runtime names
    /// (their own dependencies come with them through apt).
    private func linkedDebianPackages() throws -> Set<String> {
        let ldd = try DeployTools.require("ldd", "libc-bin")
        let readelf = try DeployTools.require("readelf", "binutils")
        let dpkg = try DeployTools.require("dpkg", "dpkg")
        let binary = Products.executable("simpul").path
        var paths: [String: String] = [:]
        for line in try DeployTools.run(ldd, [binary]).standardOutput.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count >= 3, parts[1] == "=>" { paths[parts[0].trimmingCharacters(in: .whitespaces)] = String(parts[2]) }
        }
        func needed(_ file: String) throws -> [String] {
            try DeployTools.run(readelf, ["-d", file]).standardOutput.split(separator: "\n").compactMap { line in
                guard line.contains("(NEEDED)"), let open = line.lastIndex(of: "["), let close = line.lastIndex(of: "]") else { return nil }
                return String(line[line.index(after: open)..<close])
            }
        }
        var pending = [binary], seen: Set<String> = [], system: Set<String> = []
        while let file = pending.popLast() {
            for name in try needed(file) where !seen.contains(name) {
                seen.insert(name)
                guard let path = paths[name] else { continue }
                if path.contains("/swift/") { pending.append(path) } else { system.insert(path) }
            }
        }
        var packages: Set<String> = []
        for path in system {
            // By name: with merged /usr, dpkg knows a library under /lib or under /usr/lib.
            let owner = try DeployTools.run(dpkg, ["-S", "*/" + URL(fileURLWithPath: path).lastPathComponent])
            XCTAssertEqual(owner.status, 0, "no Debian package holds \(path)")
            if let name = owner.standardOutput.split(separator: ":").first { packages.insert(String(name)) }
        }
        XCTAssertTrue(packages.contains("libc6"), "found no library at all: \(system.sorted())")
        return packages
    }

    private func waitForPort(_ port: Int) throws {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if (try? RawHTTPClient(port: port, readTimeoutSeconds: 1)) != nil { return }
            usleep(20_000)
        }
        throw RawHTTPClient.Failure(description: "nginx did not listen on port \(port)")
    }

    private func startSimpul(dataDirectory: String, port: Int, tokenFile: String) throws -> Process {
        try ServeProcess.start(dataDirectory: dataDirectory, tokenFile: tokenFile, log: dataDirectory + ".serve.log", port: port)
    }
}
