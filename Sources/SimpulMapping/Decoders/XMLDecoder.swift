import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Reads an XML export into JSON trees through FoundationXML's `XMLParser`.
///
/// Shape: an element with only text becomes a string; an element with children or
/// attributes becomes an object whose members are its attributes (sorted by name, as
/// the parser does not keep their order), then its children in document order; a child
/// name that repeats becomes an array at the place of its first occurrence; text beside
/// children is kept under `#text`. External entities are never resolved.
public enum XMLRecordDecoder {
    /// Decodes `input` and returns one record per `recordElement`: the root itself when
    /// it has that name, otherwise each child of the root with that name.
    /// - Throws: `DecodeError` with the parser's line and column.
    public static func decode(_ input: [UInt8], recordElement: String) throws(DecodeError) -> DecodedInput {
        try JSONRecordDecoder.checkSize(input, format: .xml)
        if let failure = input.withUnsafeBufferPointer({ XMLPreflight.check($0) }) { throw failure }
        let builder = XMLTreeBuilder(recordElement: recordElement)
        let parser = XMLParser(data: Data(input))
        parser.shouldResolveExternalEntities = false
        parser.shouldProcessNamespaces = false
        parser.delegate = builder
        let parsed = parser.parse()
        if let failure = builder.failure {
            throw failure
        }
        guard parsed, let root = builder.root else {
            let detail = parser.parserError.map { " (\(($0 as NSError).code): \($0.localizedDescription))" } ?? ""
            throw DecodeError(format: .xml, line: max(parser.lineNumber, 1), column: max(parser.columnNumber, 1),
                              message: "malformed XML\(detail); check that every element is closed, the file is complete and it is UTF-8")
        }
        let records: [SourceRecord]
        if root.name == recordElement {
            records = [SourceRecord(value: root.value, position: 1, line: root.line)]
        } else {
            records = root.recordChildren.enumerated().map { SourceRecord(value: $1.value, position: $0 + 1, line: $1.line) }
            guard !records.isEmpty else {
                throw DecodeError(format: .xml, line: root.line, message:
                    "the root <\(root.name)> holds no <\(recordElement)> element; expected <\(recordElement)> or a list of them")
            }
        }
        try JSONRecordDecoder.checkCount(records.count, format: .xml)
        return DecodedInput(format: .xml, records: records, root: root.value)
    }
}

/// The parser delegate: a stack of open elements. Used on one thread, by one parse.
private final class XMLTreeBuilder: NSObject, XMLParserDelegate {
    struct Element {
        var name: String
        var line: Int
        var attributes: [(key: String, value: JSONValue)]
        var children: [(key: String, value: JSONValue)] = []
        var text = ""
    }

    struct Root {
        var name: String
        var line: Int
        var value: JSONValue
        var recordChildren: [(value: JSONValue, line: Int)]
    }

    let recordElement: String
    var stack: [Element] = []
    var root: Root?
    var recordChildren: [(value: JSONValue, line: Int)] = []
    var failure: DecodeError?

    init(recordElement: String) {
        self.recordElement = recordElement
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        guard stack.count < DecodeLimits.nestingDepthMax else {
            failure = DecodeError(format: .xml, line: parser.lineNumber, column: parser.columnNumber, message:
                "elements nested deeper than \(DecodeLimits.nestingDepthMax) levels (DecodeLimits.nestingDepthMax)")
            parser.abortParsing()
            return
        }
        let attributes = attributeDict.sorted { $0.key < $1.key }.map { (key: $0.key, value: JSONValue.string($0.value)) }
        stack.append(Element(name: elementName, line: parser.lineNumber, attributes: attributes))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        guard !stack.isEmpty else { return }
        stack[stack.count - 1].text += string
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        guard !stack.isEmpty else { return }
        stack[stack.count - 1].text += String(decoding: CDATABlock, as: UTF8.self)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        guard let element = stack.popLast() else { return }
        let value = Self.value(of: element)
        if stack.isEmpty {
            root = Root(name: element.name, line: element.line, value: value, recordChildren: recordChildren)
            return
        }
        if stack.count == 1 && element.name == recordElement {
            recordChildren.append((value, element.line))
        }
        Self.add(child: element.name, value: value, to: &stack[stack.count - 1].children)
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
        guard failure == nil else { return }
        failure = DecodeError(format: .xml, line: max(parser.lineNumber, 1), column: max(parser.columnNumber, 1), message:
            "malformed XML (code \((parseError as NSError).code)); check that every element is closed, the file is complete and it is UTF-8")
    }

    static func value(of element: Element) -> JSONValue {
        if element.children.isEmpty && element.attributes.isEmpty { return .string(element.text) }
        var members = element.attributes + element.children
        let text = element.text.trimmingASCIIWhitespace()
        if !text.isEmpty { members.append((key: "#text", value: .string(text))) }
        return .object(JSONObject(members))
    }

    /// An element's own value is never an array (elements map to strings or objects),
    /// so an array among the children always means "this name repeats".
    static func add(child name: String, value: JSONValue, to children: inout [(key: String, value: JSONValue)]) {
        guard let existing = children.firstIndex(where: { $0.key == name }) else {
            children.append((name, value))
            return
        }
        if case .array(var elements) = children[existing].value {
            elements.append(value)
            children[existing].value = .array(elements)
        } else {
            children[existing].value = .array([children[existing].value, value])
        }
    }
}
