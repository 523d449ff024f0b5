import Foundation

/// A name as screening sees it: the forms it is matched on, and what about its spelling a reader should know.
public struct ScreeningName: Sendable, Equatable {
    /// The name as given.
    public let name: String
    /// `EntityName.normalize(name)`: the readable normal form.
    public let normalized: NormalizedName
    /// `EntityName.matchingKey(name)`: the normal form of the name's confusable skeleton.
    public let key: NormalizedName
    /// `EntityName.matchingKeys(name)`: `key`, and the skeleton taken before case folding when it differs.
    public let keys: [NormalizedName]
    /// How many invisible characters (see `EntityName.removingInvisibles`) the name contains.
    public let invisibleCharacters: Int
    /// The scripts of the name's letters, in the order they first appear (Common and Inherited left out).
    public let scripts: [String]
    /// The forms of the name as displayed, when a right-to-left override shows its characters in another order
    /// than they are stored (see `EntityName.displayOrder`); screening matches on these too.
    public let displayed: (normalized: NormalizedName, keys: [NormalizedName])?

    public init(_ name: String) {
        self.name = name
        let cleaned = EntityName.removingInvisibles(name)
        invisibleCharacters = cleaned.removed
        (normalized, keys) = EntityName.forms(name)
        key = keys[0]
        scripts = UnicodeScripts.scripts(in: cleaned.text)
        displayed = EntityName.displayOrder(name).map(EntityName.forms)
    }

    /// Every (readable form, matching keys) the name is screened by: as stored, and as displayed when different.
    public var forms: [(normalized: NormalizedName, keys: [NormalizedName])] {
        [(normalized, keys)] + (displayed.map { [$0] } ?? [])
    }

    /// Two analyses are equal when they are of the same name: every other member follows from it.
    public static func == (lhs: ScreeningName, rhs: ScreeningName) -> Bool {
        lhs.name == rhs.name
    }

    /// True when the letters come from more than one script, beyond the mixes CJK names use (see
    /// `UnicodeScripts.isMixed`): "Асme" with a Cyrillic "А", say.
    public var mixesScripts: Bool { UnicodeScripts.isMixed(scripts) }

    /// What a finding about this name should point out, e.g. "name contains 2 invisible characters" and
    /// "name mixes Latin and Cyrillic"; empty for an ordinary name.
    public var warnings: [String] {
        var warnings: [String] = []
        if invisibleCharacters > 0 {
            let noun = invisibleCharacters == 1 ? "character" : "characters"
            warnings.append("name contains \(invisibleCharacters) invisible \(noun)")
        }
        if mixesScripts {
            warnings.append("name mixes \(Self.list(scripts))")
        }
        return warnings
    }

    /// True when `self` and `other` name the same entity for screening: equal readable forms or equal skeletons.
    /// A name that normalises to nothing matches nothing.
    public func matches(_ other: ScreeningName) -> Bool {
        forms.contains { mine in
            other.forms.contains { theirs in
                (!mine.normalized.isEmpty && mine.normalized == theirs.normalized)
                    || mine.keys.contains { !$0.isEmpty && theirs.keys.contains($0) }
            }
        }
    }

    /// True when `self` and `other` have a readable form in common: spelled alike once invisible characters are
    /// gone, not merely looking alike.
    public func isSpelledLike(_ other: ScreeningName) -> Bool {
        forms.contains { mine in
            !mine.normalized.isEmpty && other.forms.contains { $0.normalized == mine.normalized }
        }
    }

    private static func list(_ items: [String]) -> String {
        guard let last = items.last else { return "" }
        if items.count == 1 { return last }
        return items.dropLast().joined(separator: ", ") + " and " + last
    }
}

