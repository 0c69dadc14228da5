import SimpulTestSupport
import Logging
import XCTest

@testable import SimpulServer

/// Goal: bad settings and a busy port fail `start()` with an error that names the setting
/// or the address and says what to do; a server starts only once.
final class ConfigurationTests: XCTestCase {
    func testInvalidSettingsNameTheKey() {
        var configuration = HTTPServerConfiguration()
        configuration.bodyBytesMax = 10 << 20
        configuration.inFlightBytesMax = 1 << 20
        XCTAssertThrowsError(try configuration.validate()) { error in
            XCTAssertTrue("\(error)".hasPrefix("invalid server setting inFlightBytesMax:"), "\(error)")
        }
        configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 70000)
        XCTAssertThrowsError(try configuration.validate()) { error in
            XCTAssertEqual(error as? HTTPServerError, .invalidConfiguration(key: "port", fix: "use 0…65535 (0 picks a free port)"))
        }
        XCTAssertNoThrow(try HTTPServerConfiguration().validate())
    }

    func testBusyPortAndSecondStartAreTypedErrors() throws {
        let live = try LiveServer(self, handler: sampleRouter())
        let clash = HTTPServer(
            configuration: HTTPServerConfiguration(host: "127.0.0.1", port: live.port), handler: sampleRouter(),
            logger: Logger(label: "test"))
        XCTAssertThrowsError(try runBlocking { try await clash.start() }) { error in
            XCTAssertTrue("\(error)".hasPrefix("cannot listen on 127.0.0.1:\(live.port):"), "\(error)")
        }
        XCTAssertThrowsError(try runBlocking { try await live.server.start() }) { error in
            XCTAssertEqual(error as? HTTPServerError, .alreadyStarted)
        }
    }
}
