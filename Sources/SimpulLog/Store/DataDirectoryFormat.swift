/// The format marker of a data directory: `DATA/FORMAT` holds `simpul-data N` and a newline.
///
/// Segments, indexes and snapshots carry their own version in their header; everything else
/// in the data directory (`topic.meta`, `tokens.json`, `pseudonym.key`, the text entries of
/// the journals) is covered by this one number: a Simpul that changes any of them in a way
/// an older one would misread writes a higher N. Opening refuses a directory of a newer
/// format before anything in it is touched; a directory without the marker (new, or from
/// before it existed) gets it written on first open.
public enum DataDirectoryFormat {
    public static let fileName = "FORMAT"
    /// The data format this Simpul reads and writes.
    public static let version = 1
    static let prefix = "simpul-data "

    /// The version a directory's marker names, or nil when it has none.
    /// - Throws: `LogError.unsupportedFormat` when the marker is not one.
    public static func read(directory: String, io: any StorageIO = PosixStorageIO()) throws -> Int? {
        let path = directory + "/" + fileName
        guard let bytes = try storageCall({ try AtomicFile.read(path, io: io) }) else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        let trimmed = text.hasSuffix("\n") ? String(text.dropLast()) : text
        guard trimmed.hasPrefix(prefix), let version = Int(trimmed.dropFirst(prefix.count)), version > 0 else {
            throw LogError.unsupportedFormat(path: path, detail:
                "expected \"\(prefix)N\", found \"\(trimmed.prefix(40))\"; this is not Simpul's format marker — "
                + "restore the data directory from a backup")
        }
        return version
    }

    /// Refuses a directory of a newer format; writes the marker when there is none.
    /// - Throws: `LogError.unsupportedFormat` naming the newer version and what to do.
    public static func checkOrCreate(directory: String, io: any StorageIO = PosixStorageIO()) throws {
        if let found = try read(directory: directory, io: io) {
            try check(found, path: directory + "/" + fileName)
            return
        }
        try storageCall {
            try AtomicFile.write(Array("\(prefix)\(version)\n".utf8), to: directory + "/" + fileName, io: io)
        }
    }

    /// Refuses `found` when it is newer than this Simpul reads.
    public static func check(_ found: Int, path: String) throws {
        guard found <= version else {
            throw LogError.unsupportedFormat(path: path, detail:
                "this data directory was written by a newer Simpul (data format \(found); this Simpul reads format "
                + "\(version)); install that version, or restore a backup made by this one. Nothing was changed")
        }
    }
}
