import XCTest
@testable import SimpulLog

final class LimitsTests: XCTestCase {
    func testKeyLimitIsBelowValueLimit() {
        XCTAssertLessThan(LogLimits.recordKeyBytesMax, LogLimits.recordValueBytesMax)
    }
}
