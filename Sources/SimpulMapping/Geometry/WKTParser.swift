/// Reads WKT `POLYGON` and `MULTIPOLYGON`, optionally with an EWKT `SRID=32750;` prefix
/// and a `Z`/`M`/`ZM` tag (extra ordinates are read and dropped). Keywords are
/// case-insensitive. Works on UTF-8 bytes; errors name the 1-based character position.
///
/// ```
/// geometry := ["SRID=" digits ";"] ("POLYGON" tag body | "MULTIPOLYGON" tag multi)
/// body     := "EMPTY" | "(" ring ("," ring)* ")"
/// multi    := "EMPTY" | "(" body ("," body)* ")"
/// ring     := "(" position ("," position)* ")"
/// position := number number [number [number]]
/// ```
struct WKTParser {
    private let bytes: [UInt8]
    private let text: String
    private var index = 0
    /// Ordinates per position: from the `Z`/`M`/`ZM` tag, else from the first position;
    /// every position must then have the same count (so a missing comma is an error,
    /// not a silent Z value).
    private var dimensions: Int?

    /// Inputs longer than this are refused: a parcel has hundreds of vertices, not millions.
    static let textBytesMax = 8 << 20

    init(_ text: String) {
        self.text = text
        self.bytes = Array(text.utf8)
    }

    static func parse(_ text: String) -> Result<SourceGeometry, GeometryParseError> {
        var parser = WKTParser(text)
        do {
            return .success(try parser.parseGeometry())
        } catch {
            return .failure(error)
        }
    }

    private mutating func parseGeometry() throws(GeometryParseError) -> SourceGeometry {
        guard bytes.count <= WKTParser.textBytesMax else {
            throw GeometryParseError(location: "character 1", reason: "WKT of \(bytes.count) bytes exceeds the limit of \(WKTParser.textBytesMax)")
        }
        skipSpaces()
        var srid: Int?
        if matchKeyword("SRID") {
            try expect(UInt8(ascii: "="))
            srid = try readInteger()
            try expect(UInt8(ascii: ";"))
        }
        skipSpaces()
        let geometry: SourceGeometry
        if matchKeyword("MULTIPOLYGON") {
            skipDimensionTag()
            geometry = SourceGeometry(kind: .multiPolygon, polygons: try readMultiPolygon(), srid: srid)
        } else if matchKeyword("POLYGON") {
            skipDimensionTag()
            let polygon = try readPolygon()
            geometry = SourceGeometry(kind: .polygon, polygons: polygon.map { [$0] } ?? [], srid: srid)
        } else {
            throw failure("expected POLYGON or MULTIPOLYGON")
        }
        skipSpaces()
        guard index == bytes.count else { throw failure("unexpected text after the geometry") }
        return geometry
    }

    private mutating func readMultiPolygon() throws(GeometryParseError) -> [SourcePolygon] {
        if matchKeyword("EMPTY") { return [] }
        try expect(UInt8(ascii: "("))
        var polygons: [SourcePolygon] = []
        repeat {
            if let polygon = try readPolygon() { polygons.append(polygon) }
        } while try separatorOrEnd()
        return polygons
    }

    /// A polygon body; nil for `EMPTY`.
    private mutating func readPolygon() throws(GeometryParseError) -> SourcePolygon? {
        if matchKeyword("EMPTY") { return nil }
        try expect(UInt8(ascii: "("))
        var rings: [[SourcePosition]] = []
        repeat {
            try expect(UInt8(ascii: "("))
            var ring: [SourcePosition] = []
            repeat {
                ring.append(try readPosition())
            } while try separatorOrEnd()
            rings.append(ring)
        } while try separatorOrEnd()
        return SourcePolygon(rings: rings)
    }

    private mutating func readPosition() throws(GeometryParseError) -> SourcePosition {
        let start = index
        let (x, xText) = try readNumber()
        let (y, yText) = try readNumber()
        var count = 2
        // Optional Z and M ordinates: read so that their syntax is checked, then dropped.
        while count < (dimensions ?? 4) {
            skipSpaces()
            guard index < bytes.count, bytes[index] != UInt8(ascii: ","), bytes[index] != UInt8(ascii: ")") else { break }
            _ = try readNumber()
            count += 1
        }
        if let dimensions, count != dimensions {
            index = start
            throw failure("a position here needs \(dimensions) numbers, found \(count)")
        }
        dimensions = count
        return SourcePosition(x: x, y: y, xText: xText, yText: yText)
    }

    /// After an element: `,` → true (another follows), `)` → false (list closed).
    private mutating func separatorOrEnd() throws(GeometryParseError) -> Bool {
        skipSpaces()
        guard index < bytes.count else { throw failure("unexpected end; expected ',' or ')'") }
        switch bytes[index] {
        case UInt8(ascii: ","): index += 1; return true
        case UInt8(ascii: ")"): index += 1; return false
        default: throw failure("expected ',' or ')'")
        }
    }

    private mutating func readNumber() throws(GeometryParseError) -> (Double, Substring) {
        skipSpaces()
        let start = index
        while index < bytes.count, WKTParser.isNumberByte(bytes[index]) { index += 1 }
        let token = Substring(decoding: bytes[start..<index], as: UTF8.self)
        guard !token.isEmpty else { index = start; throw failure("expected a number") }
        guard let value = Double(token), value.isFinite else {
            index = start
            throw failure("'\(token)' is not a number")
        }
        return (value, token)
    }

    private mutating func readInteger() throws(GeometryParseError) -> Int {
        skipSpaces()
        let start = index
        while index < bytes.count, bytes[index] &- 0x30 <= 9 { index += 1 }
        guard index > start, index - start <= 9,
              let value = Int(Substring(decoding: bytes[start..<index], as: UTF8.self))
        else { index = start; throw failure("expected an SRID number") }
        return value
    }

    private mutating func expect(_ byte: UInt8) throws(GeometryParseError) {
        skipSpaces()
        guard index < bytes.count, bytes[index] == byte else {
            throw failure("expected '\(Character(Unicode.Scalar(byte)))'")
        }
        index += 1
    }

    /// Consumes `keyword` (case-insensitive) when it is next and not followed by a letter.
    private mutating func matchKeyword(_ keyword: String) -> Bool {
        skipSpaces()
        let word = Array(keyword.utf8)
        guard index + word.count <= bytes.count else { return false }
        for (offset, letter) in word.enumerated() where bytes[index + offset] & 0xDF != letter {
            return false
        }
        let end = index + word.count
        if end < bytes.count, WKTParser.isLetter(bytes[end]) { return false }
        index = end
        return true
    }

    private mutating func skipDimensionTag() {
        if matchKeyword("ZM") {
            dimensions = 4
        } else if matchKeyword("Z") || matchKeyword("M") {
            dimensions = 3
        }
    }

    private mutating func skipSpaces() {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }

    private func failure(_ reason: String) -> GeometryParseError {
        GeometryParseError(location: "character \(index + 1) of the WKT", reason: reason)
    }

    private static func isNumberByte(_ byte: UInt8) -> Bool {
        byte &- 0x30 <= 9 || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-")
            || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte | 0x20) &- UInt8(ascii: "a") < 26
    }
}
