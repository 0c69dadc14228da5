import XCTest
@testable import SimpulBus

/// Goal: a canonical event's topic is its type without the last dotted word, and its
/// `dataschema` is found by file name with or without the `schemas/` folder (both computed
/// on the UTF-8 view for every published event; non-ASCII stays whole).
final class CanonicalNamesTests: XCTestCase {
    func testTopicOfAnEventType() {
        let cases = [("city.population.person.upserted", "city.population.person"), ("plain", "plain"), (".x", ""),
                     ("a.", "a"), ("kota.pénduduk.baru", "kota.pénduduk")]
        for (type, topic) in cases { XCTAssertEqual(Bus.topic(forEventType: type), topic, type) }
    }

    func testSchemaFileName() {
        let cases = [("schemas/business.v1.json", "business.v1.json"), ("business.v1.json", "business.v1.json"),
                     ("schemas/", ""), ("a//b", "b"), ("skéma/ü.json", "ü.json")]
        for (dataschema, name) in cases { XCTAssertEqual(Bus.schemaFileName(dataschema), name, dataschema) }
    }
}
