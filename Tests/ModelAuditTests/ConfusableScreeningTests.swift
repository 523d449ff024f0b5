import AuditCrypto
import Foundation
import Testing

@testable import ModelAudit

/// A list in CSL layout with the entities the attacks below try to hide.
private func attackList() throws -> ScreeningList {
    let text = """
        source,name,alt_names,country,addresses,federal_register_notice,start_date
        Entity List,ACME COMPANY LIMITED,Acme Trading,CN,,00 FR 1,2024-01-01
        Entity List,Fidelity Sino Holdings,,HK,,00 FR 2,2024-01-01
        Entity List,Grosse Werke,,RU,,00 FR 3,2024-01-01
        Entity List,Titan Infinity Systems,,IR,,00 FR 4,2024-01-01
        Entity List,Harbor Crest Holdings Co. Ltd.,,HK,,00 FR 5,2024-01-01
        Entity List,Modern Vector AG,,RU,,00 FR 6,2024-01-01
        """
    return try ScreeningList.parse(id: "attack", path: "memory", bytes: Array(text.utf8))
}

/// The list entries `name` matches, by entry name.
private func listed(_ name: String) throws -> [String] {
    try attackList().matches(for: name).map(\.entry.name)
}

@Suite("Screening: invisible characters")
struct InvisibleCharacterTests {
    @Test(arguments: [
        ("\u{200B}", "zero-width space"), ("\u{200C}", "zero-width non-joiner"), ("\u{200D}", "zero-width joiner"),
        ("\u{00AD}", "soft hyphen"), ("\u{2060}", "word joiner"), ("\u{FEFF}", "byte order mark"),
        ("\u{202E}", "right-to-left override"), ("\u{202D}", "left-to-right override"),
        ("\u{2066}", "left-to-right isolate"), ("\u{2069}", "pop directional isolate"),
        ("\u{200E}", "left-to-right mark"), ("\u{061C}", "Arabic letter mark"), ("\u{FE0F}", "variation selector"),
        ("\u{E0041}", "tag letter"), ("\u{034F}", "combining grapheme joiner"), ("\u{180E}", "Mongolian vowel separator"),
        ("\u{3164}", "Hangul filler"), ("\u{0001}", "control character"), ("\u{007F}", "delete"),
    ])
    func anInvisibleCharacterInsideAListedNameDoesNotHideIt(invisible: String, what: String) throws {
        let name = "Ac\(invisible)me Trading"
        #expect(try listed(name) == ["ACME COMPANY LIMITED"], "\(what)")
        let screened = ScreeningName(name)
        #expect(screened.invisibleCharacters == 1, "\(what)")
        #expect(screened.warnings == ["name contains 1 invisible character"], "\(what)")
        #expect(EntityName.normalize(name).value == "acme trading", "\(what)")
    }

    @Test func invisibleCharactersAreCountedInTheWarning() {
        let screened = ScreeningName("Harbor\u{200B} Crest\u{00AD} Holdings")
        #expect(screened.warnings == ["name contains 2 invisible characters"])
        #expect(screened.normalized.value == "harbor crest holdings")
    }

    @Test func invisibleCharactersInTheListAreRemovedToo() throws {
        let text = "source,name,alt_names,country,addresses,federal_register_notice,start_date\n"
            + "S,Nim\u{200B}brel\u{2060} Corp,,,,,\n"
        let list = try ScreeningList.parse(id: "l", path: "memory", bytes: Array(text.utf8))
        #expect(list.matches(for: "Nimbrel").map(\.entry.line) == [2])
    }

    @Test func whitespaceControlsStillSeparateWords() {
        let (text, removed) = EntityName.removingInvisibles("Acme\tTrading\nLtd")
        #expect(removed == 0)
        #expect(EntityName.normalize(text).value == "acme trading")
    }

    @Test func aRightToLeftOverrideIsScreenedInTheOrderItIsDisplayed() throws {
        // Stored as "gnidarT emcA"; shown as "Acme Trading".
        let name = "\u{202E}gnidarT emcA\u{202C}"
        #expect(EntityName.displayOrder(name) == "Acme Trading")
        #expect(try listed(name) == ["ACME COMPANY LIMITED"])
        #expect(ScreeningName(name).warnings == ["name contains 2 invisible characters"])
    }

    @Test func nestedDirectionalRunsKeepTheirOwnOrder() {
        // The left-to-right override inside the right-to-left one is displayed as one unit, in its own order.
        #expect(EntityName.displayOrder("\u{202E}ab\u{202D}cd\u{202C}ef\u{202C}") == "fecdba")
        // A pop directional formatting does not close an isolate; a pop isolate closes what it contains.
        #expect(EntityName.displayOrder("\u{202E}ab\u{2066}cd\u{202C}e\u{2069}f") == "fcdeba")
        #expect(EntityName.displayOrder("Acme \u{2067}Trading\u{2069}") == nil)
    }

