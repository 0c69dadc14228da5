import XCTest
@testable import SimpulMapping

/// Goal: object members keep their order and can be replaced or removed by key.
final class JSONValueTests: XCTestCase {
    func testObjectKeepsOrderAndReplacesInPlace() {
        var object = JSONObject([("b", .number("1")), ("a", .string("x"))])
        object["b"] = .bool(true)
        object["c"] = .null
        XCTAssertEqual(object.keys, ["b", "a", "c"])
        object["a"] = nil
        XCTAssertEqual(object.keys, ["b", "c"])
        XCTAssertEqual(JSONValue.object(object)["b"], .bool(true))
    }
}
