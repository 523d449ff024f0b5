import Foundation

/// An entity name reduced to the form screening compares: folded, unaccented, tokenised, legal form removed.
public struct NormalizedName: Hashable, Sendable, CustomStringConvertible {
    /// The tokens joined by single spaces; empty when nothing identifying is left.
    public let value: String
    /// The words of the name, in order.
    public let tokens: [String]

    public init(tokens: [String]) {
        self.tokens = tokens
        self.value = tokens.joined(separator: " ")
    }

    /// True when the name had nothing but punctuation and legal forms (e.g. "Inc."); it never matches.
    public var isEmpty: Bool { tokens.isEmpty }

    public var description: String { value }
}

/// Normalises legal-entity names so that spellings of the same name compare equal, and nothing else does.
///
/// Screening compares names **exactly** after this normalisation. There is deliberately no fuzzy or
/// edit-distance matching: a false hit on a screening list blocks a legitimate vendor and has to be cleared
/// by hand, and a "near" match ("Acmee" for "Acme") is not evidence that two entities are the same. Lists
/// carry the aliases that matter in their `alt_names` column, so variants are matched by listing them.
///
/// The steps, in order:
/// 0. Invisible characters are removed (`removingInvisibles`): default-ignorable code points (zero-width space
///    and joiners, soft hyphen, word joiner, BOM, variation selectors, tag characters, Hangul fillers), format
///    characters (bidi embeddings, overrides and isolates) and controls other than whitespace. An inserted
///    zero-width space would otherwise split "Acme" into "Ac" and "me".
/// 1. `™ ℠ ® ©` become spaces (NFKD would otherwise turn "Acme™" into "AcmeTM").
/// 2. Unicode compatibility decomposition (NFKD): ligatures and full-width forms become plain letters,
///    accented letters become a base letter plus combining marks.
/// 3. Full Unicode case folding ("ß" → "ss", "Σ"/"ς" → "σ").
/// 4. Nonspacing and enclosing marks are dropped, so "Société Générale" → "societe generale" and
///    "Zhōngguó" → "zhongguo". Latin letters with no decomposition are spelled in ASCII:
///    æ → ae, œ → oe, ø → o, đ → d, ð → d, ł → l, ħ → h, ı → i, þ → th, ŧ → t.
/// 5. `&` becomes the word "and".
/// 6. Every other character that is not a letter or a digit (punctuation such as `. , ; : ' " ( ) / - _`,
///    symbols, whitespace, spacing modifier letters such as `ʼ`) separates words.
/// 7. A run of two or more one-letter words is joined into one: "S.A." → "sa", "L.L.C." → "llc",
///    "A/S" → "as", "I.B.M." → "ibm" (dotted initialisms and their undotted spelling compare equal).
/// 8. Legal-form suffixes are removed from the end, repeatedly, until none is left at the end
///    (`legalFormSuffixes` is the exact list): "Foo Holdings Co., Ltd." → "foo holdings".
///    Words such as "holdings", "group" or "international" are part of an identity and are kept.
///
/// Scripts are not transliterated: "Газпром" and "Gazprom" stay different (lists give romanised aliases).
///
/// `normalize` is the readable form. Screening matches on `matchingKey`, which runs the same steps on the
/// UTS #39 confusable skeleton of the name, so a Cyrillic "А" or a Greek "Α" inside a Latin name does not hide it.
public enum EntityName {
    /// Legal-form words removed from the end of a name, after initialisms are joined (step 7), so "co."
    /// is `co`, "s.a." is `sa`, "l.l.c." is `llc`, and "Co., Ltd." is `co` then `ltd`.
    ///
    /// Multi-word entries are removed as a unit only: "private" or "kaisha" alone is kept.
    public static let legalFormSuffixes: [[String]] = [
        // English-speaking jurisdictions
        ["co"], ["company"], ["corp"], ["corporation"], ["inc"], ["incorporated"], ["ltd"], ["limited"],
        ["llc"], ["llp"], ["plc"], ["pte"], ["pty"], ["pvt"], ["private", "limited"],
        // Continental Europe and Latin America
        ["gmbh"], ["ag"], ["sa"], ["sarl"], ["bv"], ["nv"], ["oy"], ["ab"], ["as"], ["spa"], ["srl"], ["ltda"],
        // Russia and other CIS countries
        ["jsc"], ["cjsc"], ["ojsc"], ["pjsc"], ["ooo"], ["zao"],
        // Japan and Malaysia
        ["kk"], ["kabushiki", "kaisha"], ["sdn", "bhd"],
    ]