    @Test func deeplyNestedOverridesStayLinear() throws {
        // 200 000 nested overrides, each with a letter: quadratic work would not finish.
        let name = String(repeating: "\u{202E}a", count: 200_000) + String(repeating: "\u{202C}", count: 200_000)
        let clock = ContinuousClock()
        var displayed: String?
        let time = clock.measure { displayed = EntityName.displayOrder(name) }
        #expect(displayed?.count == 200_000)
        #expect(time < .seconds(30))
    }
}

@Suite("Screening: look-alike characters")
struct LookAlikeCharacterTests {
    @Test(arguments: [
        ("\u{0410}cme Trading", "Cyrillic capital A"),
        ("A\u{0441}me Trading", "Cyrillic small es"),
        ("\u{0410}\u{0421}\u{041C}\u{0415} Trading", "Cyrillic A, Es, Em, Ie"),
        ("\u{0391}cme Trading", "Greek capital alpha"),
        ("Acme Trad\u{03B9}ng", "Greek small iota"),
        ("\u{0391}C\u{039C}\u{0395} TRADING", "Greek capitals Alpha, Mu and Epsilon"),
        ("Acrne Trading", "r and n for m"),
        ("ACME C0MPANY LIMITED", "digit zero for O"),
        ("ACME COMPANY 1IMITED", "digit one for L"),
        ("ACME COMPANY L\u{0406}MITED", "Cyrillic I in a legal form"),
        ("\u{0391}\u{0421}\u{039C}\u{0415} \u{0422}RADING", "Greek and Cyrillic capitals"),
    ])
    func aLookAlikeSpellingOfAListedNameMatches(name: String, what: String) throws {
        let matches = try attackList().matches(for: name)
        #expect(matches.map(\.entry.name) == ["ACME COMPANY LIMITED"], "\(what)")
    }

    @Test func mAndRNLookAlike() throws {
        // The list has "Modern Vector AG"; "Modem" is drawn with the same strokes.
        let match = try #require(try attackList().matches(for: "Modem Vector").first)
        #expect(match.entry.name == "Modern Vector AG")
        #expect(match.throughLookAlikes)
    }

    @Test func aCyrillicLetterInsideALatinNameIsFlagged() throws {
        let name = "\u{0410}cme Trading"
        let match = try #require(try attackList().matches(for: name).first)
        #expect(match.throughLookAlikes)
        #expect(ScreeningName(name).warnings == ["name mixes Cyrillic and Latin"])
        #expect(ScreeningName("Acm\u{0435} Trading").warnings == ["name mixes Latin and Cyrillic"])
        #expect(ScreeningName("\u{0391}cm\u{0435} Trading").warnings == ["name mixes Greek, Latin and Cyrillic"])
    }

    @Test func aNameWrittenWhollyInLookAlikeCyrillicMatchesWithoutAMixedScriptFlag() throws {
        let name = "\u{0410}\u{0421}\u{041C}\u{0415}"
        #expect(try listed(name + " Trading").isEmpty == false)
        #expect(ScreeningName(name).warnings.isEmpty)
        #expect(ScreeningName(name).scripts == ["Cyrillic"])
    }

    @Test(arguments: [
        ("\u{FF21}\u{FF23}\u{FF2D}\u{FF25} \u{FF34}\u{FF52}\u{FF41}\u{FF44}\u{FF49}\u{FF4E}\u{FF47}", "full-width"),
        ("\u{FB01}delity Sino Holdings", "fi ligature"),
        ("\u{1D400}\u{1D402}\u{1D40C}\u{1D404} Trading", "mathematical bold"),
        ("\u{24B6}cme Trading", "circled letter"),
        ("Acme\u{2122} Trading", "trade mark sign"),
    ])
    func compatibilityFormsMatch(name: String, what: String) throws {
        #expect(try listed(name).count == 1, "\(what)")
    }

    @Test(arguments: [
        ("GRO\u{1E9E}E WERKE", "Grosse Werke"),
        ("Gro\u{00DF}e Werke", "Grosse Werke"),
        ("T\u{0131}tan Infinity Systems", "Titan Infinity Systems"),
        ("TITAN \u{0130}NFINITY SYSTEMS", "Titan Infinity Systems"),
        ("titan infinity systems", "Titan Infinity Systems"),
        ("\u{1E9E}", nil),
    ] as [(String, String?)])
    func caseTricksMatch(name: String, entry: String?) throws {
        #expect(try listed(name) == (entry.map { [$0] } ?? []))
    }

