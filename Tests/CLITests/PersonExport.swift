import Foundation

/// SIAK population exports made up for the CLI tests: valid people with distinct NIKs
/// (`6471011203900001`…, men born 12-03-1990), and refused ones where asked (RT `0A5`).
enum PersonExport {
    static let header = "NIK;NO_KK;NAMA_LENGKAP;TMPT_LHR;TGL_LHR;JENIS_KLMIN;AGAMA;STATUS_KAWIN;JENIS_PKRJN;ALAMAT;NO_RT;NO_RW;NO_KEL;KEL_NAME;NO_KEC;KEC_NAME;NO_KAB;KAB_NAME;NO_PROP;PROP_NAME"

    static func nik(_ serial: Int) -> String { "647101120390" + String(format: "%04d", serial) }

    static func fields(_ serial: Int, refused: Bool, address: String) -> [(String, String)] {
        [("NIK", nik(serial)), ("NO_KK", "6471010101200001"), ("NAMA_LENGKAP", "WARGA \(serial)"), ("TMPT_LHR", "BALIKPAPAN"),
         ("TGL_LHR", "12-03-1990"), ("JENIS_KLMIN", "LAKI-LAKI"), ("AGAMA", "ISLAM"), ("STATUS_KAWIN", "KAWIN"),
         ("JENIS_PKRJN", "PEDAGANG"), ("ALAMAT", address), ("NO_RT", refused ? "0A5" : "005"), ("NO_RW", "002"),
         ("NO_KEL", "1001"), ("KEL_NAME", "MANGGAR"), ("NO_KEC", "01"), ("KEC_NAME", "BALIKPAPAN TIMUR"), ("NO_KAB", "71"),
         ("KAB_NAME", "KOTA BALIKPAPAN"), ("NO_PROP", "64"), ("PROP_NAME", "KALIMANTAN TIMUR")]
    }

    /// A CSV export of people `serials`; `multiline` addresses span two lines inside quotes.
    static func csv(_ serials: ClosedRange<Int>, refused: Set<Int> = [], multiline: Set<Int> = []) -> String {
        var text = header + "\n"
        for serial in serials {
            let address = multiline.contains(serial) ? "\"JL. A;\nGG. MAWAR\"" : "JL. A"
            text += fields(serial, refused: refused.contains(serial), address: address).map(\.1).joined(separator: ";") + "\n"
        }
        return text
    }

    /// A pretty-printed JSON array export (one element spans several lines).
    static func jsonArray(_ serials: ClosedRange<Int>, refused: Set<Int> = []) -> String {
        let elements = serials.map { serial in
            "  {\n" + fields(serial, refused: refused.contains(serial), address: "JL. A").map { "    \"\($0.0)\": \"\($0.1)\"" }
                .joined(separator: ",\n") + "\n  }"
        }
        return "[\n" + elements.joined(separator: ",\n") + "\n]\n"
    }
}
