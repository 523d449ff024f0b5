import Foundation

/// Text laid out for an SVG box, which does not wrap or clip by itself: widths estimated from the characters and
/// the font size, lines broken at spaces, never inside a word.
///
/// The estimate takes, for each class of characters, the widest advance among them in DejaVu Sans — the widest of
/// the faces the style sheet's `system-ui, … sans-serif` resolves to, and the one Linux uses — so a label measured
/// to fit also fits in the narrower faces of other systems. A label with more lines than allowed keeps its first
/// words and ends in ` …` after a whole word; the full text is the node's `<title>` tooltip and is in the list
/// under each figure.
struct SVGLabel {
    /// Font size in pixels, as the style sheet sets it for this kind of text.
    let fontSize: Double
    /// Whether the text is drawn bold (weight 600: up to 12% wider).
    let bold: Bool

    /// The estimated width of `text` in pixels.
    func width(_ text: String) -> Double {
        var ems = 0.0
        for scalar in text.unicodeScalars {
            ems += Self.advance(scalar)
        }
        return (ems * fontSize * (bold ? 1.12 : 1)).rounded(.up)
    }

    /// Advance width of one character in ems, regular weight.
    static func advance(_ scalar: Unicode.Scalar) -> Double {
        switch scalar {
        case " ", "i", "j", "l", "I", "J", ".", ",", "'", "`": return 0.32
        case ":", ";", "|", "!", "(", ")", "[", "]", "/", "\\", "f", "t", "r", "-", "\"": return 0.46
        case "m", "w", "M", "W", "@", "%", "&", "_": return 1.0
        case "a"..."z", "0"..."9", "$", "{", "}", "*", "?": return 0.64
        case "A"..."Z": return 0.8
        default:
            // Wide scripts (CJK, Hangul, emoji), dashes and the ellipsis take a full em; other letters and
            // symbols (é, ✔, ←, +, =) less.
            return scalar.value >= 0x1100 || scalar == "—" || scalar == "…" ? 1.0 : 0.84
        }
    }

    /// `text` in lines of at most `maxWidth` pixels, at most `maxLines` of them, broken between words. A word wider
    /// than `maxWidth` stands alone on its line: callers size their boxes with `narrowest` so that never
    /// overflows. When words are left over, the last line ends in ` …` after a whole word.
    func lines(_ text: String, maxWidth: Double, maxLines: Int) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ") {
            let candidate = current.isEmpty ? String(word) : current + " " + word
            if current.isEmpty || width(candidate) <= maxWidth {
                current = candidate
            } else {
                lines.append(current)
                current = String(word)
            }
        }
        if !current.isEmpty { lines.append(current) }
        guard lines.count > maxLines, maxLines > 0 else { return lines }
        var kept = Array(lines.prefix(maxLines))
        var last = kept.removeLast().split(separator: " ").map(String.init)
        while last.count > 1, width(last.joined(separator: " ") + Self.ellipsis) > maxWidth { last.removeLast() }
        kept.append(last.joined(separator: " ") + Self.ellipsis)
        return kept
    }

    /// What ends a label that lost words.
    static let ellipsis = " …"

    /// The narrowest line width that holds every word of `text` whole, with room for the ellipsis after it.
    func narrowest(_ text: String) -> Double {
        widestWord(text) + width(Self.ellipsis)
    }

    /// The width of the widest single word of `text`: the narrowest box its label can have without cutting a word.
    func widestWord(_ text: String) -> Double {
        text.split(separator: " ").map { width(String($0)) }.max() ?? 0
    }
}

/// One kind of text in a figure's boxes: how it is measured, drawn and how many lines it may take.
struct SVGTextStyle {
    let label: SVGLabel
    /// Attributes of its `<text>` element (a class or weight the style sheet matches), with a leading space.
    let attributes: String
    let lineHeight: Int
    let maxLines: Int
}

/// The texts of the boxes of one figure, laid out in boxes of one common width.
struct SVGBoxText {
    typealias Part = (text: String, style: SVGTextStyle)
    typealias Line = (text: String, style: SVGTextStyle)

    /// Inner padding of a box.
    static let padding = 10

    /// The inner width every box of a figure gets: wide enough for its longest label on one line, kept between
    /// `minimum` and `maximum`, but never narrower than its longest word (with an ellipsis), so no word is cut.
    static func innerWidth(_ boxes: [[Part]], minimum: Double, maximum: Double) -> Int {
        var wanted = minimum
        var floor = 0.0
        for part in boxes.joined() {
            wanted = max(wanted, part.style.label.width(part.text))
            floor = max(floor, part.style.label.narrowest(part.text))
        }
        return Int(max(min(wanted, maximum), floor).rounded(.up))
    }

    /// The lines of one box's parts, each wrapped to `innerWidth`.
    static func lines(_ parts: [Part], innerWidth: Int) -> [Line] {
        parts.flatMap { part in
            part.style.label.lines(part.text, maxWidth: Double(innerWidth), maxLines: part.style.maxLines)
                .map { (text: $0, style: part.style) }
        }
    }

    /// The height of a box holding `lines`.
    static func height(_ lines: [Line]) -> Int {
        2 * padding + lines.reduce(0) { $0 + $1.style.lineHeight }
    }

    /// The `<text>` elements of a box whose top left corner is at (`x`, `y`).
    static func svg(_ lines: [Line], x: Int, y: Int) -> String {
        var out = ""
        var top = y + padding
        for line in lines {
            // The baseline sits a font size below the line's top, leaving the rest of the line height as leading.
            let baseline = top + Int(line.style.label.fontSize.rounded(.up))
            out += "<text x=\"\(x + padding)\" y=\"\(baseline)\"\(line.style.attributes)>"
            out += "\(HTMLText.escape(line.text))</text>"
            top += line.style.lineHeight
        }
        return out
    }

    /// Input text as a label shows it: on one line, hidden and control characters made visible.
    static func visible(_ text: String) -> String {
        TerminalText.escape(text)
    }
}
