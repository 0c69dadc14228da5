import Foundation

/// The adapters found under a directory: one sub-folder per adapter, each with an
/// `adapter.json` (samples and documentation beside it are ignored).
public enum AdapterCatalog {
    /// Name of the file describing an adapter.
    public static let fileName = "adapter.json"
    /// Largest adapter file accepted, in bytes.
    public static let fileBytesMax = 1 << 20

    /// Folder names under `directory` holding an adapter file, sorted.
    public static func names(in directory: String) throws(AdapterFileError) -> [String] {
        let entries: [String]
        do {
            entries = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw AdapterFileError(file: directory, location: "", message:
                "cannot list the adapters directory; pass --adapters-dir DIR pointing at the folder with one sub-folder per adapter")
        }
        return entries.filter { FileManager.default.fileExists(atPath: "\(directory)/\($0)/\(fileName)") }.sorted()
    }

    /// Loads and compiles `directory/name/adapter.json`.
    public static func load(_ name: String, in directory: String, registry: ValidatorRegistry) throws(AdapterFileError) -> DeclarativeAdapter {
        let path = "\(directory)/\(name)/\(fileName)"
        guard let data = FileManager.default.contents(atPath: path) else {
            let known = (try? names(in: directory))?.joined(separator: ", ") ?? ""
            throw AdapterFileError(file: path, location: "", message:
                "no adapter named \"\(name)\" (cannot read \(path)); known adapters: \(known.isEmpty ? "none" : known)")
        }
        guard data.count <= fileBytesMax else {
            throw AdapterFileError(file: path, location: "", message: "the file is \(data.count) bytes; the limit is \(fileBytesMax)")
        }
        let adapter = try AdapterCompiler.compile([UInt8](data), file: path, registry: registry)
        guard adapter.descriptor.name == name else {
            throw AdapterFileError(file: path, location: "name", message:
                "names the adapter \"\(adapter.descriptor.name)\" but its folder is \"\(name)\"; make them equal")
        }
        return adapter
    }
}