    /// Normalises `name` as described on `EntityName`.
    public static func normalize(_ name: String) -> NormalizedName {
        var tokens = tokenize(removingInvisibles(name).text)
        joinInitialisms(&tokens)
        stripLegalForms(&tokens)
        return NormalizedName(tokens: tokens)
    }

    /// Steps 1–6: words of folded, unaccented letters and digits.
    static func tokenize(_ name: String) -> [String] {
        // ASCII needs neither decomposition nor full case folding; skipping Foundation keeps a large list
        // quick to load. Both paths give the same words for ASCII input.
        if let tokens = asciiTokens(name) { return tokens }
        return tokens(folded: ConfusableSkeleton.fold(replacingTradeMarks(name)))
    }

    /// Steps 4–6 on text already decomposed (NFKD) and case-folded.
    static func tokens(folded: String) -> [String] {
        var tokens: [String] = []
        var current = String.UnicodeScalarView()
        func endToken() {
            if !current.isEmpty {
                tokens.append(String(current))
                current = String.UnicodeScalarView()
            }
        }
        for scalar in folded.unicodeScalars {
            if scalar.isASCII {
                switch classify(UInt8(scalar.value)) {
                case .keep(let byte): current.append(Unicode.Scalar(byte))
                case .and:
                    endToken()
                    tokens.append("and")
                case .separator: endToken()
                }
                continue
            }
            if let ascii = latinWithoutDecomposition[scalar] {
                current.append(contentsOf: ascii.unicodeScalars)
                continue
            }
            switch scalar.properties.generalCategory {
            case .nonspacingMark, .enclosingMark:
                continue
            case .modifierLetter where (0x02B0...0x02FF).contains(scalar.value):
                endToken()
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
                .spacingMark, .decimalNumber, .letterNumber, .otherNumber:
                current.append(scalar)
            default:
                endToken()
            }
        }
        endToken()
        return tokens
    }

    /// Step 1: `™ ℠ ® ©` become spaces.
    static func replacingTradeMarks(_ name: String) -> String {
        guard name.unicodeScalars.contains(where: isTradeMark) else { return name }
        var cleaned = String.UnicodeScalarView()
        for scalar in name.unicodeScalars {
            cleaned.append(isTradeMark(scalar) ? " " : scalar)
        }
        return String(cleaned)
    }

