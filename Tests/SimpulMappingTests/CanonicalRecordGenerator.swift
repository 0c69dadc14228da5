import SimpulTestSupport
@testable import SimpulMapping

/// Seeded generator of valid canonical records for each schema, plus a generic mutator
/// that breaks them in random ways (for the differential schema test).
struct CanonicalRecordGenerator {
    var random: SeededRandom

    init(seed: UInt64) {
        random = SeededRandom(seed: seed)
    }

    static func object(_ members: [(String, JSONValue?)]) -> JSONValue {
        .object(JSONObject(members.compactMap { key, value in value.map { (key, $0) } }))
    }

    mutating func chance(_ probability: Double) -> Bool {
        Double.random(in: 0..<1, using: &random) < probability
    }

    mutating func digits(_ count: Int) -> String {
        String((0..<count).map { _ in Character(String(Int.random(in: 0...9, using: &random))) })
    }

    mutating func pick<T>(_ items: [T]) -> T {
        items[Int.random(in: 0..<items.count, using: &random)]
    }

    mutating func date() -> String {
        let year = Int.random(in: 1950...2025, using: &random)
        let month = Int.random(in: 1...12, using: &random)
        let day = Int.random(in: 1...CalendarDate.daysIn(month: month, year: year), using: &random)
        return CalendarDate(year: year, month: month, day: day)?.description ?? "2024-01-01"
    }

    mutating func dateTime() -> String {
        let hour = Int.random(in: 0...23, using: &random), minute = Int.random(in: 0...59, using: &random)
        let clock = "\(NIKValidator.pair(hour)):\(NIKValidator.pair(minute)):\(NIKValidator.pair(Int.random(in: 0...59, using: &random)))"
        return "\(date())T\(clock)\(pick(["+08:00", "Z", "+07:00", ".5Z"]))"
    }

    mutating func name() -> String {
        "\(pick(["Siti", "Budi", "Andi", "Rina", "Agus", "Dewi"])) \(pick(["Rahmawati", "Santoso", "Saputra", "Lestari"]))"
    }

    mutating func region(_ code: String) -> JSONValue {
        Self.object([("code", chance(0.9) ? .string(code) : nil), ("name", .string(RegionDirectory.name(code: code) ?? "X"))])
    }

    mutating func address() -> JSONValue {
        let village = pick(RegionDirectory.all.filter { $0.level == .village }).code
        let parts = village.split(separator: ".")
        return Self.object([
            ("street", .string("Jl. \(pick(["Sudirman", "MT Haryono", "Ahmad Yani"])) No. \(Int.random(in: 1...200, using: &random))")),
            ("rt", .string("0" + digits(2))), ("rw", chance(0.8) ? .string("00" + digits(1)) : nil),
            ("village", region(village)), ("district", region(parts[0...2].joined(separator: "."))),
            ("city", chance(0.7) ? region(parts[0...1].joined(separator: ".")) : nil),
            ("province", chance(0.7) ? region("64") : nil),
            ("postalCode", chance(0.3) ? .string("761" + digits(2)) : nil),
        ])
    }

    mutating func person() -> JSONValue {
        let female = chance(0.5)
        let birth = date()
        let parts = birth.split(separator: "-").map { Int($0) ?? 1 }
        let nik = "6471" + pick(["01", "02", "03"]) + NIKValidator.pair(parts[2] + (female ? 40 : 0))
            + NIKValidator.pair(parts[1]) + NIKValidator.pair(parts[0] % 100) + "0" + digits(2) + "1"
        return Self.object([
            ("nik", .string(nik)), ("familyCardNumber", chance(0.8) ? .string("6471" + digits(12)) : nil),
            ("fullName", .string(name())), ("birthPlace", chance(0.8) ? .string("Balikpapan") : nil),
            ("birthDate", .string(birth)), ("sex", .string(female ? "female" : "male")),
            ("religion", chance(0.9) ? .string(pick(["islam", "protestant", "catholic", "hindu", "buddhist", "confucian", "indigenous_belief"])) : nil),
            ("maritalStatus", .string(pick(["single", "married", "divorced", "widowed"]))),
            ("occupation", chance(0.7) ? .string(pick(["KARYAWAN SWASTA", "PELAJAR/MAHASISWA", "WIRASWASTA"])) : nil),
            ("address", chance(0.9) ? address() : nil),
        ])
    }

    mutating func party() -> JSONValue {
        Self.object([("agency", .string(pick(["Dinas Kominfo", "Bappeda", "Sekretariat Daerah"]))),
                     ("name", chance(0.6) ? .string(name()) : nil), ("position", chance(0.6) ? .string("Kepala Dinas") : nil)])
    }

    mutating func correspondence() -> JSONValue {
        let letterDate = date()
        var dispositions: [JSONValue] = []
        for _ in 0..<Int.random(in: 0...3, using: &random) {
            dispositions.append(Self.object([
                ("from", chance(0.5) ? .string("Sekretaris Daerah") : party()), ("to", .string("Kepala Bidang")),
                ("instruction", .string("Tindak lanjuti")), ("date", .string(chance(0.5) ? letterDate : "\(letterDate)T09:00:00+08:00")),
                ("note", chance(0.5) ? .string("Segera") : nil),
            ]))
        }
        return Self.object([
            ("letterNumber", .string("500.16/\(digits(3))/DISKOMINFO")), ("subject", .string("Undangan rapat")),
            ("date", .string(letterDate)), ("direction", .string(pick(["incoming", "outgoing"]))),
            ("urgency", .string(pick(["normal", "urgent", "very_urgent"]))),
            ("securityClass", .string(pick(["public", "restricted", "confidential", "secret"]))),
            ("classificationCode", .string(pick(["500.16", "005", "800.1.2"]))), ("sender", party()),
            ("recipients", .array([party()])), ("dispositions", .array(dispositions)),
            ("attachments", chance(0.5) ? .array([Self.object([
                ("fileName", .string("undangan.pdf")), ("mediaType", .string("application/pdf")),
                ("sha256", .string(String(repeating: "ab", count: 32))), ("url", .string("https://eoffice.example/f/1")),
            ])]) : nil),
        ])
    }

