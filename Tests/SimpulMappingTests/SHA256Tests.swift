import XCTest
@testable import SimpulMapping

/// Goal: the pure-Swift SHA-256 matches the FIPS 180-4 / NIST test vectors, including
/// inputs that straddle block boundaries and are fed in pieces.
final class SHA256Tests: XCTestCase {
    func testNISTVectors() {
        let cases: [(String, String)] = [
            ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
             "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
            ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
             "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
        ]
        for (input, expected) in cases {
            XCTAssertEqual(SHA256.hex(SHA256.hash(Array(input.utf8))), expected, input)
        }
    }

    func testMillionAsFedInUnevenPieces() {
        var hasher = SHA256()
        var remaining = 1_000_000
        var piece = 1
        while remaining > 0 {
            let count = min(piece, remaining)
            hasher.update([UInt8](repeating: UInt8(ascii: "a"), count: count))
            remaining -= count
            piece = piece % 173 + 7
        }
        XCTAssertEqual(SHA256.hex(hasher.finalize()), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    func testEveryLengthAroundTheBlockBoundaryIsStable() {
        // 55, 56 and 64 bytes are where padding spills into a second block.
        for length in 50...70 {
            let bytes = [UInt8](repeating: 0x61, count: length)
            var split = SHA256()
            split.update(bytes.prefix(length / 3))
            split.update(bytes.dropFirst(length / 3))
            XCTAssertEqual(split.finalize(), SHA256.hash(bytes), "length \(length)")
        }
        XCTAssertEqual(SHA256.hex(SHA256.hash([UInt8](repeating: 0x61, count: 55))),
                       "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318")
        XCTAssertEqual(SHA256.hex(SHA256.hash([UInt8](repeating: 0x61, count: 56))),
                       "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a")
    }
}
