import Foundation

/// A model's ancestry as an inline SVG tree: the model on top, each generation of parents one row below, edges
/// labelled with the relation, boxes coloured (and labelled) by verification status.
///
/// Every box of a tree has the width its longest label needs (within bounds) and labels wrap between words
/// (`SVGBoxText`), so no name is cut inside a word or drawn past its box.
struct LineageGraph {
    let root: LineageNode
    let id: String

    private static let columnGap = 28
    private static let rowGap = 56
    private static let margin = 12
    private static let name = SVGTextStyle(
        label: SVGLabel(fontSize: 13, bold: true), attributes: " font-weight=\"600\"", lineHeight: 17, maxLines: 2)
    private static let status = SVGTextStyle(
        label: SVGLabel(fontSize: 12, bold: false), attributes: " class=\"status\"", lineHeight: 16, maxLines: 2)
    private static let relation = SVGLabel(fontSize: 12, bold: false)

    private struct Placed {
        var node: LineageNode
        var x: Int
        var y: Int
        var parent: Int?
    }

    /// The texts of a node's box: its name, then its status and developer.
    private static func parts(_ node: LineageNode) -> [SVGBoxText.Part] {
        var second = node.status
        if let developer = node.developer { second += " · \(developer)" }
        return [(SVGBoxText.visible(node.name), name), (SVGBoxText.visible(second), status)]
    }

    func figure() -> String {
        var nodes: [LineageNode] = []
        func collect(_ node: LineageNode) {
            nodes.append(node)
            node.parents.forEach(collect)
        }
        collect(root)
        let inner = SVGBoxText.innerWidth(nodes.map(Self.parts), minimum: 170, maximum: 280)
        let boxWidth = inner + 2 * SVGBoxText.padding
        let boxHeight = nodes.map { SVGBoxText.height(SVGBoxText.lines(Self.parts($0), innerWidth: inner)) }.max() ?? 0

        var placed: [Placed] = []
        var nextLeaf = 0
        // Leaves take the next column; a node sits centred over its first and last parent.
        @discardableResult
        func place(_ node: LineageNode, depth: Int, child: Int?) -> Int {
            let index = placed.count
            let y = Self.margin + depth * (boxHeight + Self.rowGap)
            placed.append(Placed(node: node, x: 0, y: y, parent: child))
            if node.parents.isEmpty {
                placed[index].x = Self.margin + nextLeaf * (boxWidth + Self.columnGap)
                nextLeaf += 1
            } else {
                let xs = node.parents.map { placed[place($0, depth: depth + 1, child: index)].x }
                placed[index].x = ((xs.first ?? 0) + (xs.last ?? 0)) / 2
            }
            return index
        }
        place(root, depth: 0, child: nil)
        let width = 2 * Self.margin + max(1, nextLeaf) * (boxWidth + Self.columnGap) - Self.columnGap
        let height = (placed.map(\.y).max() ?? 0) + boxHeight + Self.margin

        var out = "<figure class=\"lineage\">\n<figcaption id=\"\(id)-title\">Lineage</figcaption>\n"
        out += Self.svgOpen(id: id, width: width, height: height)
        out += "<desc id=\"\(id)-desc\">\(HTMLText.escape(description()))</desc>\n"
        for node in placed {
            guard let childIndex = node.parent else { continue }
            let child = placed[childIndex]
            let x1 = child.x + boxWidth / 2
            let y1 = child.y + boxHeight
            let x2 = node.x + boxWidth / 2
            let y2 = node.y
            let bend = Self.rowGap / 2
            out += "<path class=\"edge\" d=\"M\(x1) \(y1) C\(x1) \(y1 + bend) \(x2) \(y2 - bend) \(x2) \(y2)\"/>\n"
            if let relation = node.node.relation {
                // One line over the parent's box, no wider than its column.
                let text = SVGBoxText.visible(relation)
                let shown = Self.relation.lines(text, maxWidth: Double(boxWidth + Self.columnGap - 8), maxLines: 1)
                out += "<text class=\"edge-label\" x=\"\(x2)\" y=\"\(y2 - 8)\" text-anchor=\"middle\">"
                if shown != [text] { out += "<title>\(HTMLText.escape(text))</title>" }
                out += "\(HTMLText.escape(shown.first ?? ""))</text>\n"
            }
        }
        for node in placed {
            let status = node.node.status
            var tooltip = "\(node.node.name) — \(status)"
            if let developer = node.node.developer { tooltip += ", \(developer)" }
            if let digest = node.node.manifestSHA256 { tooltip += ", sha256 \(digest)" }
            out += "<g class=\"node \(Self.tone(status))\"><title>\(HTMLText.escape(tooltip))</title>"
            out += "<rect x=\"\(node.x)\" y=\"\(node.y)\" width=\"\(boxWidth)\" height=\"\(boxHeight)\" rx=\"6\"/>"
            out += SVGBoxText.svg(SVGBoxText.lines(Self.parts(node.node), innerWidth: inner), x: node.x, y: node.y)
            out += "</g>\n"
        }
        out += "</svg>\n"
        out += treeList()
        return out + "</figure>\n"
    }

    /// The same tree as a nested list, for screen readers, copying and narrow screens.
    private func treeList() -> String {
        func item(_ node: LineageNode) -> String {
            var text = ""
            if let relation = node.relation { text += HTMLText.escape(relation) + " " }
            text += "<strong>\(HTMLText.escape(node.name))</strong> — "
            text += HTMLText.escape(node.status)
            if let developer = node.developer { text += ", \(HTMLText.escape(developer))" }
            if let digest = node.manifestSHA256 {
                text += ", sha256 <code class=\"digest\">\(HTMLText.escape(digest))</code>"
            }
            if !node.parents.isEmpty {
                text += "\n<ul>\n" + node.parents.map(item).joined() + "</ul>\n"
            }
            return "<li>\(text)</li>\n"
        }
        return "<ul class=\"tree\">\n" + item(root) + "</ul>\n"
    }

    private func description() -> String {
        var parts: [String] = []
        func walk(_ node: LineageNode, child: String?) {
            if let child {
                parts.append("\(child) \(node.relation ?? "derives from") \(node.name) (\(node.status))")
            } else {
                parts.append("\(node.name) (\(node.status))")
            }
            for parent in node.parents { walk(parent, child: node.name) }
        }
        walk(root, child: nil)
        return "Lineage: " + parts.joined(separator: "; ")
    }

    /// The opening `<svg>` tag, labelled by the figure caption and the `<desc>` that follows it.
    static func svgOpen(id: String, width: Int, height: Int) -> String {
        "<svg id=\"\(id)\" role=\"img\" aria-labelledby=\"\(id)-title \(id)-desc\" "
            + "viewBox=\"0 0 \(width) \(height)\" width=\"\(width)\" height=\"\(height)\">\n"
    }

    /// Colour class for a node status (`LineageResolver.Link.Status`): verified; doubtful — the ancestor may be
    /// fine but nothing proves it (unsigned, untrusted, not resolved); or broken (missing, mismatch, invalid,
    /// cycle, too deep). Anything else is neutral.
    static func tone(_ status: String) -> String {
        switch status {
        case "verified": return "ok"
        case "unsigned", "unverified", "untrusted", "not-resolved": return "doubt"
        case "missing", "mismatch", "invalid", "cycle", "too-deep": return "bad"
        default: return "other"
        }
    }
}
