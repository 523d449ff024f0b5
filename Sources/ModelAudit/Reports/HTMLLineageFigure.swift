import Foundation

/// A model's ancestry as an inline SVG tree: the model on top, each generation of parents one row below, edges
/// labelled with the relation, boxes coloured (and labelled) by verification status.
struct LineageGraph {
    let root: LineageNode
    let id: String

    private static let boxWidth = 220
    private static let boxHeight = 52
    private static let columnGap = 24
    private static let rowGap = 56
    private static let margin = 12

    private struct Placed {
        var node: LineageNode
        var x: Int
        var y: Int
        var parent: Int?
    }

    func figure() -> String {
        var placed: [Placed] = []
        var nextLeaf = 0
        // Leaves take the next column; a node sits centred over its first and last parent.
        @discardableResult
        func place(_ node: LineageNode, depth: Int, child: Int?) -> Int {
            let index = placed.count
            let y = Self.margin + depth * (Self.boxHeight + Self.rowGap)
            placed.append(Placed(node: node, x: 0, y: y, parent: child))
            if node.parents.isEmpty {
                placed[index].x = Self.margin + nextLeaf * (Self.boxWidth + Self.columnGap)
                nextLeaf += 1
            } else {
                let xs = node.parents.map { placed[place($0, depth: depth + 1, child: index)].x }
                placed[index].x = ((xs.first ?? 0) + (xs.last ?? 0)) / 2
            }
            return index
        }
        place(root, depth: 0, child: nil)
        let width = 2 * Self.margin + max(1, nextLeaf) * (Self.boxWidth + Self.columnGap) - Self.columnGap
        let height = (placed.map(\.y).max() ?? 0) + Self.boxHeight + Self.margin

        var out = "<figure class=\"lineage\">\n<figcaption id=\"\(id)-title\">Lineage</figcaption>\n"
        out += Self.svgOpen(id: id, width: width, height: height)
        out += "<desc id=\"\(id)-desc\">\(HTMLText.escape(description()))</desc>\n"
        for node in placed {
            guard let childIndex = node.parent else { continue }
            let child = placed[childIndex]
            let x1 = child.x + Self.boxWidth / 2
            let y1 = child.y + Self.boxHeight
            let x2 = node.x + Self.boxWidth / 2
            let y2 = node.y
            let bend = Self.rowGap / 2
            out += "<path class=\"edge\" d=\"M\(x1) \(y1) C\(x1) \(y1 + bend) \(x2) \(y2 - bend) \(x2) \(y2)\"/>\n"
            if let relation = node.node.relation {
                out += "<text class=\"edge-label\" x=\"\(x2)\" y=\"\(y2 - 8)\" text-anchor=\"middle\">"
                out += "\(HTMLText.escape(HTMLReportRenderer.truncate(relation, 30)))</text>\n"
            }
        }
        for node in placed {
            let status = node.node.status
            var tooltip = "\(node.node.name) — \(status)"
            if let developer = node.node.developer { tooltip += ", \(developer)" }
            if let digest = node.node.manifestSHA256 { tooltip += ", sha256 \(digest)" }
            var second = status
            if let developer = node.node.developer { second += " · \(developer)" }
            out += "<g class=\"node \(Self.tone(status))\"><title>\(HTMLText.escape(tooltip))</title>"
            out += "<rect x=\"\(node.x)\" y=\"\(node.y)\" width=\"\(Self.boxWidth)\" height=\"\(Self.boxHeight)\" "
            out += "rx=\"6\"/>"
            out += "<text x=\"\(node.x + 10)\" y=\"\(node.y + 21)\" font-weight=\"600\">"
            out += "\(HTMLText.escape(HTMLReportRenderer.truncate(node.node.name, 28)))</text>"
            out += "<text class=\"status\" x=\"\(node.x + 10)\" y=\"\(node.y + 40)\">"
            out += "\(HTMLText.escape(HTMLReportRenderer.truncate(second, 32)))</text></g>\n"
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
