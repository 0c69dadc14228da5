import Foundation
import SimpulMapping

/// Generated inputs for `MappingBench`: synthetic people (NIK birth dates consistent) and
/// parcels, identical in the CSV/GeoJSON the adapters read and the NDJSON jq reads.
enum MappingBenchData {
    static let header = "NIK;NO_KK;NAMA_LENGKAP;TMPT_LHR;TGL_LHR;JENIS_KLMIN;AGAMA;STATUS_KAWIN;JENIS_PKRJN;ALAMAT;NO_RT;NO_RW;NO_KEL;KEL_NAME;NO_KEC;KEC_NAME;NO_KAB;KAB_NAME;NO_PROP;PROP_NAME"
    static let religions = ["ISLAM", "KRISTEN", "KATHOLIK", "HINDU", "BUDHA", "KHONGHUCU"]
    static let marital = ["BELUM KAWIN", "KAWIN", "CERAI HIDUP", "CERAI MATI"]

    static func person(_ index: Int) -> [String] {
        let day = index % 28 + 1
        let month = index / 28 % 12 + 1
        let year = 1950 + index % 60
        let female = index % 2 == 1
        let nikDay = female ? day + 40 : day
        let serial = index % 9999 + 1
        let district = index / 9999 % 6 + 1
        let nik = "6471" + pad(district, 2) + pad(nikDay, 2) + pad(month, 2) + pad(year % 100, 2) + pad(serial, 4)
        return [nik, "64710" + pad(index, 11), "WARGA SINTETIS \(index)", "BALIKPAPAN",
                "\(pad(day, 2))-\(pad(month, 2))-\(year)", female ? "PEREMPUAN" : "LAKI-LAKI",
                religions[index % religions.count], marital[index % marital.count], "KARYAWAN SWASTA",
                "JL. CONTOH NO. \(index % 200 + 1)", pad(index % 20 + 1, 3), pad(index % 9 + 1, 3), "1001", "NAMA KELURAHAN",
                pad(district, 2), "NAMA KECAMATAN", "71", "KOTA BALIKPAPAN", "64", "KALIMANTAN TIMUR"]
    }

    static func populationCSV(count: Int) -> [UInt8] {
        var text = header + "\r\n"
        for index in 0..<count { text += person(index).joined(separator: ";") + "\r\n" }
        return Array(text.utf8)
    }

    static func populationNDJSON(count: Int) -> [UInt8] {
        let keys = header.split(separator: ";").map(String.init)
        var output: [UInt8] = []
        for index in 0..<count {
            let object = JSONObject(zip(keys, person(index)).map { (key: $0, value: JSONValue.string($1)) })
            JSONWriter.write(.object(object), into: &output)
            output.append(0x0A)
        }
        return output
    }

    static func parcel(_ index: Int) -> JSONValue {
        let x = 478_000.0 + Double(index % 200) * 60
        let y = 9_858_000.0 + Double(index / 200 % 200) * 60
        let ring: [[Double]] = [[x, y], [x + 50, y], [x + 50, y + 50], [x, y + 50], [x, y]]
        let properties: [(key: String, value: JSONValue)] = [
            ("no_kkpr", .string("KKPR/6471/2024/\(pad(index, 6))")), ("tgl_keputusan", .string("12/01/2024")),
            ("nama_pemohon", .string("PEMOHON SINTETIS \(index)")), ("nik_pemohon", .string("6471015203900001")),
            ("kegiatan", .string("Rumah tinggal")), ("kbli", .string("68111")), ("kode_zona", .string("R-3")),
            ("nama_zona", .string("Perumahan kepadatan sedang")), ("luas_tanah", .string("2.500,5")),
            ("kdb", .number("60")), ("klb", .string("1,2")), ("kdh", .number("30")), ("status", .string("DISETUJUI")),
            ("alamat", .string("Jl. Contoh No. \(index % 200 + 1)")), ("kelurahan", .string("Manggar")),
            ("kecamatan", .string("Balikpapan Timur")),
        ]
        let coordinates = JSONValue.array([.array(ring.map { .array($0.map { .number(String(format: "%.3f", $0)) }) })])
        return .object(JSONObject([
            ("type", .string("Feature")), ("properties", .object(JSONObject(properties))),
            ("geometry", .object(JSONObject([("type", .string("Polygon")), ("coordinates", coordinates)]))),
        ]))
    }

    static func simtaruGeoJSON(count: Int) -> [UInt8] {
        var output = Array("{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"urn:ogc:def:crs:EPSG::32750\"}},\"features\":[".utf8)
        for index in 0..<count {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            JSONWriter.write(parcel(index), into: &output)
        }
        output += Array("]}".utf8)
        return output
    }

    static func simtaruNDJSON(count: Int) -> [UInt8] {
        var output: [UInt8] = []
        for index in 0..<count {
            JSONWriter.write(parcel(index), into: &output)
            output.append(0x0A)
        }
        return output
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
