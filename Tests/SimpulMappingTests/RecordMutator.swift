import SimpulTestSupport
@testable import SimpulMapping

/// Breaks a JSON document in one random place: drops or adds a member, swaps a value for
/// a troublesome one (wrong type, impossible date, 17 digits, full-width digits, …), or
/// edits a string, number or array. Some mutations leave the document valid; the
/// differential test only asks that both validators agree.
enum RecordMutator {
    static let troublesome: [JSONValue] = [
        .null, .bool(true), .number("0"), .number("-1"), .number("1.5"), .number("101"), .number("1e2"),
        .number("2.0"), .string(""), .string("x"), .string("2024-02-30"), .string("2024-02-29"), .string("2023-02-29"),
        .string("2024-02-13T25:00:00Z"), .string("2024-02-13T10:00:00"), .string("2024-02-13t10:00:00z"),
        .string("2024-02-13T10:00:00.123+08:00"), .string("0000-01-01"), .string("6471010101900001"),
        .string("12345678901234567"), .string("６４７１０１"), .string("R-3"), .string("approved"), .string("issued"),
        .string("male"), .string("EPSG:32750"), .string("64.71.01.1001"), .string("64.71.1"), .string("1234567890123"),
        .string("47111"), .string("005"), .array([]), .array([.number("117"), .number("-1")]),
        .object(JSONObject()), .string(String(repeating: "a", count: 301)),
    ]

    static func mutate(_ value: JSONValue, using random: inout SeededRandom) -> JSONValue {
        var paths: [[PathStep]] = []
        collect(value, [], into: &paths)
        let path = paths[Int.random(in: 0..<paths.count, using: &random)]
        return apply(value, path[...], using: &random)
    }

    enum PathStep { case key(String), index(Int) }

    private static func collect(_ value: JSONValue, _ path: [PathStep], into paths: inout [[PathStep]]) {
        paths.append(path)
        switch value {
        case .object(let object): for member in object.members { collect(member.value, path + [.key(member.key)], into: &paths) }
        case .array(let items): for (index, item) in items.enumerated() { collect(item, path + [.index(index)], into: &paths) }
        default: break
        }
    }

    private static func apply(_ value: JSONValue, _ path: ArraySlice<PathStep>, using random: inout SeededRandom) -> JSONValue {
        guard let step = path.first else { return change(value, using: &random) }
        switch (value, step) {
        case (.object(var object), .key(let key)):
            if let child = object[key] { object[key] = apply(child, path.dropFirst(), using: &random) }
            return .object(object)
        case (.array(var items), .index(let index)):
            items[index] = apply(items[index], path.dropFirst(), using: &random)
            return .array(items)
        default:
            return value
        }
    }

    private static func change(_ value: JSONValue, using random: inout SeededRandom) -> JSONValue {
        let roll = Int.random(in: 0..<10, using: &random)
        switch (value, roll) {
        case (.object(var object), 0...3) where !object.isEmpty:
            object.members.remove(at: Int.random(in: 0..<object.members.count, using: &random))
            return .object(object)
        case (.object(var object), 4...5):
            object["unexpectedField"] = .string("x")
            return .object(object)
        case (.array(var items), 0...3) where !items.isEmpty:
            items.remove(at: Int.random(in: 0..<items.count, using: &random))
            return .array(items)
        case (.array(var items), 4...5) where !items.isEmpty:
            items.append(items[0])
            return .array(items)
        case (.string(let text), 0...5):
            return .string(edit(text, using: &random))
        case (.number(let text), 0...3):
            return .number(text.hasPrefix("-") ? String(text.dropFirst()) : "-" + text)
        default:
            return troublesome[Int.random(in: 0..<troublesome.count, using: &random)]
        }
    }

    private static func edit(_ text: String, using random: inout SeededRandom) -> String {
        switch Int.random(in: 0..<6, using: &random) {
        case 0: return text + "x"
        case 1: return String(text.dropLast())
        case 2: return text.replacingFirstDigit(with: "a")
        case 3: return text + "\n"
        case 4: return " " + text
        default: return text.uppercased()
        }
    }
}

private extension String {
    func replacingFirstDigit(with replacement: Character) -> String {
        guard let index = firstIndex(where: \.isASCIIDigitCharacter) else { return self + "0" }
        var copy = self
        copy.replaceSubrange(index...index, with: String(replacement))
        return copy
    }
}

private extension Character {
    var isASCIIDigitCharacter: Bool { ("0"..."9").contains(self) }
}
