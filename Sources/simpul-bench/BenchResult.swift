import Foundation

/// One figure, printed as a JSON line (`--json`) or as text.
struct BenchResult {
    let name: String
    let value: Double
    let unit: String
    var ceiling: Double?
    var ceilingName: String?

    func print(json: Bool) {
        let ratio = ceiling.map { value / $0 }
        if json {
            var line = "{\"name\":\"\(name)\",\"value\":\(Self.format(value)),\"unit\":\"\(unit)\""
            if let ceiling, let ceilingName, let ratio {
                line += ",\"ceiling\":\(Self.format(ceiling)),\"ceiling_name\":\"\(ceilingName)\",\"ratio\":\(String(format: "%.2f", ratio))"
            }
            Swift.print(line + "}")
        } else {
            var line = "\(name): \(Self.format(value)) \(unit)"
            if let ceiling, let ceilingName, let ratio {
                line += "  (\(ceilingName): \(Self.format(ceiling)) \(unit); ratio \(String(format: "%.2f", ratio)))"
            }
            Swift.print(line)
        }
    }

    static func format(_ value: Double) -> String { String(format: "%.0f", value) }
}

/// Wall-clock seconds of the fastest of `repeats` runs of `body`.
func bestSeconds(repeats: Int, _ body: () throws -> Void) rethrows -> Double {
    var best = Double.infinity
    for _ in 0..<repeats {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return best
}