    @Test(arguments: [
        "Acne Trading", "Acme Tradings", "Acme Robotics", "Harbor Crest", "Grosse Werk", "Titan Infinity",
        "Moden Vector", "\u{0413}\u{0430}\u{0437}\u{043F}\u{0440}\u{043E}\u{043C}", "Vector Modern",
    ])
    func innocentDifferentNamesDoNotMatch(name: String) throws {
        #expect(try listed(name).isEmpty)
    }

    @Test func initialismsStillJoinDespiteLetterMapping() {
        // "m" maps to the two letters "rn", but initials are counted as written.
        #expect(EntityName.matchingKey("I.B.M. Corp.") == EntityName.matchingKey("IBM"))
        #expect(EntityName.matchingKey("Acme L.L.C.") == EntityName.matchingKey("ACME"))
        #expect(EntityName.matchingKey("P & T Research") == EntityName.matchingKey("P&T Research"))
    }

    @Test func everyNameThatMatchedBeforeStillMatches() throws {
        // The readable form still decides a plain match, so no spelling the normaliser accepted is lost.
        let pairs = [("Gu\u{00F0}mundur Holdings", "Gudmundur Holdings"), ("Dansk \u{00C6}ble \u{00D8}", "DANSK AEBLE O")]
        for (lhs, rhs) in pairs {
            #expect(ScreeningName(lhs).matches(ScreeningName(rhs)), "\(lhs) / \(rhs)")
            #expect(ScreeningName(lhs).isSpelledLike(ScreeningName(rhs)), "\(lhs) / \(rhs)")
        }
    }
}

@Suite("Screening: Unicode data")
struct UnicodeDataTests {
    @Test func tablesParseCompletely() {
        #expect(ConfusableSkeleton.count == ConfusablesTable.entryCount)
        #expect(ConfusablesTable.entryCount > 3000)
        #expect(UnicodeScripts.script(of: "A") == "Latin")
        #expect(UnicodeScripts.script(of: "\u{0410}") == "Cyrillic")
        #expect(UnicodeScripts.script(of: "\u{03B1}") == "Greek")
        #expect(UnicodeScripts.script(of: "\u{4E2D}") == "Han")
        #expect(UnicodeScripts.script(of: "7") == nil)
        #expect(UnicodeScripts.script(of: "\u{0301}") == nil)
        #expect(UnicodeScripts.script(of: "\u{10300}") == "Old Italic")
    }

    @Test func tableTextIsReadEntryByEntry() {
        let parsed = ConfusableSkeleton.parse("30:4F;6D:72 6E;1D400:41;A6:208F;")
        #expect(parsed.sources == [0x30, 0x6D, 0x1D400, 0xA6])
        #expect(parsed.raw == ["O", "rn", "A", "\u{208F}"])
        // The last entry needs no `;`, and lower-case digits read too.
        #expect(ConfusableSkeleton.parse("1d400:41").sources == [0x1D400])
    }

    @Test func malformedTableEntriesAreLeftOut() {
        // No colon, no source, no target, a bad digit, a surrogate, a value past 32 bits: each entry alone is dropped
        // and the ones around it still read.
        let parsed = ConfusableSkeleton.parse(
            "30 4F;31:6C;:41;32:;33:4G;34:D800;35:123456789;36:41 42;;")
        #expect(parsed.sources == [0x31, 0x36])
        #expect(parsed.raw == ["l", "AB"])
    }

    @Test func byteReaderAgreesWithAPlainReadOfTheWholeTable() {
        // The table as a plain split-and-convert read gives it: the byte reader must keep every entry the same.
        var sources: [UInt32] = []
        var raw: [String] = []
        for entry in ConfusablesTable.encoded.split(separator: ";") {
            let fields = entry.split(separator: ":")
            guard fields.count == 2, let source = UInt32(fields[0], radix: 16) else { continue }
            let scalars = fields[1].split(separator: " ")
                .compactMap { UInt32($0, radix: 16).flatMap(Unicode.Scalar.init) }
            sources.append(source)
            raw.append(String(String.UnicodeScalarView(scalars)))
        }
        let parsed = ConfusableSkeleton.parse(ConfusablesTable.encoded)
        #expect(parsed.sources.count == ConfusablesTable.entryCount)
        #expect(parsed.sources == sources)
        #expect(parsed.raw == raw)
    }

