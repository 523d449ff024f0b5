import Foundation

/// Inline text from input in GitHub-flavoured Markdown (table cells, list items, headings), shown as written.
///
/// Punctuation that could start emphasis, a link, an image, HTML, an entity, a heading, strikethrough or a new table
/// cell is backslash-escaped; a line break becomes `<br>`; every character `VisibleEscape` names is a visible escape.
/// GitHub also turns bare `http://`, `https://`, `ftp://` and `www.` into links without any markup, which would let
/// a manifest put a clickable address in a pull-request comment: the scheme separator is written `[:]//` and
/// `www.` as `www[.]`, which no renderer links and a reader still understands.
public enum MarkdownText {
    /// Inline text: safe in a table cell, a list item or a heading.
    public static func inline(_ value: String) -> String {
        var out = ""
        let lines = TerminalText.splitLines(VisibleEscape.apply(value, keep: { $0 == "\n" || $0 == "\r" }))
        for (index, line) in lines.enumerated() {
            if index > 0 { out += "<br>" }
            out += escapeLine(defuseLinks(VisibleEscape.apply(line)))
        }
        return out
    }

    /// A code span: a backtick fence longer than any run inside, `|` escaped (GFM tables split on it even inside
    /// code), line breaks and other hidden characters as visible escapes. Nothing inside a code span is linked.
    public static func code(_ value: String) -> String {
        let text = VisibleEscape.apply(value).replacingOccurrences(of: "|", with: "\\|")
        guard !text.isEmpty else { return "" }
        var longest = 0
        var run = 0
        for character in text {
            run = character == "`" ? run + 1 : 0
            longest = max(longest, run)
        }
        let fence = String(repeating: "`", count: longest + 1)
        let pad = text.hasPrefix("`") || text.hasSuffix("`") ? " " : ""
        return fence + pad + text + pad + fence
    }

    private static func escapeLine(_ line: String) -> String {
        var out = ""
        for character in line {
            switch character {
            case "\\", "`", "*", "_", "[", "]", "<", ">", "|", "~", "&", "#":
                out += "\\" + String(character)
            default:
                out.append(character)
            }
        }
        return out
    }

    /// `scheme://` → `scheme[:]//` and `www.` at the start of a word → `www[.]`, in any letter case. The brackets are
    /// escaped with the rest of the line afterwards.
    static func defuseLinks(_ line: String) -> String {
        guard line.contains("://") || line.range(of: "www.", options: .caseInsensitive) != nil else { return line }
        var out = ""
        var rest = Substring(line)
        while !rest.isEmpty {
            if rest.hasPrefix("://") {
                out += "[:]//"
                rest = rest.dropFirst(3)
                continue
            }
            let atWordStart = out.last.map { !($0.isLetter || $0.isNumber) } ?? true
            if atWordStart, rest.prefix(4).lowercased() == "www." {
                out += rest.prefix(3) + "[.]"
                rest = rest.dropFirst(4)
                continue
            }
            out.append(rest.removeFirst())
        }
        return out
    }
}