extension EntityName {
    /// The name in the order a reader sees it, when a right-to-left override reorders it; nil otherwise.
    ///
    /// Characters between RIGHT-TO-LEFT OVERRIDE (U+202E) and the POP DIRECTIONAL FORMATTING that closes it (or
    /// the end of the name) are displayed in reverse, so "\u{202E}emcA" shows as "Acme". Removing the control
    /// alone would screen "emcA". Embeddings and isolates (U+202A, U+202B, U+202D, U+2066–U+2068) are tracked so
    /// that each pop closes the right one; they do not reorder Latin letters, and a nested run keeps its own order
    /// inside a reversed one. As in the Unicode bidi algorithm, openers beyond a depth of 125 are ignored (which
    /// also keeps the work linear in the length of the name). Letters of right-to-left scripts, which the
    /// algorithm also reorders, are not rearranged: screening lists spell them in stored order too.
    static func displayOrder(_ name: String) -> String? {
        guard name.unicodeScalars.contains("\u{202E}") else { return nil }
        struct Run {
            var reversed: Bool
            var isolate: Bool
            var parts: [String] = []
            var text: String { (reversed ? parts.reversed() : parts).joined() }
        }
        var runs = [Run(reversed: false, isolate: false)]
        var ignoredOpeners = 0
        func open(_ run: Run) {
            if runs.count > 125 {
                ignoredOpeners += 1
            } else {
                runs.append(run)
            }
        }
        func close() {
            guard runs.count > 1, let run = runs.popLast() else { return }
            runs[runs.count - 1].parts.append(run.text)
        }
        for scalar in name.unicodeScalars {
            switch scalar.value {
            case 0x202A, 0x202B, 0x202D, 0x202E:
                open(Run(reversed: scalar.value == 0x202E, isolate: false))
            case 0x2066, 0x2067, 0x2068:
                open(Run(reversed: false, isolate: true))
            case 0x202C where ignoredOpeners > 0, 0x2069 where ignoredOpeners > 0:
                // A pop matching an ignored opener is ignored too.
                ignoredOpeners -= 1
            case 0x202C:
                // A pop closes the innermost embedding or override, never an isolate.
                if runs.count > 1, !runs[runs.count - 1].isolate { close() }
            case 0x2069:
                // A pop-isolate closes the innermost isolate and everything opened inside it.
                if let isolate = runs.lastIndex(where: \.isolate), isolate > 0 {
                    while runs.count > isolate { close() }
                }
            default:
                runs[runs.count - 1].parts.append(String(scalar))
            }
        }
        while runs.count > 1 { close() }
        return runs[0].text
    }

    /// The form screening matches names on: `normalize`'s steps applied to the name's confusable skeleton.
    ///
    /// After invisible characters are removed, the name is decomposed (NFKD, the decomposed form of NFKC) and
    /// fully case-folded, exactly as for `normalize`.
    /// Latin letters without a decomposition are spelled in ASCII (as in `normalize`), then every character is
    /// replaced by its UTS #39 prototype (`ConfusableSkeleton`): Cyrillic "а" and Greek "α" become "a", "0"
    /// becomes "o", "m" becomes "rn". Marks are dropped, and a character whose prototype is not made of letters
    /// and digits separates words. Initialisms are joined by counting the characters as written, so "I.B.M."
    /// and "IBM" still agree although "m" maps to two letters; legal forms are removed by their skeletons.
    ///
    /// The key is for comparison only; it is not meant to be read.
    public static func matchingKey(_ name: String) -> NormalizedName {
        forms(name).keys[0]
    }

    /// `matchingKey(name)`, then, when it differs, the key of the skeleton taken *before* case folding.
    ///
    /// UTS #39 maps upper-case letters by their own shapes: Cyrillic "М" and Greek "Μ" look like "M", while
    /// their folded forms "м" and "μ" do not look like "m". Folding first would let "АСМЕ" in Cyrillic capitals
    /// pass for a name other than "ACME"; mapping first catches it. (Mapping first alone is not enough either:
    /// it maps "I" to "l", so "IBIS" and "ibis" would differ; the readable form and the folded key cover that.)
    public static func matchingKeys(_ name: String) -> [NormalizedName] {
        forms(name).keys
    }

