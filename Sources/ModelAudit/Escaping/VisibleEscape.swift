/// The characters from input that are never written as themselves, and the visible escape each becomes.
///
/// Every escaper in this folder starts here, so a terminal, a CI log, a browser and an XML viewer all see the
/// same thing for the same hidden character. A character is unsafe when it can act instead of being read:
///
/// - control characters (C0, DEL, C1 — ESC starts terminal sequences, BEL ends them, CR and LF start lines, NEL is
///   a line break to some readers, CSI U+009B is ESC `[` to others);
/// - format characters (Unicode category Cf): bidirectional embeddings, overrides, isolates and marks, which reorder
///   what is shown (U+061C, U+200E/F, U+202A–202E, U+2066–2069), zero-width characters, soft hyphen, BOM, tags;
/// - the line and paragraph separators U+2028/U+2029;
/// - other default-ignorable code points (Hangul fillers, combining grapheme joiner …), which print as nothing;
/// - non-characters (U+FFFE, U+FFFF …), which XML cannot hold.
///
/// Variation selectors stay: they only pick a glyph for the character before them. A zero-width joiner inside an
/// emoji sequence is escaped like any other — a model's name is not the place for one.
///
/// An escape reads the way Swift writes the character: `\n`, `\r`, `\t`, else `\u{1B}` with at least two upper-case
/// hex digits. A backslash from input is left as it is, so escaping twice changes nothing (what an escape writes
/// is never unsafe itself).
public enum VisibleEscape {
    /// Whether `scalar` must not reach a reader as itself.
    public static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value >= 0x20 && value < 0x7F { return false }
        if value < 0x20 || (0x7F...0x9F).contains(value) { return true }
        let properties = scalar.properties
        switch properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator:
            return true
        default:
            break
        }
        if properties.isNoncharacterCodePoint { return true }
        return properties.isDefaultIgnorableCodePoint && !properties.isVariationSelector
    }

    /// The visible form of `scalar`: `\n`, `\r`, `\t` or `\u{XX}`.
    public static func escape(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "\n": return "\\n"
        case "\r": return "\\r"
        case "\t": return "\\t"
        default: return escapeCode(scalar.value)
        }
    }

    /// `\u{XX}` for any code point, at least two upper-case hex digits.
    public static func escapeCode(_ value: UInt32) -> String {
        let hex = String(value, radix: 16, uppercase: true)
        return "\\u{" + (hex.count < 2 ? "0" + hex : hex) + "}"
    }

    /// `text` with every unsafe character escaped, except those `keep` accepts (a syntax's own line breaks).
    public static func apply(_ text: String, keep: (Unicode.Scalar) -> Bool = { _ in false }) -> String {
        guard text.unicodeScalars.contains(where: { isUnsafe($0) && !keep($0) }) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isUnsafe(scalar) && !keep(scalar) {
                out.append(contentsOf: escape(scalar).unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }
}
