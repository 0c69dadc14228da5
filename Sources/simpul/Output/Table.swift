/// Aligned columns separated by two spaces: the header, then one row per item. Numbers
/// can be right-aligned; colour is added after the widths are measured, so escape codes
/// never shift a column.
struct Table {
    enum Alignment { case left, right }

    /// A cell's text and, on a terminal, its colour.
    struct Cell: ExpressibleByStringLiteral {
        var text: String
        var style: Style

        init(_ text: String, _ style: Style = .plain) {
            self.text = text
            self.style = style
        }

        init(stringLiteral text: String) { self.init(text) }
    }

    var header: [String]
    var alignments: [Alignment]
    var rows: [[Cell]] = []

    init(_ header: [String], rightAligned: Set<Int> = []) {
        self.header = header
        alignments = header.indices.map { rightAligned.contains($0) ? .right : .left }
    }

    mutating func add(_ row: [Cell]) {
        precondition(row.count == header.count, "a row has one cell per column")
        rows.append(row)
    }

    /// The table without a trailing newline; trailing spaces of the last column are left out.
    func render(colour: Bool = false) -> String {
        let all = [header.map { Cell($0, .bold) }] + rows
        let widths = header.indices.map { column in all.map { $0[column].text.count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: widths[column] - cell.text.count)
                let text = colour ? cell.style.apply(cell.text) : cell.text
                switch alignments[column] {
                case .right: return padding + text
                case .left: return column == row.count - 1 ? text : text + padding
                }
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}

/// ANSI styles; only ever applied when `Output.colour` says so.
enum Style {
    case plain, bold, red, green, yellow, dim

    func apply(_ text: String) -> String {
        let code: String
        switch self {
        case .plain: return text
        case .bold: code = "1"
        case .red: code = "31"
        case .green: code = "32"
        case .yellow: code = "33"
        case .dim: code = "2"
        }
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }
}
