/// Text inside a Mermaid flowchart label (`id["label"]` or an edge's `|label|`).
///
/// Mermaid reads `#name;` and `#123;` as entity codes and passes labels through an HTML sanitiser, so the
/// characters that could end a label or open markup or an entity — `" | < > & #` and the backtick of a Markdown
/// string — are written as decimal entity codes (`#34;`), which Mermaid shows as the character. Hidden characters
/// become visible escapes; the result holds no line break.
public enum MermaidText {
    public static func label(_ value: String) -> String {
        var out = ""
        for scalar in TerminalText.escape(value).unicodeScalars {
            switch scalar {
            case "\"", "|", "<", ">", "&", "#", "`":
                out += "#\(scalar.value);"
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
