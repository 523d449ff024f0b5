import Foundation

/// Maps characters to their UTS #39 confusable prototypes, so names that look alike compare equal.
///
/// The mappings come from Unicode's `confusables.txt` (see `ConfusablesTable`). Screening compares names
/// case-insensitively, so the text is folded first (NFKD and full case folding) and every prototype is
/// *settled*: folded and mapped again until nothing changes. A prototype such as `O` (for the digit zero)
/// therefore becomes `o`, and mapping any text twice gives the same result as mapping it once.
enum ConfusableSkeleton {
    /// Sources in ascending order, with each source's settled prototype at the same position.
    private static let table: (sources: [UInt32], prototypes: [String]) = build()

    /// The settled prototype of `scalar`, or nil when the scalar is its own prototype.
    ///
    /// `scalar` is expected to come from `fold`ed text; other characters may be left unmapped.
    static func prototype(of scalar: Unicode.Scalar) -> String? {
        let sources = table.sources
        var low = 0
        var high = sources.count
        while low < high {
            let middle = (low + high) / 2
            if sources[middle] < scalar.value {
                low = middle + 1
            } else {
                high = middle
            }
        }
        guard low < sources.count, sources[low] == scalar.value else { return nil }
        return table.prototypes[low]
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

    /// Parses `ConfusablesTable.encoded` and settles every prototype.
    private static func build() -> (sources: [UInt32], prototypes: [String]) {
        var sources: [UInt32] = []
        var raw: [String] = []
        sources.reserveCapacity(ConfusablesTable.entryCount)
        raw.reserveCapacity(ConfusablesTable.entryCount)
        for entry in ConfusablesTable.encoded.split(separator: ";") {
            let fields = entry.split(separator: ":", maxSplits: 1)
            guard fields.count == 2, let source = hexValue(fields[0]) else { continue }
            var target = String.UnicodeScalarView()
            for value in fields[1].split(separator: " ") {
                if let number = hexValue(value), let scalar = Unicode.Scalar(number) { target.append(scalar) }
            }
            sources.append(source)
            raw.append(String(target))
        }
        // The generator sorts the entries; sorting again costs little and keeps the binary search sound.
        let order = sources.indices.sorted { sources[$0] < sources[$1] }
        sources = order.map { sources[$0] }
        raw = order.map { raw[$0] }

        func rawPrototype(_ scalar: Unicode.Scalar) -> String? {
            var low = 0
            var high = sources.count
            while low < high {
                let middle = (low + high) / 2
                if sources[middle] < scalar.value { low = middle + 1 } else { high = middle }
            }
            return low < sources.count && sources[low] == scalar.value ? raw[low] : nil
        }
        // Prototypes are already final in `confusables.txt`; folding can expose another mapped character
        // (an upper-case prototype), hence a few rounds. Four are more than any entry needs.
        // Folding ASCII is lower-casing; most prototypes are ASCII, and Foundation is slow to call thousands of times.
        func quickFold(_ text: String) -> String {
            text.utf8.allSatisfy { $0 < 0x80 } ? text.lowercased() : fold(text)
        }
        let prototypes = raw.map { target in
            var settled = quickFold(target)
            for _ in 0..<4 {
                let next = quickFold(map(settled, prototype: rawPrototype))
                if next == settled { break }
                settled = next
            }
            return settled
        }
        return (sources, prototypes)
    }

    private static func hexValue(_ text: Substring) -> UInt32? {
        UInt32(text.filter { !$0.isWhitespace }, radix: 16)
    }
}

/// The Unicode Script property of characters, to notice a name that mixes scripts ("Acme" with a Cyrillic "А").
enum UnicodeScripts {
    private static let ranges: [(first: UInt32, last: UInt32, script: Int)] = build()
    /// `ScriptTable.names` spelled with spaces.
    private static let names = ScriptTable.names.map { $0.replacingOccurrences(of: "_", with: " ") }

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
        var ranges: [(first: UInt32, last: UInt32, script: Int)] = []
        ranges.reserveCapacity(ScriptTable.rangeCount)
        for entry in ScriptTable.encoded.split(separator: ";") {
            let fields = entry.split(separator: ":", maxSplits: 1)
            guard fields.count == 2, let script = Int(fields[1].filter { !$0.isWhitespace }) else { continue }
            let bounds = fields[0].filter { !$0.isWhitespace }.split(separator: "-")
            guard let first = bounds.first.flatMap({ UInt32($0, radix: 16) }),
                let last = (bounds.count > 1 ? bounds.last : bounds.first).flatMap({ UInt32($0, radix: 16) })
            else { continue }
            ranges.append((first, last, script))
        }
        return ranges.sorted { $0.first < $1.first }
    }
}
