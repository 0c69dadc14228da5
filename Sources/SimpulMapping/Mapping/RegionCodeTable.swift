/// A compiled `{"regionCode": {"level": "village", "within": "64"}}` transform: a region
/// name as sources without codes send it (SIMTARU `kelurahan`, Si Peri Etnik
/// `lokasi.kecamatan`) → its dotted Kemendagri code, through `RegionDirectory`.
///
/// Names are a fallback (DOMAIN.md: match on codes, not names), so a name that is
/// unknown or ambiguous at that level gives no code (the field is missing), never a guess
/// and never an issue. Exact spellings hit a table built at compile time; other spellings
/// (`Gunungsari Ulu`) take `RegionDirectory`'s tolerant search.
final class RegionCodeTable: Sendable {
    let level: Region.Level
    let within: String?
    private let exact: [String: String]

    init(level: Region.Level, within: String?) {
        self.level = level
        self.within = within
        var table: [String: String] = [:]
        var ambiguous: Set<String> = []
        for region in RegionDirectory.all where region.level == level
            && (within.map { region.code.hasPrefix($0 + ".") } ?? true) {
            let key = region.name.uppercased()
            if table[key] != nil { ambiguous.insert(key) }
            table[key] = region.code
        }
        for key in ambiguous { table[key] = nil }
        exact = table
    }

    func code(for value: JSONValue) -> JSONValue? {
        guard case .string(let name) = value else { return nil }
        if let code = exact[name.uppercased()] { return .string(code) }
        let found = RegionDirectory.regions(named: name, level: level, within: within)
        return found.count == 1 ? .string(found[0].code) : nil
    }

    static let levels: [String: Region.Level] = ["province": .province, "city": .city, "district": .district, "village": .village]
}