    /// `normalize(name)` and `matchingKeys(name)` at once, decomposing and folding the name only once.
    static func forms(_ name: String) -> (normalized: NormalizedName, keys: [NormalizedName]) {
        let text = replacingTradeMarks(removingInvisibles(name).text)
        var readable: [String]
        var folded: [KeyWord]
        var cased: [KeyWord]
        if let ascii = asciiTokens(text) {
            // ASCII capitals are Latin: the key before folding is the folded key.
            readable = ascii
            folded = asciiKeyWords(text)
            cased = folded
        } else {
            let decomposed = text.decomposedStringWithCompatibilityMapping
            let foldedText = decomposed.folding(options: [.caseInsensitive], locale: nil)
            readable = tokens(folded: foldedText)
            folded = keyWords(foldedText.unicodeScalars) { keyUnit($0, cased: false) }
            // Without capitals beyond ASCII, mapping before folding gives the folded key.
            let capitals = decomposed.unicodeScalars.contains { !$0.isASCII && $0.properties.changesWhenCaseFolded }
            cased = capitals ? keyWords(decomposed.unicodeScalars) { keyUnit($0, cased: true) } : folded
        }
        joinInitialisms(&readable)
        stripLegalForms(&readable)
        let foldedKey = keyName(folded)
        let casedKey = keyName(cased)
        return (NormalizedName(tokens: readable), casedKey == foldedKey ? [foldedKey] : [foldedKey, casedKey])
    }

    private static func keyName(_ words: [KeyWord]) -> NormalizedName {
        var words = words
        joinKeyInitialisms(&words)
        var tokens = words.map(\.text)
        stripLegalForms(&tokens, single: keySuffixes.single, multiWord: keySuffixes.multiWord)
        return NormalizedName(tokens: tokens)
    }

    /// A word of a matching key, with how many characters of the name it was made from.
    struct KeyWord {
        var text = ""
        var characters = 0
        /// True when the word is one alphabetic character of the name (a candidate initial).
        var isInitial = false
    }

    /// What one character of a folded name contributes to its key.
    enum KeyUnit {
        /// Letters or digits; `alphabetic` tells whether the character itself was a letter.
        case letters(String, alphabetic: Bool)
        case and
        case separator
        /// A combining mark: dropped without breaking the word.
        case mark
    }

    /// The unit of one character. With `cased`, the character comes from text that was not case-folded: its own
    /// prototype is used when it has one, otherwise its folded form is mapped.
    static func keyUnit(_ scalar: Unicode.Scalar, cased: Bool) -> KeyUnit {
        // ASCII capitals are Latin letters: compared case-insensitively, never by their own prototypes
        // (which map "I" to "l").
        if scalar.isASCII { return asciiKeyUnits[Int(scalar.value)] }
        return generalKeyUnit(scalar, cased: cased)
    }

    private static func generalKeyUnit(_ scalar: Unicode.Scalar, cased: Bool) -> KeyUnit {
        if scalar == "&" { return .and }
        let category = scalar.properties.generalCategory
        if category == .nonspacingMark || category == .enclosingMark { return .mark }
        let target: String
        if let ascii = latinWithoutDecomposition[scalar] {
            target = ascii
        } else if let prototype = ConfusableSkeleton.prototype(of: scalar) {
            target = prototype
        } else if cased && scalar.properties.changesWhenCaseFolded {
            // Lower-casing stands in for folding here, per character and without Foundation: this key only adds
            // matches for capitals that have prototypes of their own; the folded key covers the rest.
            var mapped = ""
            for part in scalar.properties.lowercaseMapping.unicodeScalars {
                mapped += latinWithoutDecomposition[part] ?? ConfusableSkeleton.prototype(of: part) ?? String(part)
            }
            target = mapped
        } else {
            target = String(scalar)
        }
        var kept = String.UnicodeScalarView()
        for part in target.unicodeScalars {
            switch part.properties.generalCategory {
            case .nonspacingMark, .enclosingMark:
                continue
            case .modifierLetter where (0x02B0...0x02FF).contains(part.value):
                return .separator
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
                .spacingMark, .decimalNumber, .letterNumber, .otherNumber:
                kept.append(part)
            default:
                // Punctuation or a symbol (the prototype of "|" is "l", but that of "%" is "°/₀"): a word break,
                // as in the readable form, unless every part is a letter or digit.
                return .separator
            }
        }
        return kept.isEmpty ? .separator : .letters(String(kept), alphabetic: scalar.properties.isAlphabetic)
    }

