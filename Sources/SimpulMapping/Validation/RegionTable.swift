/// The Kemendagri region codes Simpul knows by name (DOMAIN.md, Kepmendagri
/// 300.2.2-2138/2025): every province, and the cities, districts and villages of
/// Balikpapan and Bontang (plus Samarinda as a city). Data only; lookups live in
/// `RegionDirectory`.
enum RegionTable {
    /// Province codes and names; the set of valid NIK province prefixes
    /// (Papua provinces 93–96 added in 2022).
    static let provinces: [(code: Int, name: String)] = [
        (11, "Aceh"), (12, "Sumatera Utara"), (13, "Sumatera Barat"), (14, "Riau"),
        (15, "Jambi"), (16, "Sumatera Selatan"), (17, "Bengkulu"), (18, "Lampung"),
        (19, "Kepulauan Bangka Belitung"), (21, "Kepulauan Riau"),
        (31, "DKI Jakarta"), (32, "Jawa Barat"), (33, "Jawa Tengah"),
        (34, "DI Yogyakarta"), (35, "Jawa Timur"), (36, "Banten"),
        (51, "Bali"), (52, "Nusa Tenggara Barat"), (53, "Nusa Tenggara Timur"),
        (61, "Kalimantan Barat"), (62, "Kalimantan Tengah"), (63, "Kalimantan Selatan"),
        (64, "Kalimantan Timur"), (65, "Kalimantan Utara"),
        (71, "Sulawesi Utara"), (72, "Sulawesi Tengah"), (73, "Sulawesi Selatan"),
        (74, "Sulawesi Tenggara"), (75, "Gorontalo"), (76, "Sulawesi Barat"),
        (81, "Maluku"), (82, "Maluku Utara"),
        (91, "Papua"), (92, "Papua Barat"), (93, "Papua Selatan"), (94, "Papua Tengah"),
        (95, "Papua Pegunungan"), (96, "Papua Barat Daya"),
    ]

    /// Cities (kota), districts (kecamatan) and villages (kelurahan) by dotted code.
    static let regions: [(code: String, name: String)] = [
        ("64.71", "Kota Balikpapan"), ("64.72", "Kota Samarinda"), ("64.74", "Kota Bontang"),

        ("64.71.01", "Balikpapan Timur"),
        ("64.71.01.1001", "Manggar"), ("64.71.01.1002", "Lamaru"),
        ("64.71.01.1003", "Teritip"), ("64.71.01.1004", "Manggar Baru"),

        ("64.71.02", "Balikpapan Barat"),
        ("64.71.02.1001", "Baru Ilir"), ("64.71.02.1002", "Baru Tengah"),
        ("64.71.02.1003", "Baru Ulu"), ("64.71.02.1004", "Kariangau"),
        ("64.71.02.1005", "Margo Mulyo"), ("64.71.02.1006", "Marga Sari"),

        ("64.71.03", "Balikpapan Utara"),
        ("64.71.03.1001", "Batu Ampar"), ("64.71.03.1002", "Gunung Samarinda"),
        ("64.71.03.1003", "Karang Joang"), ("64.71.03.1004", "Muara Rapak"),
        ("64.71.03.1005", "Gunung Samarinda Baru"), ("64.71.03.1006", "Graha Indah"),

        ("64.71.04", "Balikpapan Tengah"),
        ("64.71.04.1001", "Gunung Sari Ulu"), ("64.71.04.1002", "Gunung Sari Ilir"),
        ("64.71.04.1003", "Karang Rejo"), ("64.71.04.1004", "Karang Jati"),
        ("64.71.04.1005", "Mekar Sari"), ("64.71.04.1006", "Sumber Rejo"),

        // The gaps in the village numbers of Balikpapan Selatan are real.
        ("64.71.05", "Balikpapan Selatan"),
        ("64.71.05.1002", "Sepinggan"), ("64.71.05.1006", "Gunung Bahagia"),
        ("64.71.05.1008", "Sepinggan Baru"), ("64.71.05.1009", "Sepinggan Raya"),
        ("64.71.05.1010", "Sungai Nangka"), ("64.71.05.1011", "Damai Baru"),
        ("64.71.05.1012", "Damai Bahagia"),

        ("64.71.06", "Balikpapan Kota"),
        ("64.71.06.1001", "Prapatan"), ("64.71.06.1002", "Telaga Sari"),
        ("64.71.06.1003", "Klandasan Ulu"), ("64.71.06.1004", "Klandasan Ilir"),
        ("64.71.06.1005", "Damai"),

        ("64.74.01", "Bontang Utara"),
        ("64.74.01.1001", "Bontang Kuala"), ("64.74.01.1002", "Bontang Baru"),
        ("64.74.01.1003", "Lok Tuan"), ("64.74.01.1004", "Guntung"),
        ("64.74.01.1005", "Gunung Elai"), ("64.74.01.1006", "Api-Api"),

        ("64.74.02", "Bontang Selatan"),
        ("64.74.02.1001", "Tanjung Laut"), ("64.74.02.1002", "Berbas Tengah"),
        ("64.74.02.1003", "Berbas Pantai"), ("64.74.02.1004", "Satimpo"),
        ("64.74.02.1005", "Bontang Lestari"), ("64.74.02.1006", "Tanjung Laut Indah"),

        ("64.74.03", "Bontang Barat"),
        ("64.74.03.1001", "Belimbing"), ("64.74.03.1002", "Gunung Telihan"),
        ("64.74.03.1003", "Kanaan"),
    ]
}
