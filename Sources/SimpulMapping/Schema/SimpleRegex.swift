/// A matcher for the small regular-expression subset the schemas use, run on UTF-8
/// bytes without the ICU engine (which costs microseconds per call through NSString):
/// ASCII literals and escaped punctuation, classes `[A-Za-z0-9._+-]`, groups `( | )`
/// and `(?: )`, quantifiers `? * + {n} {n,} {n,m}`, `^` at the start and `$` at the end.
///
/// Anything else (`.`, `\d`, negated classes, lazy quantifiers, inner anchors, non-ASCII)
/// makes `init` return nil, and `PatternMatcher` falls back to NSRegularExpression.
/// Matching backtracks within a step budget (`stepsMax`); past it the caller falls back
/// to ICU, so a pathological pattern costs time, never a wrong answer. Semantics follow ECMA-262 / ICU /
/// Python `re` for this subset: a search anywhere unless anchored, and `$` also matches
/// before one final newline.
struct SimpleRegex: Sendable {
    indirect enum Node: Sendable {
        case byteSet(UInt64, UInt64)            // ASCII bitmap: bytes 0–63, 64–127
        case group([[Term]])                     // alternatives, each a sequence
    }

    struct Term: Sendable {
        var node: Node
        var minimum: Int
        var maximum: Int                         // Int.max for unbounded
    }

    private let alternatives: [[Term]]
    private let anchoredStart: Bool
    private let anchoredEnd: Bool

    init?(_ pattern: String) {
        var bytes = Array(pattern.utf8)
        guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
        anchoredStart = bytes.first == UInt8(ascii: "^")
        if anchoredStart { bytes.removeFirst() }
        // A final unescaped `$` anchors the end.
        let escapedEnd = bytes.count >= 2 && bytes[bytes.count - 2] == UInt8(ascii: "\\")
        anchoredEnd = bytes.last == UInt8(ascii: "$") && !escapedEnd
        if anchoredEnd { bytes.removeLast() }
        var parser = Parser(bytes: bytes)
        guard let parsed = parser.parseAlternatives(depth: 0), parser.index == bytes.count,
              parsed.count == 1 || (!anchoredStart && !anchoredEnd)
        else { return nil }
        alternatives = parsed
    }

    /// Backtracking steps allowed per call before giving up (nil: the caller then asks
    /// ICU). The schemas' patterns need a few dozen; the cap only guards against a
    /// pathological pattern added later.
    static let stepsMax = 20_000

    /// True when the pattern matches somewhere in `text` (anchors respected); nil when the
    /// step budget ran out.
    func matches(_ text: String) -> Bool? {
        var text = text
        return text.withUTF8 { bytes -> Bool? in
            // The budget is shared by the nested continuations through a pointer to this
            // stack variable (an inout would conflict with the closures' captures).
            var steps = SimpleRegex.stepsMax
            return withUnsafeMutablePointer(to: &steps) { budget -> Bool? in
                let finalNewline = bytes.last == 0x0A
                let starts = anchoredStart ? 0...0 : 0...bytes.count
                for start in starts {
                    let found = SimpleRegex.matchAlternatives(alternatives, start, bytes, budget) { end in
                        !anchoredEnd || end == bytes.count || (finalNewline && end == bytes.count - 1)
                    }
                    if found { return true }
                    if budget.pointee <= 0 { return nil }
                }
                return false
            }
        }
    }

    // MARK: - Backtracking with non-escaping continuations (no heap allocation)

    private static func matchAlternatives(
        _ alternatives: [[Term]], _ position: Int, _ bytes: UnsafeBufferPointer<UInt8>, _ budget: UnsafeMutablePointer<Int>,
        _ next: (Int) -> Bool
    ) -> Bool {
        for sequence in alternatives where matchSequence(sequence, 0, position, bytes, budget, next) {
            return true
        }
        return false
    }

    private static func matchSequence(
        _ sequence: [Term], _ termIndex: Int, _ position: Int, _ bytes: UnsafeBufferPointer<UInt8>, _ budget: UnsafeMutablePointer<Int>,
        _ next: (Int) -> Bool
    ) -> Bool {
        budget.pointee -= 1
        guard budget.pointee > 0 else { return false }
        guard termIndex < sequence.count else { return next(position) }
        return matchTerm(sequence[termIndex], 0, position, bytes, budget) { end in
            matchSequence(sequence, termIndex + 1, end, bytes, budget, next)
        }
    }

    /// Greedy: one more repetition first, then stop once the minimum is met.
    private static func matchTerm(
        _ term: Term, _ count: Int, _ position: Int, _ bytes: UnsafeBufferPointer<UInt8>, _ budget: UnsafeMutablePointer<Int>,
        _ next: (Int) -> Bool
    ) -> Bool {
        budget.pointee -= 1
        guard budget.pointee > 0 else { return false }
        if count < term.maximum {
            let matched = matchNode(term.node, position, bytes, budget) { end in
                // An empty repetition past the minimum cannot help and would loop forever.
                (end != position || count < term.minimum) && matchTerm(term, count + 1, end, bytes, budget, next)
            }
            if matched { return true }
        }
        return count >= term.minimum && next(position)
    }

