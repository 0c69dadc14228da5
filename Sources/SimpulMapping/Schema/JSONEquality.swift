/// JSON equality as JSON Schema defines it for `enum` and `const`: numbers by value
/// (`1` equals `1.0`), objects regardless of member order, booleans never equal numbers.
enum JSONEquality {
    static func equal(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.number(let a), .number(let b)):
            if a == b { return true }
            guard let x = Double(a), let y = Double(b) else { return false }
            return x == y
        case (.array(let a), .array(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { equal($0, $1) }
        case (.object(let a), .object(let b)):
            guard a.members.count == b.members.count else { return false }
            return a.members.allSatisfy { member in
                guard let other = b[member.key] else { return false }
                return equal(member.value, other)
            }
        default:
            return false
        }
    }
}