    private static func isTradeMark(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x2122, 0x2120, 0x00AE, 0x00A9: return true
        default: return false
        }
    }

    /// Step 0: `name` without the characters a reader cannot see, and how many there were.
    ///
    /// Removed: every default-ignorable code point, every format character (general category Cf, which holds
    /// the bidi controls) and every control character that is not whitespace. Whitespace controls (tab, line
    /// feed) stay, as word breaks.
    public static func removingInvisibles(_ name: String) -> (text: String, removed: Int) {
        // ASCII printable text and spaces, the usual case, has nothing to remove.
        if name.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return (name, 0) }
        guard name.unicodeScalars.contains(where: isInvisible) else { return (name, 0) }
        var kept = String.UnicodeScalarView()
        var removed = 0
        for scalar in name.unicodeScalars {
            if isInvisible(scalar) {
                removed += 1
            } else {
                kept.append(scalar)
            }
        }
        return (String(kept), removed)
    }

    private static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        let properties = scalar.properties
        if properties.isDefaultIgnorableCodePoint { return true }
        switch properties.generalCategory {
        case .format: return true
        case .control: return !properties.isWhitespace
        default: return false
        }
    }

    /// The words of an all-ASCII name, or nil if the name has any other character.
    static func asciiTokens(_ name: String) -> [String]? {
        var tokens: [String] = []
        var current: [UInt8] = []
        current.reserveCapacity(32)
        func endToken() {
            if !current.isEmpty {
                tokens.append(String(decoding: current, as: UTF8.self))
                current.removeAll(keepingCapacity: true)
            }
        }
        for byte in name.utf8 {
            guard byte < 0x80 else { return nil }
            switch classify(byte) {
            case .keep(let kept): current.append(kept)
            case .and:
                endToken()
                tokens.append("and")
            case .separator: endToken()
            }
        }
        endToken()
        return tokens
    }

    private enum ASCIIClass {
        case keep(UInt8)
        case and
        case separator
    }

    /// Letters (lowercased) and digits are kept, `&` is the word "and", everything else separates words.
    private static func classify(_ byte: UInt8) -> ASCIIClass {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return .keep(byte | 0x20)
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .keep(byte)
        case UInt8(ascii: "&"): return .and
        default: return .separator
        }
    }

    /// Lowercase Latin letters that NFKD leaves whole, spelled as their usual ASCII transcription.
    static let latinWithoutDecomposition: [Unicode.Scalar: String] = [
        "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ð": "d", "ł": "l", "ħ": "h", "ı": "i", "þ": "th", "ŧ": "t",
    ]

    /// Step 7: "s a" → "sa".
    static func joinInitialisms(_ tokens: inout [String]) {
        guard tokens.contains(where: isSingleLetter) else { return }
        var result: [String] = []
        result.reserveCapacity(tokens.count)
        var run: [String] = []
        func flush() {
            if run.count >= 2 {
                result.append(run.joined())
            } else {
                result.append(contentsOf: run)
            }
            run.removeAll()
        }
        for token in tokens {
            if isSingleLetter(token) {
                run.append(token)
            } else {
                flush()
                result.append(token)
            }
        }
        flush()
        tokens = result
    }

    private static func isSingleLetter(_ token: String) -> Bool {
        // Settle ASCII words by their byte count, so grapheme breaking only runs on the rare other words.
        let bytes = token.utf8
        guard let lead = bytes.first else { return false }
        if lead < 0x80 { return bytes.count == 1 && lead > UInt8(ascii: "9") }
        guard token.count == 1, let first = token.unicodeScalars.first else { return false }
        return first.properties.isAlphabetic
    }

    /// One-word suffixes, looked up by hash: stripping runs for every name of a list at load.
    private static let singleWordSuffixes = Set(legalFormSuffixes.filter { $0.count == 1 }.map { $0[0] })
    /// Multi-word suffixes, longest first, tried before one-word ones so "private limited" goes as a unit.
    private static let multiWordSuffixes = legalFormSuffixes.filter { $0.count > 1 }.sorted { $0.count > $1.count }

    /// Step 8.
    static func stripLegalForms(_ tokens: inout [String]) {
        stripLegalForms(&tokens, single: singleWordSuffixes, multiWord: multiWordSuffixes)
    }

    static func stripLegalForms(_ tokens: inout [String], single: Set<String>, multiWord: [[String]]) {
        while let last = tokens.last {
            if let suffix = multiWord.first(where: { tokens.ends(with: $0) }) {
                tokens.removeLast(suffix.count)
            } else if single.contains(last) {
                tokens.removeLast()
            } else {
                return
            }
        }
    }
}

extension Array where Element == String {
    fileprivate func ends(with suffix: [String]) -> Bool {
        guard count >= suffix.count else { return false }
        let offset = count - suffix.count
        for index in suffix.indices where self[offset + index] != suffix[index] {
            return false
        }
        return true
    }
}