    private static func matchNode(
        _ node: Node, _ position: Int, _ bytes: UnsafeBufferPointer<UInt8>, _ budget: UnsafeMutablePointer<Int>,
        _ next: (Int) -> Bool
    ) -> Bool {
        switch node {
        case .byteSet(let low, let high):
            guard position < bytes.count else { return false }
            let byte = bytes[position]
            let hit = byte < 64 ? low & (1 << UInt64(byte)) != 0 : byte < 128 && high & (1 << UInt64(byte - 64)) != 0
            return hit && next(position + 1)
        case .group(let alternatives):
            return matchAlternatives(alternatives, position, bytes, budget, next)
        }
    }

    // MARK: - Parser

    private struct Parser {
        let bytes: [UInt8]
        var index = 0

        mutating func parseAlternatives(depth: Int) -> [[Term]]? {
            guard depth < 16 else { return nil }
            var alternatives: [[Term]] = [[]]
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: ")") { break }
                if byte == UInt8(ascii: "|") {
                    index += 1
                    alternatives.append([])
                    continue
                }
                guard let node = parseAtom(depth: depth), let term = parseQuantifier(node) else { return nil }
                alternatives[alternatives.count - 1].append(term)
            }
            return alternatives
        }

        mutating func parseAtom(depth: Int) -> Node? {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "("):
                if index + 1 < bytes.count, bytes[index] == UInt8(ascii: "?") {
                    guard bytes[index + 1] == UInt8(ascii: ":") else { return nil }
                    index += 2
                }
                guard let inner = parseAlternatives(depth: depth + 1), index < bytes.count,
                      bytes[index] == UInt8(ascii: ")") else { return nil }
                index += 1
                return .group(inner)
            case UInt8(ascii: "["):
                return parseClass()
            case UInt8(ascii: "\\"):
                guard let literal = parseEscape() else { return nil }
                return SimpleRegex.set([literal])
            case UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "$"), UInt8(ascii: "?"), UInt8(ascii: "*"),
                 UInt8(ascii: "+"), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "]"), UInt8(ascii: ")"):
                return nil
            default:
                return SimpleRegex.set([byte])
            }
        }

        /// An escaped punctuation byte; letters and digits (`\d`, `\w`, `\1`) are not supported.
        mutating func parseEscape() -> UInt8? {
            guard index < bytes.count else { return nil }
            let byte = bytes[index]
            index += 1
            let isAlphanumeric = (byte | 0x20) &- UInt8(ascii: "a") < 26 || byte &- 0x30 <= 9
            return isAlphanumeric ? nil : byte
        }

        mutating func parseClass() -> Node? {
            guard index < bytes.count, bytes[index] != UInt8(ascii: "^") else { return nil }
            var members: [UInt8] = []
            var first = true
            while index < bytes.count, bytes[index] != UInt8(ascii: "]") || first {
                first = false
                var low = bytes[index]
                index += 1
                if low == UInt8(ascii: "\\") { guard let escaped = parseEscape() else { return nil }; low = escaped }
                if low == UInt8(ascii: "["), index < bytes.count, bytes[index] == UInt8(ascii: ":") { return nil }
                if index + 1 < bytes.count, bytes[index] == UInt8(ascii: "-"), bytes[index + 1] != UInt8(ascii: "]") {
                    index += 1
                    var high = bytes[index]
                    index += 1
                    if high == UInt8(ascii: "\\") { guard let escaped = parseEscape() else { return nil }; high = escaped }
                    guard low <= high else { return nil }
                    members += Array(low...high)
                } else {
                    members.append(low)
                }
            }
            guard index < bytes.count else { return nil }
            index += 1
            return SimpleRegex.set(members)
        }

        mutating func parseQuantifier(_ node: Node) -> Term? {
            guard index < bytes.count else { return Term(node: node, minimum: 1, maximum: 1) }
            var term: Term
            switch bytes[index] {
            case UInt8(ascii: "?"): index += 1; term = Term(node: node, minimum: 0, maximum: 1)
            case UInt8(ascii: "*"): index += 1; term = Term(node: node, minimum: 0, maximum: .max)
            case UInt8(ascii: "+"): index += 1; term = Term(node: node, minimum: 1, maximum: .max)
            case UInt8(ascii: "{"):
                guard let close = bytes[index...].firstIndex(of: UInt8(ascii: "}")) else { return nil }
                let inside = String(decoding: bytes[(index + 1)..<close], as: UTF8.self)
                let parts = inside.split(separator: ",", omittingEmptySubsequences: false)
                guard (1...2).contains(parts.count), let low = Int(parts[0]), low <= 1000 else { return nil }
                let high = parts.count == 1 ? low : (parts[1].isEmpty ? Int.max : Int(parts[1]) ?? -1)
                guard high >= low else { return nil }
                index = close + 1
                term = Term(node: node, minimum: low, maximum: high)
            default:
                return Term(node: node, minimum: 1, maximum: 1)
            }
            // Lazy or possessive suffixes, and stacked quantifiers, are left to ICU.
            if index < bytes.count, [UInt8(ascii: "?"), UInt8(ascii: "+"), UInt8(ascii: "*"), UInt8(ascii: "{")].contains(bytes[index]) {
                return nil
            }
            return term
        }
    }

    private static func set(_ members: [UInt8]) -> Node {
        var low: UInt64 = 0
        var high: UInt64 = 0
        for byte in members {
            if byte < 64 { low |= 1 << UInt64(byte) } else { high |= 1 << UInt64(byte - 64) }
        }
        return .byteSet(low, high)
    }
}
