import XCTest
@testable import SimpulBus
import SimpulMapping

/// Goal: the HMAC behind field-policy pseudonyms is the standard one (RFC 4231 vectors).
final class HMACTests: XCTestCase {
    func testRFC4231Vectors() {
        let first = HMAC.sha256(key: [UInt8](repeating: 0x0b, count: 20), message: Array("Hi There".utf8))
        XCTAssertEqual(SHA256.hex(first), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        let second = HMAC.sha256(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
        XCTAssertEqual(SHA256.hex(second), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        let longKey = HMAC.sha256(key: [UInt8](repeating: 0xaa, count: 131),
                                  message: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8))
        XCTAssertEqual(SHA256.hex(longKey), "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }
}
