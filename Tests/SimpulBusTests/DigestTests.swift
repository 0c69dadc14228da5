import XCTest
import SimpulDelivery
import SimpulMapping
import SimpulTestSupport

/// Goal: libcrypto's SHA-256 (`Digest`, used for event data hashes and token hashes) gives
/// the FIPS 180-2 test vectors and exactly the digests of SimpulMapping's portable `SHA256`,
/// which earlier data directories were written with, across block boundaries.
final class DigestTests: XCTestCase {
    func testKnownVectors() {
        XCTAssertEqual(Digest.sha256Hex([UInt8]()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(Digest.sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(Digest.sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    func testSameDigestsAsThePortableSHA256() {
        var random = SimpulTestSupport.SeededRandom(seed: UInt64.random(in: 0...UInt64.max))
        for length in Array(0...130) + (0..<50).map({ _ in Int.random(in: 131...5000, using: &random) }) {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            XCTAssertEqual(Digest.sha256Hex(bytes), SHA256.hex(SHA256.hash(bytes)), "seed \(random.seed), length \(length)")
        }
    }
}
