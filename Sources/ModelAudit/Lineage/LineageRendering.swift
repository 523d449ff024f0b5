import Foundation

/// Text, Graphviz and Mermaid renderings of an ancestry tree (the HTML report draws its own SVG).
///
/// Names, relations, statuses and developers come from manifests; each rendering escapes them for its syntax
/// (`TerminalText`, `GraphvizText`, `MermaidText`), so none can hold a control character or a line of its own.
///
/// A manifest reached by several paths is drawn once: the text tree marks its later appearances
/// `(repeat: see above)` without their parents, and the graphs draw one node per manifest with an edge per path.
public enum LineageRendering {
    /// An indented tree: `model ← relation ← parent [status]`.
    public static func text(_ root: LineageNode) -> String {
        var lines = ["\(root.name) [\(root.status)]" + (root.developer.map { " — \($0)" } ?? "")]
        func walk(_ node: LineageNode, prefix: String) {
            for (index, parent) in node.parents.enumerated() {
                let last = index == node.parents.count - 1
                let digest = parent.manifestSHA256.map { " sha256:\($0.prefix(12))…" } ?? ""
                lines.append("\(prefix)\(last ? "└─" : "├─") \(parent.relation ?? "parent") ← \(parent.name) "
                    + "[\(parent.status)]\(parent.developer.map { " — \($0)" } ?? "")\(digest)"
                    + (parent.repeated == true ? " (repeat: see above)" : ""))
                walk(parent, prefix: prefix + (last ? "   " : "│  "))
            }
        }
        walk(root, prefix: "")
        // Names, relations and developers come from manifests: each line is escaped for a terminal as a whole.
        return lines.map(TerminalText.escape).joined(separator: "\n") + "\n"
    }

    /// Graphviz `digraph`, edges from parent to child labelled with the relation.
    public static func dot(_ root: LineageNode) -> String {
        var out = "digraph lineage {\n  rankdir=BT;\n  node [shape=box, style=rounded];\n"
        var counter = 0
        var drawn: [String: String] = [:]
        func walk(_ node: LineageNode) -> String {
            if node.repeated == true, let digest = node.manifestSHA256, let known = drawn[digest] { return known }
            counter += 1
            let me = "n\(counter)"
            if let digest = node.manifestSHA256 { drawn[digest] = me }
            let color = node.status == "verified" ? "darkgreen" : "red3"
            let label = "\(GraphvizText.label(node.name))\\n\(GraphvizText.label(node.status))"
            out += "  \(me) [label=\"\(label)\", color=\(color)];\n"
            for parent in node.parents {
                let them = walk(parent)
                out += "  \(them) -> \(me) [label=\"\(GraphvizText.label(parent.relation ?? ""))\"];\n"
            }
            return me
        }
        _ = walk(root)
        return out + "}\n"
    }

    /// Mermaid `graph BT`.
    public static func mermaid(_ root: LineageNode) -> String {
        var out = "graph BT\n"
        var counter = 0
        var drawn: [String: String] = [:]
        func walk(_ node: LineageNode) -> String {
            if node.repeated == true, let digest = node.manifestSHA256, let known = drawn[digest] { return known }
            counter += 1
            let me = "n\(counter)"
            if let digest = node.manifestSHA256 { drawn[digest] = me }
            let label = "\(MermaidText.label(node.name))<br/>\(MermaidText.label(node.status))"
            out += "  \(me)[\"\(label)\"]\n"
            if node.status != "verified" { out += "  style \(me) stroke:#c00,stroke-width:2px\n" }
            for parent in node.parents {
                let them = walk(parent)
                out += "  \(them) -->|\(MermaidText.label(parent.relation ?? "parent"))| \(me)\n"
            }
            return me
        }
        _ = walk(root)
        return out
    }
}
