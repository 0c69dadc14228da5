import Foundation

/// Progress of a long operation on standard error: a bar redrawn in place on a terminal,
/// a plain line every step otherwise (a log file gets lines, not carriage returns). Quiet
/// when the whole job fits in one step, and always off for `--json`.
final class Progress {
    static let barWidth = 30
    private let label: String
    private let enabled: Bool
    private let terminal = Output.progressOnTerminal
    private var steps = 0
    private var drawn = false

    init(label: String, enabled: Bool) {
        self.label = label
        self.enabled = enabled
    }

    func update(done: Int, total: Int, counts: String = "") {
        steps += 1
        guard enabled, total > 0, steps > 1 || done < total else { return }
        let text = "\(Numbers.grouped(Int64(done)))/\(Numbers.grouped(Int64(total)))" + (counts.isEmpty ? "" : "  " + counts)
        if terminal {
            let filled = Self.barWidth * min(done, total) / total
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: Self.barWidth - filled)
            write("\r\u{1B}[K\(label) [\(bar)] \(text)")
            drawn = true
        } else {
            write("\(label) \(text)\n")
        }
    }

    func finish() {
        if drawn { write("\n") }
        drawn = false
        steps = 0
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
