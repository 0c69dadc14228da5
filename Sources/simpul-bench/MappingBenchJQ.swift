/// The jq programs of `MappingBench`: the same field mapping the adapters do (enums,
/// day-first dates to ISO, dotted region codes, Indonesian numbers, envelope).
///
/// `t` (trim) is the identity here: jq 1.6 has no `trim` and its regex `gsub` would
/// slow jq down by a factor of three or more on these records; the generated data carry
/// no padding, so leaving it out keeps jq's figure a generous ceiling, not a straw man.
extension MappingBenchData {
    static let populationJQ = #"""
def t: .;
def isodate: split("-") | "\(.[2])-\(.[1])-\(.[0])";
{specversion: "1.0", source: "/balikpapan/disdukcapil/siak", type: "city.population.person.upserted",
 subject: ("person/" + .NIK), time: "2026-11-22T03:00:00Z", datacontenttype: "application/json",
 dataschema: "schemas/person.v1.json", partitionkey: .NIK,
 data: {nik: (.NIK | t), familyCardNumber: (.NO_KK | t), fullName: (.NAMA_LENGKAP | t), birthPlace: (.TMPT_LHR | t),
   birthDate: (.TGL_LHR | isodate),
   sex: ({"LAKI-LAKI": "male", "PEREMPUAN": "female"}[.JENIS_KLMIN]),
   religion: ({"ISLAM": "islam", "KRISTEN": "protestant", "KATHOLIK": "catholic", "HINDU": "hindu", "BUDHA": "buddhist",
     "KHONGHUCU": "confucian", "KEPERCAYAAN TERHADAP TUHAN YME": "indigenous_belief"}[.AGAMA]),
   maritalStatus: ({"BELUM KAWIN": "single", "KAWIN": "married", "CERAI HIDUP": "divorced", "CERAI MATI": "widowed"}[.STATUS_KAWIN]),
   occupation: (.JENIS_PKRJN | t),
   address: {street: (.ALAMAT | t), rt: (.NO_RT | t), rw: (.NO_RW | t),
     village: {code: "\(.NO_PROP).\(.NO_KAB).\(.NO_KEC).\(.NO_KEL)", name: (.KEL_NAME | t)},
     district: {code: "\(.NO_PROP).\(.NO_KAB).\(.NO_KEC)", name: (.KEC_NAME | t)},
     city: {code: "\(.NO_PROP).\(.NO_KAB)", name: (.KAB_NAME | t)},
     province: {code: .NO_PROP, name: (.PROP_NAME | t)}}}}
"""#

    static let simtaruJQ = #"""
def t: .;
def num: if type == "string" then gsub("\\."; "") | sub(","; ".") | tonumber else . end;
def isodate: split("/") | "\(.[2])-\(.[1])-\(.[0])";
.properties as $p |
{specversion: "1.0", source: "/balikpapan/dptr/simtaru", type: "city.spatial.permit.decided",
 subject: ("spatial-permit/" + $p.no_kkpr), time: "2026-11-22T03:00:00Z", datacontenttype: "application/json",
 dataschema: "schemas/spatial-permit.v1.json", partitionkey: $p.no_kkpr,
 data: {permitNumber: ($p.no_kkpr | t),
   applicant: {kind: (if $p.nik_pemohon then "person" else "business" end), nik: $p.nik_pemohon, name: ($p.nama_pemohon | t)},
   activity: ($p.kegiatan | t), kbli: ($p.kbli | t), zone: {code: ($p.kode_zona | t | ascii_upcase), name: ($p.nama_zona | t)},
   landAreaM2: ($p.luas_tanah | num), kdb: ($p.kdb | num), klb: ($p.klb | num), kdh: ($p.kdh | num),
   decision: ({"DISETUJUI": "approved", "DISETUJUI DENGAN PERSYARATAN": "approved_with_conditions", "DITOLAK": "rejected",
     "PROSES": "in_review"}[$p.status]),
   decidedAt: ($p.tgl_keputusan | isodate), sourceCrs: "EPSG:32750", geometry: .geometry,
   address: {street: ($p.alamat | t), village: {name: ($p.kelurahan | t)}, district: {name: ($p.kecamatan | t)}}}}
"""#
}
