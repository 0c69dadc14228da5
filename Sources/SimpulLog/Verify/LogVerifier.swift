/// `simpul log verify`: reads every segment of every topic and journal in full, checks
/// every frame and the joints between segments, and reports each damaged place. It opens
/// files read-only and changes nothing, so it is safe on a live data directory.
public struct LogVerifier: Sendable {
    public struct Report: Sendable {
        public var partitionsChecked = 0
        public var segmentsChecked = 0
        public var recordsChecked = 0
        public var bytesChecked = 0
        public var damage: [DamageReport] = []
        public var isClean: Bool { damage.isEmpty }
    }

    let io: any StorageIO

    public init(io: any StorageIO = PosixStorageIO()) {
        self.io = io
    }

    /// Verifies the data directory `directory` (as `simpul serve --data-dir` uses it).
    public func verify(dataDirectory directory: String) throws -> Report {
        guard io.isDirectory(directory) else {
            throw LogError.unsupportedFormat(path: directory, detail: "no such data directory")
        }
        if let found = try DataDirectoryFormat.read(directory: directory, io: io) {
            try DataDirectoryFormat.check(found, path: directory + "/" + DataDirectoryFormat.fileName)
        }
        var report = Report()
        for partitionDirectory in try partitionDirectories(directory) {
            try verifyPartition(partitionDirectory, report: &report)
        }
        return report
    }

    private func partitionDirectories(_ directory: String) throws -> [String] {
        var found: [String] = []
        let topics = directory + "/topics"
        if io.isDirectory(topics) {
            for topic in try io.listDirectory(topics) where io.isDirectory(topics + "/" + topic) {
                for partition in try io.listDirectory(topics + "/" + topic) where io.isDirectory(topics + "/" + topic + "/" + partition) {
                    found.append(topics + "/" + topic + "/" + partition)
                }
            }
        }
        let journals = directory + "/journals"
        if io.isDirectory(journals) {
            for journal in try io.listDirectory(journals) where io.isDirectory(journals + "/" + journal) {
                found.append(journals + "/" + journal)
            }
        }
        return found
    }

    /// Checks one partition directory; damage is added to `report`.
    public func verifyPartition(_ directory: String, report: inout Report) throws {
        report.partitionsChecked += 1
        let bases = try io.listDirectory(directory).compactMap(SegmentFileName.baseOffset(ofLog:)).sorted()
        var expectedBase: Int64?
        for base in bases {
            let name = SegmentFileName.log(base)
            let relative = String(directory.split(separator: "/").suffix(2).joined(separator: "/")) + "/" + name
            if let expectedBase, expectedBase != base {
                report.damage.append(DamageReport(file: relative, position: 0, offset: expectedBase, detail:
                    "the previous segment ends before offset \(expectedBase) but this one starts at \(base) (records missing)"))
            }
            expectedBase = try verifySegment(directory + "/" + name, base: base, label: relative, report: &report)
        }
    }

    /// Scans a whole segment, resynchronising after each damaged place; returns the offset
    /// after its last record.
    private func verifySegment(_ path: String, base: Int64, label: String, report: inout Report) throws -> Int64 {
        report.segmentsChecked += 1
        let file = try io.open(path, mode: .readOnly)
        defer { io.close(file) }
        let size = try io.size(of: file)
        report.bytesChecked += size
        var header = [UInt8](repeating: 0, count: FileHeader.bytes)
        let read = try header.withUnsafeMutableBytes { try io.read(file, into: $0, at: 0) }
        do {
            let decoded = try FileHeader.decode(header[0..<read])
            if decoded.kind != .segment || decoded.baseOffset != base {
                report.damage.append(DamageReport(file: label, position: 0, offset: base, detail: "the header does not match the file name"))
            }
        } catch {
            report.damage.append(DamageReport(file: label, position: 0, offset: base, detail: error.description))
        }
        let scanner = SegmentScanner(io: io, file: file)
        var start = (position: FileHeader.bytes, offset: base)
        var records = 0
        while true {
            let result = try scanner.scan(from: start.position, to: size, firstOffset: start.offset) { _, _ in
                records += 1
                return true
            }
            guard let problem = result.problem else {
                report.recordsChecked += records
                return result.nextOffset
            }
            report.damage.append(DamageReport(file: label, position: result.position, offset: result.nextOffset,
                                              detail: problem.description))
            guard let next = try scanner.resynchronize(after: result.position, end: size, above: result.nextOffset) else {
                report.recordsChecked += records
                return result.nextOffset
            }
            start = next
        }
    }
}
