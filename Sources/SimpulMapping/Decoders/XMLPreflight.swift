/// Checks an XML input for what FoundationXML's parser traps on instead of reporting,
/// so those inputs fail with a located `DecodeError` (both found by fuzzing):
/// - invalid UTF-8 in names;
/// - a processing instruction with no data (`<?name?>`): the parser reads a null string.
enum XMLPreflight {
    static func check(_ bytes: UnsafeBufferPointer<UInt8>) -> DecodeError? {
        if let invalid = UTF8Check.firstInvalidOffset(bytes) {
            let (line, column) = ByteLocator.locate(bytes, offset: invalid)
            return DecodeError(format: .xml, line: line, column: column, message:
                "invalid UTF-8 (byte 0x\(String(bytes[invalid], radix: 16, uppercase: true))); re-export the file as UTF-8")
        }
        if let instruction = firstEmptyProcessingInstruction(bytes) {
            let (line, column) = ByteLocator.locate(bytes, offset: instruction)
            return DecodeError(format: .xml, line: line, column: column, message:
                "a processing instruction without data (<?name?>) is not supported; remove it")
        }
        return nil
    }

    /// Offset of the first `<?…?>` holding no whitespace, or nil.
    static func firstEmptyProcessingInstruction(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var index = 0
        while index + 1 < bytes.count {
            guard bytes[index] == UInt8(ascii: "<"), bytes[index + 1] == UInt8(ascii: "?") else {
                index += 1
                continue
            }
            var cursor = index + 2
            var sawSpace = false
            while cursor + 1 < bytes.count, !(bytes[cursor] == UInt8(ascii: "?") && bytes[cursor + 1] == UInt8(ascii: ">")) {
                if bytes[cursor].isASCIIWhitespace { sawSpace = true; break }
                cursor += 1
            }
            if !sawSpace { return index }
            index = cursor
        }
        return nil
    }
}
