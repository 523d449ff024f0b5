import Foundation

/// Maps characters to their UTS #39 confusable prototypes, so names that look alike compare equal.
///
/// The mappings come from Unicode's `confusables.txt` (see `ConfusablesTable`). Screening compares names
/// case-insensitively, so the text is folded first (NFKD and full case folding) and every prototype is
/// *settled*: folded and mapped again until nothing changes. A prototype such as `O` (for the digit zero)
/// therefore becomes `o`, and mapping any text twice gives the same result as mapping it once.
enum ConfusableSkeleton {
    /// Sources in ascending order, with each source's prototype as `confusables.txt` gives it at the same position.
    private static let table: (sources: [UInt32], raw: [String]) = load()
    /// The settled prototypes asked for so far, by raw prototype (many sources share one).
    ///
    /// Settling every prototype up front cost about 55 million instructions, at the start of every command that
    /// screens a name, to serve the handful of characters real names hold; each is now settled when first asked for.
    private static let settled = NameMemo<String>(settle)

    /// The settled prototype of `scalar`, or nil when the scalar is its own prototype.
    ///
    /// `scalar` is expected to come from `fold`ed text; other characters may be left unmapped.
    static func prototype(of scalar: Unicode.Scalar) -> String? {
        guard let index = position(of: scalar.value) else { return nil }
        return settled(table.raw[index])
    }

