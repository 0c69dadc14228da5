/// A named Kemendagri region.
public struct Region: Sendable, Hashable {
    /// Administrative level, from the number of dotted parts of the code.
    public enum Level: Int, Sendable, Hashable {
        case province = 1, city, district, village
    }

    /// Dotted code: `64`, `64.71`, `64.71.01`, `64.71.01.1001`.
    public let code: String
    /// The name as DOMAIN.md spells it (`Gunung Sari Ulu`).
    public let name: String
    /// The level the code denotes.
    public var level: Level { Region.level(of: code) ?? .province }

    public init(code: String, name: String) {
        self.code = code
        self.name = name
    }

    /// The level of a dotted code, or nil when it is not one (`64.7`, `6471`).
    public static func level(of code: String) -> Level? {
        let parts = code.split(separator: ".", omittingEmptySubsequences: false)
        let widths = [2, 2, 2, 4]
        guard (1...4).contains(parts.count) else { return nil }
        for (index, part) in parts.enumerated() where !Digits.isDigits(String(part), count: widths[index]) {
            return nil
        }
        return Level(rawValue: parts.count)
    }
}

/// Region names and codes for the mapping: name a region from its code, find a code from
/// a name (spelling-tolerant: `Gunungsari Ulu` finds `Gunung Sari Ulu`), build dotted
/// codes from SIAK's split columns. Immutable tables; safe from any task.
public enum RegionDirectory {
    /// True when `code` (e.g. 64) is a Kemendagri province, as the NIK's first two digits must be.
    public static func isKnownProvince(code: Int) -> Bool {
        code >= 0 && code < 100 && provinceFlags[code]
    }

    /// The name of a dotted code (`64.71.01.1001` → `Manggar`), or nil when unknown.
    public static func name(code: String) -> String? {
        byCode[code]
    }

    /// Every known region, provinces first, in code order within each table.
    public static let all: [Region] =
        RegionTable.provinces.map { Region(code: NIKValidator.pair($0.code), name: $0.name) }
        + RegionTable.regions.map { Region(code: $0.code, name: $0.name) }

    /// Regions whose name matches `name` ignoring case, spaces, hyphens and a leading
    /// `Kota`/`Kecamatan`/`Kelurahan`/`Desa`, optionally only at one level and inside the
    /// region `within` (a code prefix such as `64.71`). Matching names is a fallback for
    /// sources without codes (SIMTARU sends `kelurahan`/`kecamatan` names): prefer codes.
    public static func regions(named name: String, level: Region.Level? = nil, within: String? = nil) -> [Region] {
        let key = normalized(name)
        guard !key.isEmpty else { return [] }
        let prefix = within.map { $0 + "." }
        return zip(all, normalizedNames).compactMap { region, regionKey in
            guard regionKey == key, level == nil || region.level == level,
                  prefix == nil || region.code.hasPrefix(prefix ?? "")
            else { return nil }
            return region
        }
    }

    /// Joins SIAK's split columns into a dotted code: (`64`, `71`, `01`, `1001`) →
    /// `64.71.01.1001`; pass fewer parts for a higher level. Nil when a part has the wrong
    /// width or is not digits.
    public static func dottedCode(province: String, city: String? = nil, district: String? = nil, village: String? = nil) -> String? {
        var code = province
        for part in [city, district, village] {
            guard let part else { break }
            code += "." + part
        }
        return Region.level(of: code) == nil ? nil : code
    }

    /// `all`'s names, normalized once.
    private static let normalizedNames: [String] = all.map { normalized($0.name) }

    private static let byCode: [String: String] = Dictionary(
        all.map { ($0.code, $0.name) }, uniquingKeysWith: { first, _ in first })

    private static let provinceFlags: [Bool] = {
        var flags = [Bool](repeating: false, count: 100)
        for province in RegionTable.provinces { flags[province.code] = true }
        return flags
    }()

    /// Lowercased letters and digits only, without a leading administrative word
    /// (`Kelurahan Api-Api` → `apiapi`). The word must stand alone, so `Kotabaru` keeps
    /// its `kota`.
    static func normalized(_ name: String) -> String {
        var lowered = Substring(name.lowercased())
        while lowered.first == " " { lowered.removeFirst() }
        for word in ["kelurahan ", "kecamatan ", "kota ", "desa ", "kabupaten ", "kab. ", "kec. ", "kel. "] where lowered.hasPrefix(word) {
            lowered.removeFirst(word.count)
            break
        }
        return String(lowered.unicodeScalars.filter { ("a"..."z").contains($0) || ("0"..."9").contains($0) })
    }
}
