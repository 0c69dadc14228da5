import Synchronization

/// A compiled path into a source record: `NIK` (a CSV column or JSON member),
/// `$.pemohon.nik` (JSONPath style, the same as `pemohon.nik`),
/// `pemohon.nik`, `disposisi.item`, `features[0]`, `.` (the current element) and
/// `$root.crs.properties.name` (the whole input document, e.g. a FeatureCollection).
///
/// XML attributes are members too (`berkas.nama`). Member names that contain dots are
/// written in brackets: `["a.b"]`.
///
/// A class: rules pass paths around per record, and one reference is cheaper to retain
/// than a struct's members.
final class SourcePath: Sendable, CustomStringConvertible {
    enum Segment: Sendable {
        case key(String, KeyHint)
        case index(Int)
    }

    /// Where a member name was found last time. Records of one batch (a CSV above all)
    /// put their members in the same order, so the first comparison usually hits; a miss
    /// falls back to the scan. Relaxed atomics: the hint is advice, never a result.
    final class KeyHint: Sendable {
        let index = Atomic<Int>(0)
    }

    let segments: [Segment]
    let fromRoot: Bool
    let description: String

    init(segments: [Segment], fromRoot: Bool, description: String) {
        self.segments = segments
        self.fromRoot = fromRoot
        self.description = description
    }

    /// Parses `text`; `nil` with a reason when it is not a path.
    static func parse(_ text: String) -> Result<SourcePath, PathError> {
        var rest = Substring(text)
        var fromRoot = false
        if rest == "." { return .success(SourcePath(segments: [], fromRoot: false, description: text)) }
        if rest.hasPrefix("$.") || rest.hasPrefix("$[") {
            // JSONPath's `$` is the current record here (`$root` is the whole document).
            rest = rest.dropFirst(rest.hasPrefix("$.") ? 2 : 1)
        } else if rest.hasPrefix("$root") {
            fromRoot = true
            rest = rest.dropFirst(5)
            if rest.hasPrefix(".") { rest = rest.dropFirst() }
        }
        var segments: [Segment] = []
        while !rest.isEmpty {
            if rest.hasPrefix("[") {
                guard let close = rest.firstIndex(of: "]") else { return .failure("unclosed '[' in path \"\(text)\"") }
                let inner = rest[rest.index(after: rest.startIndex)..<close]
                if inner.hasPrefix("\""), inner.hasSuffix("\""), inner.count >= 2 {
                    segments.append(.key(String(inner.dropFirst().dropLast()), KeyHint()))
                } else if let index = Int(inner), index >= 0 {
                    segments.append(.index(index))
                } else {
                    return .failure("\"[\(inner)]\" in path \"\(text)\" is neither an index nor a quoted name")
                }
                rest = rest[rest.index(after: close)...]
                if rest.hasPrefix(".") { rest = rest.dropFirst() }
                continue
            }
            let end = rest.firstIndex(where: { $0 == "." || $0 == "[" }) ?? rest.endIndex
            let name = rest[..<end]
            guard !name.isEmpty else { return .failure("empty name in path \"\(text)\"") }
            segments.append(.key(String(name), KeyHint()))
            rest = rest[end...]
            if rest.hasPrefix(".") { rest = rest.dropFirst() }
        }
        return .success(SourcePath(segments: segments, fromRoot: fromRoot, description: text))
    }

    /// The value at this path, or nil when any step is missing.
    @inline(__always)
    func resolve(in current: JSONValue, root: JSONValue) -> JSONValue? {
        var value = fromRoot ? root : current
        for segment in segments {
            switch segment {
            case .key(let name, let hint):
                guard case .object(let object) = value else { return nil }
                guard let found = Self.member(name, hint: hint, in: object) else { return nil }
                value = found
            case .index(let index):
                guard case .array(let elements) = value, index < elements.count else { return nil }
                value = elements[index]
            }
        }
        return value
    }

    @inline(__always)
    private static func member(_ name: String, hint: KeyHint, in object: JSONObject) -> JSONValue? {
        object.members.withUnsafeBufferPointer { members in
            let guess = hint.index.load(ordering: .relaxed)
            if guess < members.count, members[guess].key == name { return members[guess].value }
            guard let found = members.firstIndex(where: { $0.key == name }) else { return nil }
            hint.index.store(found, ordering: .relaxed)
            return members[found].value
        }
    }
}