    /// Where `value` is among the table's sources, by binary search.
    private static func position(of value: UInt32) -> Int? {
        let sources = table.sources
        var low = 0
        var high = sources.count
        while low < high {
            let middle = (low + high) / 2
            if sources[middle] < value {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return low < sources.count && sources[low] == value ? low : nil
    }

    /// Compatibility decomposition (NFKD, the decomposed form of NFKC) and full case folding: the form that
    /// screening maps, and that `EntityName.normalize` reads.
    static func fold(_ text: String) -> String {
        text.decomposedStringWithCompatibilityMapping.folding(options: [.caseInsensitive], locale: nil)
    }

    /// `fold(text)` with every character replaced by its settled prototype.
    static func skeleton(_ text: String) -> String {
        map(fold(text), prototype: prototype(of:))
    }

    /// How many mappings the table holds (for tests and reports).
    static var count: Int { table.sources.count }

    private static func map(_ text: String, prototype: (Unicode.Scalar) -> String?) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if let target = prototype(scalar) {
                out.append(contentsOf: target.unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// Parses `ConfusablesTable.encoded`: sources in ascending order with their raw prototypes.
    private static func load() -> (sources: [UInt32], raw: [String]) {
        var (sources, raw) = parse(ConfusablesTable.encoded)
        // The generator sorts the entries; sorting again costs little and keeps the binary search sound.
        if !sources.indices.dropFirst().allSatisfy({ sources[$0 - 1] < sources[$0] }) {
            let order = sources.indices.sorted { sources[$0] < sources[$1] }
            sources = order.map { sources[$0] }
            raw = order.map { raw[$0] }
        }
        return (sources, raw)
    }

    /// `target` folded and mapped again until nothing changes.
    ///
    /// Prototypes are already final in `confusables.txt`; folding can expose another mapped character (an upper-case
    /// prototype), hence a few rounds. Four are more than any entry needs.
    private static func settle(_ target: String) -> String {
        func rawPrototype(_ scalar: Unicode.Scalar) -> String? {
            position(of: scalar.value).map { table.raw[$0] }
        }
        // Folding ASCII is lower-casing; most prototypes are ASCII, and Foundation is slow to call.
        func quickFold(_ text: String) -> String {
            text.utf8.allSatisfy { $0 < 0x80 } ? text.lowercased() : fold(text)
        }
        var settled = quickFold(target)
        for _ in 0..<4 {
            let next = quickFold(map(settled, prototype: rawPrototype))
            if next == settled { break }
            settled = next
        }
        return settled
    }

    /// The entries of `SOURCE:TARGET TARGET…;` text (hexadecimal code points): each source with its raw prototype.
    /// An entry that does not read as that shape, or names a value that is no Unicode scalar, is left out.
    static func parse(_ encoded: String) -> (sources: [UInt32], raw: [String]) {
        var sources: [UInt32] = []
        var raw: [String] = []
        sources.reserveCapacity(ConfusablesTable.entryCount)
        raw.reserveCapacity(ConfusablesTable.entryCount)
        var text = encoded
        text.withUTF8 { bytes in
            var position = 0
            /// Hexadecimal digits from `position` on (at most eight), or nil when there are none.
            func number() -> UInt32? {
                var value: UInt32 = 0
                var digits = 0
                while position < bytes.count, digits <= 8, let digit = hexDigit(bytes[position]) {
                    value = value << 4 | digit
                    digits += 1
                    position += 1
                }
                return (1...8).contains(digits) ? value : nil
            }
            while position < bytes.count {
                var target = String.UnicodeScalarView()
                var wellFormed = false
                if let source = number(), position < bytes.count, bytes[position] == UInt8(ascii: ":") {
                    position += 1
                    wellFormed = true
                    while wellFormed, position < bytes.count, bytes[position] != UInt8(ascii: ";") {
                        if bytes[position] == UInt8(ascii: " ") {
                            position += 1
                        } else if let value = number(), let scalar = Unicode.Scalar(value) {
                            target.append(scalar)
                        } else {
                            wellFormed = false
                        }
                    }
                    if wellFormed, !target.isEmpty {
                        sources.append(source)
                        raw.append(String(target))
                    }
                }
                // On to the next entry, past its `;`.
                while position < bytes.count, bytes[position] != UInt8(ascii: ";") { position += 1 }
                position += 1
            }
        }
        return (sources, raw)
    }

    fileprivate static func hexDigit(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte - UInt8(ascii: "A") + 10)
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte - UInt8(ascii: "a") + 10)
        default: return nil
        }
    }
}

/// The Unicode Script property of characters, to notice a name that mixes scripts ("Acme" with a Cyrillic "А").
enum UnicodeScripts {
    private static let ranges: [(first: UInt32, last: UInt32, script: Int)] = build()
    /// `ScriptTable.names` spelled with spaces (byte by byte: they are ASCII, and Foundation's replacing cost more than
    /// reading the whole table).
    private static let names = ScriptTable.names.map { name in
        String(decoding: name.utf8.map { $0 == UInt8(ascii: "_") ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
    }

    /// The script of `scalar`, spelled as in Unicode with spaces (e.g. "Latin", "Old Italic"); nil for
    /// characters of the Common and Inherited scripts (digits, punctuation, combining marks) and unassigned ones.
    static func script(of scalar: Unicode.Scalar) -> String? {
        let ranges = ranges
        var low = 0
        var high = ranges.count
        while low < high {
            let middle = (low + high) / 2
            if ranges[middle].last < scalar.value {
                low = middle + 1
            } else {
                high = middle
            }
        }
        guard low < ranges.count, ranges[low].first <= scalar.value else { return nil }
        let index = ranges[low].script
        let names = names
        return names.indices.contains(index) ? names[index] : nil
    }

    /// The distinct scripts of the characters in `text`, in the order they first appear.
    static func scripts(in text: String) -> [String] {
        var found: [String] = []
        for scalar in text.unicodeScalars {
            let script: String?
            if scalar.isASCII {
                // ASCII letters are Latin; the rest of ASCII is Common.
                script = scalar.properties.isAlphabetic ? "Latin" : nil
            } else {
                script = self.script(of: scalar)
            }
            if let script, !found.contains(script) { found.append(script) }
        }
        return found
    }

    /// True when `scripts` is more than one script, other than the combinations that Japanese, Chinese and
    /// Korean names use every day (UTS #39's "highly restrictive" level: Latin with Han and kana, Bopomofo
    /// or Hangul).
    static func isMixed(_ scripts: [String]) -> Bool {
        guard scripts.count > 1 else { return false }
        let set = Set(scripts)
        let usual: [Set<String>] = [
            ["Latin", "Han", "Hiragana", "Katakana"], ["Latin", "Han", "Bopomofo"], ["Latin", "Han", "Hangul"],
        ]
        return !usual.contains { set.isSubset(of: $0) }
    }

    private static func build() -> [(first: UInt32, last: UInt32, script: Int)] {
        parse(ScriptTable.encoded).sorted { $0.first < $1.first }
    }

    /// The ranges of `FIRST[-LAST]:SCRIPT;` text (code points in hexadecimal, a decimal index into the names), read
    /// as bytes: splitting the text into substrings and filtering them character by character cost about 22 million
    /// instructions the first time a name was checked for mixed scripts. Spaces are ignored; an entry that does not
    /// read as that shape is left out.
    static func parse(_ encoded: String) -> [(first: UInt32, last: UInt32, script: Int)] {
        var ranges: [(first: UInt32, last: UInt32, script: Int)] = []
        ranges.reserveCapacity(ScriptTable.rangeCount)
        var text = encoded
        text.withUTF8 { bytes in
            var position = 0
            func skipSpaces() {
                while position < bytes.count, bytes[position] == UInt8(ascii: " ") { position += 1 }
            }
            /// Digits of `radix` from `position` on (at most eight), or nil when there are none.
            func number(radix: UInt32) -> UInt32? {
                skipSpaces()
                var value: UInt32 = 0
                var digits = 0
                while position < bytes.count, digits <= 8, let digit = ConfusableSkeleton.hexDigit(bytes[position]),
                    digit < radix
                {
                    value = value &* radix &+ digit
                    digits += 1
                    position += 1
                }
                skipSpaces()
                return (1...8).contains(digits) ? value : nil
            }
            func next(_ byte: UInt8) -> Bool {
                guard position < bytes.count, bytes[position] == byte else { return false }
                position += 1
                return true
            }
            while position < bytes.count {
                if let first = number(radix: 16) {
                    var last: UInt32? = first
                    if next(UInt8(ascii: "-")) { last = number(radix: 16) }
                    if let last, next(UInt8(ascii: ":")), let script = number(radix: 10),
                        position == bytes.count || bytes[position] == UInt8(ascii: ";")
                    {
                        ranges.append((first, last, Int(script)))
                    }
                }
                // On to the next entry, past its `;`.
                while position < bytes.count, bytes[position] != UInt8(ascii: ";") { position += 1 }
                position += 1
            }
        }
        return ranges
    }
}
