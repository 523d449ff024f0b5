/// XML 1.0 character data and attribute values (JUnit): markup escaped, and nothing XML cannot hold.
///
/// XML 1.0 allows no control character other than tab, LF and CR, and no non-character; those, like every other
/// character `VisibleEscape` names, are written as visible escapes (`\u{1B}`), so the document stays well-formed and
/// a viewer shows what was hidden; so is CR, which a report tool printing a message would send to a terminal as is.
/// Tab and LF are kept, LF as a character reference: a parser reads it back unchanged, and no input starts a
/// physical line of the file (a CI log that prints it runs no `::` command). `##[` is written `##&#91;` for the
/// same reason. Callers that want several lines escape each and join them.
public enum XMLText {
    /// Character data between tags.
    public static func text(_ value: String) -> String {
        escape(value, attribute: false)
    }

    /// An attribute value inside double quotes; tab as a reference too, so attribute normalisation keeps it.
    public static func attribute(_ value: String) -> String {
        escape(value, attribute: true)
    }

    private static func escape(_ value: String, attribute: Bool) -> String {
        var out = ""
        var hashes = 0
        for scalar in VisibleEscape.apply(value, keep: { $0 == "\t" || $0 == "\n" }).unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"" where attribute: out += "&quot;"
            case "'" where attribute: out += "&apos;"
            case "\t" where attribute: out += "&#9;"
            case "\n": out += "&#10;"
            case "[" where hashes >= 2: out += "&#91;"
            default: out.unicodeScalars.append(scalar)
            }
            hashes = scalar == "#" ? hashes + 1 : 0
        }
        return out
    }
}
