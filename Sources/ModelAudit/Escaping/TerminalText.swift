import Foundation

/// Text for a terminal or a CI log (stdout and stderr): input can neither send a control sequence nor start a line.
///
/// Besides the characters `VisibleEscape` makes visible (ESC, BEL, CR, LF, bidi controls …), two spellings are
/// defused because a CI runner acts on them in any log line, whichever program printed it:
///
/// - a line whose first non-blank characters are `::` is a GitHub Actions workflow command (`::error::`,
///   `::add-mask::`, `::stop-commands::`); the runner skips leading white space first, so indenting does not help.
///   The first colon becomes `\u{3A}`.
/// - `##[` starts a legacy workflow command anywhere in a line (`##[error]…`); its bracket becomes `\u{5B}`.
///
/// Ordinary text passes unchanged, and escaping twice changes nothing.
public enum TerminalText {
    /// One value from input, on one line: every unsafe character escaped, line breaks included.
    public static func escape(_ value: String) -> String {
        guardLine(VisibleEscape.apply(value))
    }

    /// Text whose line breaks (LF or CRLF) are kept: each line escaped as `escape` does.
    public static func lines(_ text: String) -> String {
        splitLines(text).map(escape).joined(separator: "\n")
    }

    /// A message of the tool's own that may quote input: a line break is kept only before an indented line (the
    /// tool indents the lines that continue a message, such as a list of problems); any other becomes `\n`, so
    /// quoted input cannot put a line of its own at the left margin.
    public static func message(_ text: String) -> String {
        var out: [String] = []
        for line in splitLines(text) {
            if let last = out.last, !line.hasPrefix("  ") {
                out[out.count - 1] = last + "\\n" + line
            } else {
                out.append(line)
            }
        }
        return out.map(escape).joined(separator: "\n")
    }

    /// A composed output line (which may hold the tool's own colour codes): only the two CI command spellings are
    /// defused, for when the pieces of a line (a word wrapped onto a new line, two values side by side) form one.
    public static func guardLine(_ line: String) -> String {
        var scalars = Array(line.unicodeScalars)
        guard scalars.contains(":") || scalars.contains("#") else { return line }
        var changed = false
        if let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }), first + 1 < scalars.count,
            scalars[first] == ":", scalars[first + 1] == ":"
        {
            scalars.replaceSubrange(first...first, with: VisibleEscape.escapeCode(0x3A).unicodeScalars)
            changed = true
        }
        var index = 0
        while index + 2 < scalars.count {
            if scalars[index] == "#", scalars[index + 1] == "#", scalars[index + 2] == "[" {
                scalars.replaceSubrange((index + 2)...(index + 2), with: VisibleEscape.escapeCode(0x5B).unicodeScalars)
                changed = true
            }
            index += 1
        }
        guard changed else { return line }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars)
        return String(out)
    }

    /// `text` split at LF and CRLF (a lone CR is not a line break here: it is escaped where it stands).
    static func splitLines(_ text: String) -> [String] {
        text.replacingOccurrences(of: "\r\n", with: "\n")
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }
}