    mutating func kbliEntries() -> JSONValue {
        .array((0..<Int.random(in: 1...3, using: &random)).map { _ in
            Self.object([("code", .string(pick(["47111", "56101", "68111"]))), ("title", chance(0.5) ? .string("Perdagangan eceran") : nil)])
        })
    }

    mutating func permit() -> JSONValue {
        let paths = [["submitted"], ["submitted", "verified"], ["submitted", "rejected"], ["submitted", "verified", "approved", "issued"],
                     ["submitted", "verified", "approved", "issued", "expired"]]
        let steps = pick(paths)
        let history = steps.enumerated().map { index, status in
            Self.object([("status", .string(status)), ("at", .string("2024-0\(index + 1)-1\(index)T10:00:00+08:00")), ("note", nil)])
        }
        let business = chance(0.5)
        return Self.object([
            ("applicationNumber", .string("PMH-\(digits(6))")),
            ("permitNumber", steps.contains("issued") || chance(0.3) ? .string("503/\(digits(4))/DPMPTSP") : nil),
            ("permitType", .string("Izin Usaha")),
            ("applicant", Self.object([("kind", .string(business ? "business" : "person")),
                                       (business ? "nib" : "nik", .string(business ? digits(13) : "6471014501900001")),
                                       ("name", .string(name()))])),
            ("status", .string(steps.last ?? "submitted")), ("statusHistory", .array(history)),
            ("submittedAt", .string(chance(0.5) ? date() : dateTime())), ("validUntil", chance(0.3) ? .string(date()) : nil),
            ("business", chance(0.5) ? Self.object([("nib", .string(digits(13))), ("name", .string("CV Maju")), ("kbli", kbliEntries())]) : nil),
            ("location", chance(0.5) ? address() : nil),
        ])
    }

    mutating func geometry() -> JSONValue {
        let lon = Double.random(in: 116.8...117.1, using: &random), lat = Double.random(in: -1.3 ... -1.1, using: &random)
        let ring: JSONValue = .array([(0.0, 0.0), (0.001, 0.0), (0.001, 0.001), (0.0, 0.001), (0.0, 0.0)].map { dx, dy in
            .array([.number(CoordinateText.format(lon + dx)), .number(CoordinateText.format(lat + dy))])
        })
        if chance(0.5) {
            return Self.object([("type", .string("Polygon")), ("coordinates", .array([ring]))])
        }
        return Self.object([("type", .string("MultiPolygon")), ("coordinates", .array([.array([ring])]))])
    }

    mutating func spatialPermit() -> JSONValue {
        Self.object([
            ("permitNumber", .string("KKPR/\(digits(4))/2024")),
            ("applicant", Self.object([("name", .string(name())), ("nik", chance(0.5) ? .string("6471014501900001") : nil),
                                       ("nib", chance(0.5) ? .string(digits(13)) : .string(digits(13)))])),
            ("activity", .string("Rumah tinggal")), ("kbli", .string("68111")),
            ("zone", Self.object([("code", .string("R-3")), ("name", .string("Perumahan kepadatan sedang"))])),
            ("landAreaM2", .number(pick(["250", "1234.5", "99.75"]))), ("kdb", .number("60")), ("klb", .number("1.2")),
            ("kdh", .number("20")), ("decision", .string(pick(["approved", "approved_with_conditions", "rejected", "in_review"]))),
            ("decidedAt", .string(date())), ("geometry", geometry()), ("sourceCrs", .string(pick(["EPSG:32750", "EPSG:32650", "EPSG:4326"]))),
            ("address", chance(0.5) ? address() : nil),
        ])
    }

    mutating func business() -> JSONValue {
        Self.object([("nib", .string(digits(13))), ("name", .string("PT Sinar")), ("kbli", kbliEntries()),
                     ("riskLevel", chance(0.7) ? .string(pick(["low", "medium_low", "medium_high", "high"])) : nil),
                     ("address", chance(0.5) ? address() : nil)])
    }

    mutating func cloudEvent() -> JSONValue {
        Self.object([
            ("specversion", .string("1.0")), ("id", .string("evt-\(digits(8))")), ("source", .string("/balikpapan/disdukcapil/siak")),
            ("type", .string("city.population.person.upserted")), ("subject", .string("person/6471")),
            ("time", .string(dateTime())), ("datacontenttype", .string("application/json")),
            ("dataschema", .string("schemas/person.v1.json")), ("partitionkey", .string("6471")), ("data", person()),
        ])
    }

    /// A valid record for the schema id.
    mutating func record(for schema: String) -> JSONValue {
        switch schema {
        case "person.v1.json": return person()
        case "correspondence.v1.json": return correspondence()
        case "permit.v1.json": return permit()
        case "spatial-permit.v1.json": return spatialPermit()
        case "business.v1.json": return business()
        default: return cloudEvent()
        }
    }
}
