/// Text inside a double-quoted Graphviz DOT string (a node or edge label).
///
/// Hidden characters become visible escapes first; then `\` and `"` are backslash-escaped, so an input backslash
/// is shown as itself instead of acting as a label escape (`\n`, `\l`, `\N` …) and no quote ends the string. The
/// result holds no line break, so the DOT file keeps one statement per line.
public enum GraphvizText {
    public static func label(_ value: String) -> String {
        var out = ""
        for scalar in TerminalText.escape(value).unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
