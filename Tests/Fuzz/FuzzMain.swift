// libFuzzer entry for every SimpulMapping decoder, built by scripts/fuzz.sh together with
// the SimpulMapping sources (never by `swift build`). The decoder under test is chosen by
// SIMPUL_FUZZ_TARGET (json, ndjson, csv, xml, geojson, mapping); any input must give
// records or a DecodeError, never a crash, a hang or a sanitizer report.

import Foundation

/// The decoder under test, read once.
let fuzzTarget: String = ProcessInfo.processInfo.environment["SIMPUL_FUZZ_TARGET"] ?? "json"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    switch fuzzTarget {
    case "ndjson": _ = try? JSONRecordDecoder.decodeNDJSON(bytes)
    case "csv": _ = try? CSVDecoder.decode(bytes)
    case "xml": _ = try? XMLRecordDecoder.decode(bytes, recordElement: "surat")
    case "geojson": _ = try? JSONRecordDecoder.decodeGeoJSON(bytes)
    case "mapping": fuzzMapping(bytes)
    default: fuzzJSONRoundTrip(bytes)
    }
    return 0
}

/// JSON: whatever parses must write back and re-parse to the same tree.
func fuzzJSONRoundTrip(_ bytes: [UInt8]) {
    guard let value = try? JSONReader.parse(bytes) else { return }
    let written = JSONWriter.write(value)
    guard let again = try? JSONReader.parse(written), again == value else {
        preconditionFailure("JSON round trip differs for \(String(decoding: written, as: UTF8.self))")
    }
}

/// The population adapter over CSV input: mapping never traps on decoded records.
func fuzzMapping(_ bytes: [UInt8]) {
    guard let adapter = populationAdapter, let input = try? CSVDecoder.decode(bytes) else { return }
    _ = adapter.map(input, options: EventOptions(time: "2026-01-01T00:00:00Z"))
}

let populationAdapter: DeclarativeAdapter? = {
    let path = ProcessInfo.processInfo.environment["SIMPUL_ADAPTERS_DIR"] ?? "adapters"
    return try? AdapterCatalog.load("population", in: path, registry: .builtIn)
}()
