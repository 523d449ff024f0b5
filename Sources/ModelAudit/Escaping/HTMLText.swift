import Foundation

/// HTML text and attribute values: markup escaped, hidden characters shown.
///
/// `& < > " '` become references, so input can open no element, attribute or entity; every character
/// `VisibleEscape` names becomes a visible escape, so no bidi control reorders a table cell. Tab stays; a line break
/// (LF or CRLF) is written `&#10;`, which HTML reads as the same white space, so no input starts a physical line of
/// the page (a CI log that prints it runs no `::` command); `multiline` shows it as `<br>`. A lone CR is an escape.
/// `##[` is written `##&#91;` for the same reason.
public enum HTMLText {
    /// Text content or a quoted attribute value.
    public static func escape(_ value: String) -> String {
        var out = ""
        var hashes = 0
        let text = value.replacingOccurrences(of: "\r\n", with: "\n")
        for scalar in VisibleEscape.apply(text, keep: { $0 == "\t" || $0 == "\n" }).unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\n": out += "&#10;"
            case "[" where hashes >= 2: out += "&#91;"
            default: out.unicodeScalars.append(scalar)
            }
            hashes = scalar == "#" ? hashes + 1 : 0
        }
        return out
    }

    /// `escape(value)` with each line break shown as `<br>`, for prose in table cells.
    public static func multiline(_ value: String) -> String {
        escape(value).replacingOccurrences(of: "&#10;", with: "<br>")
    }
}