    @Test func scriptTableByteReaderAgreesWithAPlainRead() {
        // The whole table as a split-and-filter read gives it.
        var expected: [(first: UInt32, last: UInt32, script: Int)] = []
        for entry in ScriptTable.encoded.split(separator: ";") {
            let fields = entry.split(separator: ":", maxSplits: 1)
            guard fields.count == 2, let script = Int(fields[1].filter { !$0.isWhitespace }) else { continue }
            let bounds = fields[0].filter { !$0.isWhitespace }.split(separator: "-")
            guard let first = bounds.first.flatMap({ UInt32($0, radix: 16) }),
                let last = (bounds.count > 1 ? bounds.last : bounds.first).flatMap({ UInt32($0, radix: 16) })
            else { continue }
            expected.append((first, last, script))
        }
        let parsed = UnicodeScripts.parse(ScriptTable.encoded)
        #expect(parsed.count == ScriptTable.rangeCount)
        #expect(parsed.map(\.first) == expected.map(\.first))
        #expect(parsed.map(\.last) == expected.map(\.last))
        #expect(parsed.map(\.script) == expected.map(\.script))
    }

    @Test func malformedScriptEntriesAreLeftOut() {
        // Spaces are allowed; no colon, no first, a trailing dash, no script, a bad digit, a script in hex, too many
        // digits: each is dropped and the entries around it still read.
        let parsed = UnicodeScripts.parse(
            " 41 - 5A : 73 ;61-7A;30:1;:2;31-:3;32:;3G:4;33:1A;123456789:5;34:6;; 35:7")
        #expect(parsed.map(\.first) == [0x41, 0x30, 0x34, 0x35])
        #expect(parsed.map(\.last) == [0x5A, 0x30, 0x34, 0x35])
        #expect(parsed.map(\.script) == [73, 1, 6, 7])
    }

    @Test func foundationNormalisesAndFoldsOnThisPlatform() {
        #expect("\u{FB01}".precomposedStringWithCompatibilityMapping == "fi")
        #expect("\u{FF21}".precomposedStringWithCompatibilityMapping == "A")
        #expect("e\u{0301}".precomposedStringWithCompatibilityMapping == "\u{00E9}")
        #expect(ConfusableSkeleton.fold("\u{1E9E}") == "ss")
        #expect(ConfusableSkeleton.fold("\u{00DF}") == "ss")
        #expect(ConfusableSkeleton.fold("\u{03A3}") == "\u{03C3}")
    }

    @Test func prototypesAreSettled() {
        // Skeletons are idempotent: mapping a prototype again changes nothing.
        for scalar in ["\u{0430}", "\u{03B1}", "0", "1", "m", "\u{0441}", "\u{00D7}", "\u{0261}"] as [Unicode.Scalar] {
            let prototype = ConfusableSkeleton.prototype(of: scalar) ?? String(scalar)
            #expect(ConfusableSkeleton.skeleton(prototype) == prototype, "U+\(String(scalar.value, radix: 16))")
        }
        #expect(ConfusableSkeleton.prototype(of: "\u{0430}") == "a")
        #expect(ConfusableSkeleton.prototype(of: "0") == "o")
        #expect(ConfusableSkeleton.prototype(of: "m") == "rn")
        #expect(ConfusableSkeleton.prototype(of: "a") == nil)
    }

    @Test func everyPrototypeSettlesTheSameFromAnyThread() async {
        // Prototypes are settled when first asked for. Two tasks ask for every source of the table at once, in
        // opposite orders: each answer is the same, and settled (mapping it again changes nothing).
        let parsed = ConfusableSkeleton.parse(ConfusablesTable.encoded)
        let scalars = parsed.sources.compactMap(Unicode.Scalar.init)
        #expect(scalars.count == ConfusablesTable.entryCount)
        async let forward = scalars.map { ConfusableSkeleton.prototype(of: $0) }
        async let backward = scalars.reversed().map { ConfusableSkeleton.prototype(of: $0) }
        let (first, second) = await (forward, Array(backward.reversed()))
        #expect(first == second)
        #expect(first.allSatisfy { $0 != nil })
        for (scalar, prototype) in zip(scalars, first) {
            guard let prototype else { continue }
            #expect(ConfusableSkeleton.skeleton(prototype) == prototype, "U+\(String(scalar.value, radix: 16))")
        }
    }

    @Test func theASCIIShortcutAgreesWithTheGeneralPath() {
        // A trailing no-break space is a word break that forces the general (Foundation) path.
        var pairs: [String] = []
        for first in 0x20..<0x7F {
            for second in [0x41, 0x6D, 0x30, 0x31, 0x2E, 0x26, 0x7C, 0x20] {
                pairs.append(String(UnicodeScalar(UInt8(first))) + "x" + String(UnicodeScalar(UInt8(second))))
            }
        }
        pairs += ["I.B.M.", "Acme Co., Ltd.", "A 1 B", "100% Acme", "Smith & Jones"]
        for text in pairs {
            #expect(EntityName.matchingKeys(text) == EntityName.matchingKeys(text + "\u{00A0}"), "\(text)")
        }
    }
}