    /// The key unit of each ASCII character after lowercasing (folding ASCII is lowercasing), computed by
    /// `keyUnit` so that the shortcut and the general path agree.
    private static let asciiKeyUnits: [KeyUnit] = (0..<128).map { value in
        let byte = UInt8(value)
        let lowered = (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
        return generalKeyUnit(Unicode.Scalar(lowered), cased: false)
    }

    /// `asciiKeyUnits` as bytes, for the shortcut: nil for a word break, `[]` for "&".
    private static let asciiKeyBytes: [(bytes: [UInt8]?, alphabetic: Bool)] = asciiKeyUnits.map { unit in
        switch unit {
        case .letters(let text, let alphabetic): return (Array(text.utf8), alphabetic)
        case .and: return ([], false)
        case .separator, .mark: return (nil, false)
        }
    }

    /// `keyWords` for an all-ASCII name, on bytes: loading a large list normalises every name.
    private static func asciiKeyWords(_ text: String) -> [KeyWord] {
        var words: [KeyWord] = []
        var current: [UInt8] = []
        current.reserveCapacity(32)
        var characters = 0
        var initial = false
        func endWord() {
            if !current.isEmpty {
                words.append(
                    KeyWord(
                        text: String(decoding: current, as: UTF8.self), characters: characters,
                        isInitial: initial && characters == 1))
                current.removeAll(keepingCapacity: true)
            }
            characters = 0
        }
        let table = asciiKeyBytes
        for byte in text.utf8 {
            let unit = table[Int(byte & 0x7F)]
            guard let bytes = unit.bytes else {
                endWord()
                continue
            }
            if bytes.isEmpty {
                endWord()
                words.append(KeyWord(text: "and", characters: 1))
                continue
            }
            if current.isEmpty { initial = unit.alphabetic }
            current.append(contentsOf: bytes)
            characters += 1
        }
        endWord()
        return words
    }

    private static func keyWords(_ scalars: String.UnicodeScalarView, unit: (Unicode.Scalar) -> KeyUnit) -> [KeyWord] {
        var words: [KeyWord] = []
        var current = KeyWord()
        func endWord() {
            if !current.text.isEmpty {
                current.isInitial = current.characters == 1 && current.isInitial
                words.append(current)
            }
            current = KeyWord()
        }
        for scalar in scalars {
            switch unit(scalar) {
            case .letters(let text, let alphabetic):
                if current.text.isEmpty { current.isInitial = alphabetic }
                current.text += text
                current.characters += 1
            case .and:
                endWord()
                words.append(KeyWord(text: "and", characters: 1))
            case .separator:
                endWord()
            case .mark:
                continue
            }
        }
        endWord()
        return words
    }

    /// `joinInitialisms` on key words: a run of two or more one-letter words is joined into one.
    private static func joinKeyInitialisms(_ words: inout [KeyWord]) {
        guard words.contains(where: \.isInitial) else { return }
        var result: [KeyWord] = []
        var run: [KeyWord] = []
        func flush() {
            if run.count >= 2 {
                result.append(KeyWord(text: run.map(\.text).joined(), characters: run.count))
            } else {
                result.append(contentsOf: run)
            }
            run.removeAll()
        }
        for word in words {
            if word.isInitial {
                run.append(word)
            } else {
                flush()
                result.append(word)
            }
        }
        flush()
        words = result
    }

    /// `legalFormSuffixes` in key form ("limited" is "lirnited"), so a suffix spelled with look-alikes goes too.
    private static let keySuffixes: (single: Set<String>, multiWord: [[String]]) = {
        let keyed = legalFormSuffixes.map { suffix in
            suffix.map { word in keyWords(word.unicodeScalars) { asciiKeyUnits[Int($0.value)] }.map(\.text).joined() }
        }
        return (
            Set(keyed.filter { $0.count == 1 }.map { $0[0] }),
            keyed.filter { $0.count > 1 }.sorted { $0.count > $1.count }
        )
    }()
}
