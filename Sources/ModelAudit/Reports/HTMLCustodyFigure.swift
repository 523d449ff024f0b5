import Foundation

/// A chain of custody as an inline SVG: hops left to right, four to a row, arrows between them.
///
/// Boxes take the width their longest label needs (within bounds) and labels wrap between words (`SVGBoxText`).
struct CustodyGraph {
    let hops: [CustodyHop]
    let id: String

    private static let gap = 44
    private static let rowGap = 36
    private static let perRow = 4
    private static let margin = 12
    private static let action = SVGTextStyle(
        label: SVGLabel(fontSize: 13, bold: true), attributes: " font-weight=\"600\"", lineHeight: 18, maxLines: 1)
    private static let actor = SVGTextStyle(
        label: SVGLabel(fontSize: 13, bold: false), attributes: "", lineHeight: 18, maxLines: 2)
    private static let detail = SVGTextStyle(
        label: SVGLabel(fontSize: 12, bold: false), attributes: " class=\"status\"", lineHeight: 17, maxLines: 2)

    /// The texts of a hop's box: number and action, actor, where and when, status.
    private static func parts(_ hop: CustodyHop) -> [SVGBoxText.Part] {
        [
            (SVGBoxText.visible("#\(hop.index) \(hop.action)"), action), (SVGBoxText.visible(hop.actor), actor),
            (SVGBoxText.visible("\(hop.country) · \(hop.time)"), detail),
            (SVGBoxText.visible((hop.status == "verified" ? "✔ " : "✘ ") + hop.status), detail),
        ]
    }

    func figure() -> String {
        let inner = SVGBoxText.innerWidth(hops.map(Self.parts), minimum: 170, maximum: 240)
        let boxWidth = inner + 2 * SVGBoxText.padding
        let texts = hops.map { SVGBoxText.lines(Self.parts($0), innerWidth: inner) }
        let boxHeight = texts.map(SVGBoxText.height).max() ?? 0
        let columns = min(Self.perRow, max(1, hops.count))
        let rows = (hops.count + Self.perRow - 1) / Self.perRow
        let width = 2 * Self.margin + columns * (boxWidth + Self.gap) - Self.gap
        let height = 2 * Self.margin + rows * (boxHeight + Self.rowGap) - Self.rowGap
        func origin(_ index: Int) -> (x: Int, y: Int) {
            (
                Self.margin + (index % Self.perRow) * (boxWidth + Self.gap),
                Self.margin + (index / Self.perRow) * (boxHeight + Self.rowGap)
            )
        }

        var out = "<figure class=\"custody\">\n<figcaption id=\"\(id)-title\">Chain of custody</figcaption>\n"
        out += LineageGraph.svgOpen(id: id, width: width, height: height)
        let description = hops.map {
            "\($0.index). \($0.action) by \($0.actor) in \($0.country) at \($0.time): \($0.status)"
        }
        let summary = "Custody: " + description.joined(separator: "; ")
        out += "<desc id=\"\(id)-desc\">\(HTMLText.escape(summary))</desc>\n"
        for index in hops.indices.dropLast() {
            let from = origin(index)
            let to = origin(index + 1)
            if from.y == to.y {
                let y = from.y + boxHeight / 2
                let x1 = from.x + boxWidth
                let x2 = to.x - 2
                out += "<path class=\"edge\" d=\"M\(x1) \(y) L\(x2 - 8) \(y)\"/>"
                out += "<polygon class=\"arrow\" points=\"\(x2) \(y) \(x2 - 9) \(y - 5) \(x2 - 9) \(y + 5)\"/>\n"
            } else {
                let x1 = from.x + boxWidth / 2
                let y1 = from.y + boxHeight
                let x2 = to.x + boxWidth / 2
                let y2 = to.y - 2
                let middle = y1 + Self.rowGap / 2
                out += "<path class=\"edge\" d=\"M\(x1) \(y1) L\(x1) \(middle) L\(x2) \(middle) L\(x2) \(y2 - 8)\"/>"
                out += "<polygon class=\"arrow\" points=\"\(x2) \(y2) \(x2 - 5) \(y2 - 9) \(x2 + 5) \(y2 - 9)\"/>\n"
            }
        }
        for (index, hop) in hops.enumerated() {
            let (x, y) = origin(index)
            let tone = hop.status == "verified" ? "ok" : "bad"
            out += "<g class=\"node \(tone)\"><title>\(HTMLText.escape(description[index]))</title>"
            out += "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(boxWidth)\" height=\"\(boxHeight)\" rx=\"6\"/>"
            out += SVGBoxText.svg(texts[index], x: x, y: y)
            out += "</g>\n"
        }
        out += "</svg>\n"
        out += "<ol class=\"custody-list\">\n"
        for hop in hops {
            out += "<li>\(HTMLText.escape(hop.action)) by \(HTMLText.escape(hop.actor)) in "
            out += "\(HTMLText.escape(hop.country)) at <time>\(HTMLText.escape(hop.time))</time>: "
            out += "\(HTMLText.escape(hop.status))</li>\n"
        }
        return out + "</ol>\n</figure>\n"
    }
}
