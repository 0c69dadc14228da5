import SimpulDelivery
import SimpulMapping

/// The bytes of events on the bus and the hashes that identify their content.
enum EventCodec {
    /// Hex SHA-256 of an event's canonical `data` bytes.
    static func dataHash(_ dataBytes: [UInt8]) -> String {
        Digest.sha256Hex(dataBytes)
    }

    /// The same hash, taken from a stored CloudEvent: `data` is its last member (see
    /// `CloudEvent.write`), and `,"data":` cannot occur earlier because every member before
    /// it is a string, whose quotes are escaped.
    static func dataHash(ofEventJSON bytes: [UInt8]) -> String {
        let marker = Array(",\"data\":".utf8)
        guard bytes.count > marker.count else { return dataHash(bytes) }
        for start in 0...(bytes.count - marker.count) where bytes[start] == marker[0] {
            if bytes[start..<(start + marker.count)].elementsEqual(marker) {
                return dataHash(Array(bytes[(start + marker.count)..<(bytes.count - 1)]))
            }
        }
        return dataHash(bytes)
    }

    static func encode(_ event: CloudEvent) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(event.dataBytes.count + 400)
        event.write(into: &bytes)
        return bytes
    }
}
