import XCTest
@testable import SimpulLog

final class CLIPlaceholderTests: XCTestCase {
    func testKeyLimitIsBelowValueLimit() {
        XCTAssertLessThan(LogLimits.recordKeyBytesMax, LogLimits.recordValueBytesMax)
    }
}
