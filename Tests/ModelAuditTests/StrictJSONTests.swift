import Foundation
import Testing

@testable import ModelAudit

// MARK: - Helpers

private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// Byte offset of the `occurrence`-th `needle` in `text`, so expected offsets are derived, not hand-counted.
private func offset(of needle: String, in text: String, occurrence: Int = 1) -> Int {
    let haystack = Array(text.utf8)
    let pattern = Array(needle.utf8)
    var seen = 0
    for start in 0...(haystack.count - pattern.count) where Array(haystack[start..<start + pattern.count]) == pattern {
        seen += 1
        if seen == occurrence { return start }
    }
    return -1
}

private func parse(_ text: String, limits: JSONLimits = .default) throws -> JSONValue {
    try StrictJSON.parse(bytes(text), limits: limits)
}

private func expectParseError(
    _ input: [UInt8], _ kind: JSONParseError.Kind, at offset: Int, limits: JSONLimits = .default,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(throws: JSONParseError(kind: kind, offset: offset), sourceLocation: sourceLocation) {
        try StrictJSON.parse(input, limits: limits)
    }
}

private func expectParseError(
    _ text: String, _ kind: JSONParseError.Kind, at offset: Int, limits: JSONLimits = .default,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    expectParseError(bytes(text), kind, at: offset, limits: limits, sourceLocation: sourceLocation)
}

// MARK: - Parser

@Suite("StrictJSON parser")
struct StrictJSONParserTests {
    @Test func parsesEveryKindOfValue() throws {
        let value = try parse(#"{"n":null,"t":true,"f":false,"i":-12,"d":1.5e3,"s":"x","a":[1,[]],"o":{}}"#)
        let object = try #require(value.objectValue)
        #expect(object.keys == ["n", "t", "f", "i", "d", "s", "a", "o"])
        #expect(object["n"] == .null)
        #expect(object["t"]?.boolValue == true)
        #expect(object["f"]?.boolValue == false)
        #expect(object["i"]?.numberValue?.int64 == -12)
        #expect(object["d"]?.numberValue?.double == 1500)
        #expect(object["d"]?.numberValue?.int64 == nil)
        #expect(object["s"]?.stringValue == "x")
        #expect(object["a"]?.arrayValue?.count == 2)
        #expect(object["o"]?.objectValue?.isEmpty == true)
        #expect(value.kindName == "object")
        #expect(object["missing"] == nil)
    }

    @Test func duplicateKeyAtDepthThree() {
        let text = #"{"a":{"b":{"c":1,"c":2}}}"#
        expectParseError(text, .duplicateKey("c"), at: offset(of: #""c""#, in: text, occurrence: 2))
    }

    @Test func duplicateKeyIsComparedAfterUnescaping() {
        let text = #"{"a":1,"\u0061":2}"#
        expectParseError(text, .duplicateKey("a"), at: offset(of: #""\u0061""#, in: text))
    }

    @Test func canonicallyEquivalentKeysAreDuplicates() {
        // "é" precomposed and decomposed: no Swift dictionary can tell them apart, so both cannot be accepted.
        let text = #"{"\u00e9":1,"e\u0301":2}"#
        expectParseError(text, .duplicateKey("e\u{301}"), at: offset(of: #""e\u0301""#, in: text))
    }

    @Test func kelvinSignKeyDuplicatesAnASCIIKey() {
        // U+212A is canonically "K": a key of one ASCII byte and a key of three UTF-8 bytes are still the same key,
        // whichever comes first and whether the sign is written raw or escaped.
        for (first, second) in [("K", "\u{212A}"), ("\u{212A}", "K"), ("K", #"\u212A"#), (#"\u212a"#, "K")] {
            let text = #"{""# + first + #"":1,"ab":2,""# + second + #"":3}"#
            expectParseError(text, .duplicateKey("K"), at: offset(of: "\"" + second + "\"", in: text))
        }
    }

    @Test func duplicateKeyAfterKeysOfOtherLengths() {
        let text = #"{"abc":1,"a":2,"abcd":3,"ab":4,"a":5}"#
        expectParseError(text, .duplicateKey("a"), at: offset(of: #""a""#, in: text, occurrence: 2))
    }

    @Test func duplicateKeyInLargeObjectUsesTheIndex() throws {
        let members = (0..<40).map { "\"k\($0)\":\($0)" }
        let valid = "{" + members.joined(separator: ",") + "}"
        let object = try #require(try parse(valid).objectValue)
        #expect(object.count == 40)
        #expect(object["k33"]?.numberValue?.int64 == 33)
        #expect(object["k40"] == nil)

        let text = "{" + members.joined(separator: ",") + ",\"k7\":0}"
        expectParseError(text, .duplicateKey("k7"), at: offset(of: #""k7""#, in: text, occurrence: 2))
    }

    @Test func sameKeyInSiblingObjectsIsFine() throws {
        let value = try parse(#"[{"a":1},{"a":2}]"#)
        #expect(value.arrayValue?.count == 2)
    }

    @Test func invalidUTF8InsideAString() {
        expectParseError(bytes(#"["ab"#) + [0xFF] + bytes(#"cd"]"#), .invalidUTF8, at: 4)
    }

    @Test func invalidUTF8OutsideStrings() {
        expectParseError(bytes("[1, ") + [0xFF] + bytes("]"), .invalidUTF8, at: 4)
        expectParseError(bytes("{} ") + [0x80], .invalidUTF8, at: 3)
        expectParseError([0xC3], .invalidUTF8, at: 0)
    }

    @Test func overlongEncodingIsRejected() {
        // C0 AF is an overlong "/".
        expectParseError(bytes(#"""#) + [0xC0, 0xAF] + bytes(#"""#), .invalidUTF8, at: 1)
        // E0 80 AF is a three-byte overlong "/".
        expectParseError(bytes(#"["x"#) + [0xE0, 0x80, 0xAF] + bytes(#""]"#), .invalidUTF8, at: 3)
    }

    @Test func surrogateEncodedInUTF8IsRejected() {
        expectParseError(bytes(#"""#) + [0xED, 0xA0, 0x80] + bytes(#"""#), .invalidUTF8, at: 1)
    }

    @Test func bytesBeyondU10FFFFAndTruncatedSequencesAreRejected() {
        expectParseError(bytes(#"""#) + [0xF5, 0x80, 0x80, 0x80] + bytes(#"""#), .invalidUTF8, at: 1)
        expectParseError(bytes(#"""#) + [0xF4, 0x90, 0x80, 0x80] + bytes(#"""#), .invalidUTF8, at: 1)
        expectParseError(bytes(#"""#) + [0xE2, 0x82], .invalidUTF8, at: 1)
        expectParseError(bytes(#"""#) + [0xE2, 0x82] + bytes(#"""#), .invalidUTF8, at: 1)
    }

    @Test func validMultibyteTextIsKept() throws {
        let text = "héllo € 𝄞 日本"
        #expect(try parse("\"\(text)\"") == .string(text))
        #expect(try parse(#"{"k":"\n\u00e9€"}"#)["k"] == .string("\n\u{e9}€"))
    }

    @Test func byteOrderMarkIsRejected() {
        expectParseError([0xEF, 0xBB, 0xBF] + bytes("{}"), .unexpectedCharacter("byte order mark U+FEFF"), at: 0)
    }

    @Test func loneSurrogateEscapesAreRejected() {
        expectParseError(#""\uD800""#, .invalidString(#"unpaired high surrogate \uD800"#), at: 1)
        expectParseError(#"["a\uDC00"]"#, .invalidString(#"unpaired low surrogate \uDC00"#), at: 3)
        expectParseError(#""\uD800\u0041""#, .invalidString(#"unpaired high surrogate \uD800"#), at: 1)
        expectParseError(#""\uD800x""#, .invalidString(#"unpaired high surrogate \uD800"#), at: 1)
    }

    @Test func surrogatePairDecodesToOneScalar() throws {
        let value = try parse(#""\uD83D\uDE00""#)
        let string = try #require(value.stringValue)
        #expect(Array(string.unicodeScalars) == [Unicode.Scalar(0x1F600)])
        #expect(try parse(#""\ud834\udd1e""#) == .string("𝄞"))
    }

    @Test func everyEscapeDecodes() throws {
        #expect(try parse(#""\"\\\/\b\f\n\r\t\u0000\u001f\u00e9""#) == .string("\"\\/\u{8}\u{c}\n\r\t\u{0}\u{1f}é"))
    }

    @Test func invalidEscapesAreRejected() {
        expectParseError(#""\x""#, .invalidEscape(#"\x"#), at: 1)
        expectParseError(#""ab\u12G4""#, .invalidEscape(#"\u12G4"#), at: 3)
        expectParseError(#""\'""#, .invalidEscape(#"\'"#), at: 1)
        expectParseError(#""\u00"#, .unexpectedEnd, at: 5)
    }

    @Test func controlCharacterInStringIsRejected() {
        expectParseError("\"a\tb\"", .invalidString("unescaped control character U+0009"), at: 2)
        expectParseError(bytes("[\"") + [0x00] + bytes("\"]"), .invalidString("unescaped control character U+0000"),
            at: 2)
        expectParseError("{\"a\nb\":1}", .invalidString("unescaped control character U+000A"), at: 3)
    }

    @Test func specialBytesAreFoundAtEveryPositionOfALongString() throws {
        // Strings are skipped eight bytes at a time; put each kind of special byte at every place in and across
        // those words, so a skip that went too far would keep a wrong string or report a wrong offset.
        for before in 0..<20 {
            let lead = bytes("[\"") + Array(repeating: UInt8(ascii: "a"), count: before)
            let tail = Array(repeating: UInt8(ascii: "b"), count: 11) + bytes("\"]")
            let plain = String(repeating: "a", count: before)
            let trailing = String(repeating: "b", count: 11)
            #expect(try StrictJSON.parse(lead + bytes("\"]")) == .array([.string(plain)]))
            #expect(try StrictJSON.parse(lead + bytes(#"\n"#) + tail) == .array([.string(plain + "\n" + trailing)]))
            #expect(try StrictJSON.parse(lead + bytes("é") + tail) == .array([.string(plain + "é" + trailing)]))
            expectParseError(lead + [0x01] + tail, .invalidString("unescaped control character U+0001"), at: 2 + before)
            expectParseError(lead + [0xFF] + tail, .invalidUTF8, at: 2 + before)
        }
    }

    @Test func unterminatedStringIsUnexpectedEnd() {
        expectParseError(#"["abc"#, .unexpectedEnd, at: 5)
        expectParseError(#"["a\"#, .unexpectedEnd, at: 4)
    }

    @Test func hundredThousandDeepNestingFailsFast() {
        let input = [UInt8](repeating: UInt8(ascii: "["), count: 100_000)
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            expectParseError(input, .tooDeep(limit: 64), at: 64)
        }
        #expect(elapsed < .seconds(1))
        let objects = String(repeating: #"{"a":"#, count: 100_000)
        expectParseError(objects, .tooDeep(limit: 64), at: 64 * 5)
    }

    @Test func depthExactlyAtTheLimitPasses() throws {
        let arrays = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        _ = try parse(arrays)
        let objects = String(repeating: #"{"a":"#, count: 63) + "{}" + String(repeating: "}", count: 63)
        _ = try parse(objects)
        let tooDeep = "[" + arrays + "]"
        expectParseError(tooDeep, .tooDeep(limit: 64), at: 64)
        expectParseError("[[[]]]", .tooDeep(limit: 2), at: 2, limits: JSONLimits(maxDepth: 2))
        _ = try parse("1", limits: JSONLimits(maxDepth: 0))
    }

    @Test func deepNestingWithARaisedLimitDoesNotRecurse() throws {
        let depth = 5_000
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        let value = try parse(text, limits: JSONLimits(maxDepth: depth))
        #expect(value.kindName == "array")
    }

    @Test func sizeLimitIsCheckedFirst() throws {
        let limits = JSONLimits(maxBytes: 10)
        expectParseError("[1,2,3,4,5]", .tooLarge(limit: 10, actual: 11), at: 0, limits: limits)
        // Checked before anything else, so even garbage of the wrong size reports the size.
        expectParseError([0xFF] + bytes("xxxxxxxxxx"), .tooLarge(limit: 10, actual: 11), at: 0, limits: limits)
        _ = try parse("[1,2,3,45]", limits: limits)
        #expect(JSONLimits.default.maxBytes == 16 * 1024 * 1024)
        #expect(JSONLimits.default.maxDepth == 64)
    }

    @Test func trailingBytesAreRejected() {
        expectParseError("{} x", .trailingBytes, at: 3)
        expectParseError("1 2", .trailingBytes, at: 2)
        expectParseError("{}{}", .trailingBytes, at: 2)
        expectParseError("\"a\"\0", .trailingBytes, at: 3)
    }

    @Test func whitespaceAroundTheValueIsAllowed() throws {
        #expect(try parse(" \t\r\n{ \"a\" :\t[ 1 , 2 ]\n}\r\n ") == .object(try JSONObject([
            ("a", .array([.number(JSONNumber(1)), .number(JSONNumber(2))]))
        ])))
        // Only the four RFC 8259 whitespace characters.
        expectParseError("\u{0C}1", .unexpectedCharacter("byte 0x0c"), at: 0)
        expectParseError(bytes("1") + [0xC2, 0xA0], .trailingBytes, at: 1)
    }

    @Test func emptyInputIsUnexpectedEnd() {
        expectParseError("", .unexpectedEnd, at: 0)
        expectParseError("  \n", .unexpectedEnd, at: 3)
        expectParseError("[1,", .unexpectedEnd, at: 3)
        expectParseError(#"{"a""#, .unexpectedEnd, at: 4)
        expectParseError(#"{"a":"#, .unexpectedEnd, at: 5)
        expectParseError("{", .unexpectedEnd, at: 1)
    }

    @Test func structuralErrorsNameTheCharacter() {
        expectParseError("[1,]", .unexpectedCharacter("']'"), at: 3)
        expectParseError(#"{"a":1,}"#, .unexpectedCharacter("'}'"), at: 7)
        expectParseError(#"{"a" 1}"#, .unexpectedCharacter("'1'"), at: 5)
        expectParseError("[1 2]", .unexpectedCharacter("'2'"), at: 3)
        expectParseError("{1:2}", .unexpectedCharacter("'1'"), at: 1)
        expectParseError("['a']", .unexpectedCharacter("'''"), at: 1)
        expectParseError("[é]", .unexpectedCharacter("U+00E9 'é'"), at: 1)
        expectParseError("[1}", .unexpectedCharacter("'}'"), at: 2)
    }

    @Test func literalsMustBeExact() throws {
        #expect(try parse("true") == .bool(true))
        #expect(try parse(" null ") == .null)
        expectParseError("tru", .unexpectedEnd, at: 3)
        expectParseError("True", .unexpectedCharacter("'T'"), at: 0)
        expectParseError("nulL", .unexpectedCharacter("'L'"), at: 3)
        expectParseError("truex", .trailingBytes, at: 4)
        expectParseError("[falsey]", .unexpectedCharacter("'y'"), at: 6)
        expectParseError("NaN", .unexpectedCharacter("'N'"), at: 0)
    }

    @Test func tooLargeNumbersAreUnrepresentable() {
        expectParseError("1e400", .unrepresentableNumber("1e400"), at: 0)
        expectParseError("[0, -1.5E+309]", .unrepresentableNumber("-1.5E+309"), at: 4)
        let long = "1" + String(repeating: "0", count: 400) + ".5"
        expectParseError(long, .unrepresentableNumber(String(long.prefix(40)) + "…"), at: 0)
    }

    @Test func int64BoundsAreExact() throws {
        #expect(try parse("9223372036854775807").numberValue?.int64 == Int64.max)
        #expect(try parse("-9223372036854775808").numberValue?.int64 == Int64.min)
        expectParseError("9223372036854775808", .unrepresentableNumber("9223372036854775808"), at: 0)
        expectParseError("-9223372036854775809", .unrepresentableNumber("-9223372036854775809"), at: 0)
        expectParseError("[18446744073709551616]", .unrepresentableNumber("18446744073709551616"), at: 1)
        // The same magnitude with an exponent or fraction is a Double, and fine.
        #expect(try parse("9223372036854775808.0").numberValue?.double == 9_223_372_036_854_775_808.0)
    }

    @Test func negativeZeroIsAllowed() throws {
        let number = try #require(try parse("-0").numberValue)
        #expect(number.literal == "-0")
        #expect(number.int64 == 0)
        #expect(number.double == 0)
        #expect(try parse("-0.0e0").numberValue?.double.sign == .minus)
    }

    @Test(arguments: [
        ("01", "leading zero in 01"),
        ("-01", "leading zero in -01"),
        ("00.5", "leading zero in 00"),
        ("-", "'-' must be followed by a digit"),
        ("-a", "'-' must be followed by a digit"),
        ("1.", "'.' must be followed by a digit"),
        ("1.e5", "'.' must be followed by a digit"),
        ("1e", "the exponent must have a digit"),
        ("1e+", "the exponent must have a digit"),
        ("-1E-x", "the exponent must have a digit"),
    ])
    func invalidNumbers(text: String, reason: String) {
        expectParseError(text, .invalidNumber(reason), at: 0)
        expectParseError("[" + text + "]", .invalidNumber(reason), at: 1)
    }

    @Test func numbersThatAreNotJSONAtAll() {
        expectParseError(".5", .unexpectedCharacter("'.'"), at: 0)
        expectParseError("+1", .unexpectedCharacter("'+'"), at: 0)
        expectParseError("0x10", .trailingBytes, at: 1)
        expectParseError("1.5.3", .trailingBytes, at: 3)
    }

    @Test func numbersKeepTheirLiteral() throws {
        let number = try #require(try parse("[1.50E+2]").arrayValue?.first?.numberValue)
        #expect(number.literal == "1.50E+2")
        #expect(number.description == "1.50E+2")
        #expect(number.double == 150)
        #expect(number.int64 == nil)
        #expect(try parse("1e2").numberValue?.int64 == nil)
        #expect(try parse("1e-400").numberValue?.double == 0)
        #expect(JSONNumber(literal: "12") == JSONNumber(12))
        #expect(JSONNumber(literal: "1.0")?.int64 == nil)
        #expect(JSONNumber(literal: " 1") == nil)
        #expect(JSONNumber(literal: "01") == nil)
        #expect(JSONNumber(literal: "1e999") == nil)
        #expect(JSONNumber(Double.infinity) == nil)
        #expect(JSONNumber(0.25)?.double == 0.25)
    }

    @Test func acceptsDataAndSlices() throws {
        let data = Data(#"{"a":[true]}"#.utf8)
        #expect(try StrictJSON.parse(data)["a"] == .array([.bool(true)]))
        let slice = bytes("xx[1]yy")[2..<5]
        #expect(try StrictJSON.parse(slice) == .array([.number(JSONNumber(1))]))
        #expect(try StrictJSON.parse("null".utf8) == .null)
    }

    @Test func errorDescriptionsAreOneLine() {
        let text = #"{"payloadType":"x","payload":"y","payload":"z"}"#
        let error = JSONParseError(kind: .duplicateKey("payload"), offset: offset(of: #""payload""#, in: text,
            occurrence: 2))
        #expect(error.description == "duplicate key \"payload\" at byte 33")
        #expect(throws: error) { try parse(text) }
        let hostile = JSONParseError(kind: .duplicateKey("a\nb\u{1b}[31m"), offset: 3).description
        #expect(!hostile.contains("\n") && !hostile.contains("\u{1b}"))
        #expect(JSONParseError(kind: .tooLarge(limit: 1, actual: 2), offset: 0).description
            == "JSON input of 2 bytes exceeds the limit of 1 bytes")
    }

    @Test func objectEqualityIgnoresOrderAndObjectInitRejectsDuplicates() throws {
        #expect(try parse(#"{"a":1,"b":2}"#) == parse(#"{"b":2,"a":1}"#))
        #expect(try parse(#"{"a":1,"b":2}"#) != parse(#"{"a":1,"b":3}"#))
        #expect(try parse("[1,2]") != parse("[2,1]"))
        #expect(throws: JSONObject.DuplicateKey(key: "a")) {
            try JSONObject([("a", .null), ("a", .bool(true))])
        }
    }

    @Test func roundTripsThroughFoundationJSON() throws {
        let text = #"{"z":[1,-2,3.25,"s",null,true,{"k":"\u00e9"}],"a":{}}"#
        let value = try parse(text)
        let encoded = try JSONEncoder().encode(value)
        #expect(try StrictJSON.parse(encoded) == value)
        let viaFoundation = try JSONDecoder().decode(JSONValue.self, from: encoded)
        #expect(viaFoundation == value)
    }
}

// MARK: - JSON pointers

@Suite("StrictJSON pointers")
struct StrictJSONPointerTests {
    @Test func escapesPerRFC6901() throws {
        #expect(jsonPointer(["signatures", "0", "sig"]) == "/signatures/0/sig")
        #expect(jsonPointer([]) == "")
        #expect(JSONPointer.root.appending("a/b").appending("m~n").appending(3).description == "/a~1b/m~0n/3")
        let parsed = try #require(JSONPointer(parsing: "/a~1b/m~0n/3"))
        #expect(parsed.tokens == ["a/b", "m~n", "3"])
        #expect(JSONPointer(parsing: "a") == nil)
        #expect(JSONPointer(parsing: "/a~2") == nil)
        #expect(JSONPointer(parsing: "")?.isRoot == true)
        // "~01" is "~1" unescaped once, not "/".
        #expect(JSONPointer(parsing: "/~01")?.tokens == ["~1"])
    }

    @Test func resolvesValues() throws {
        let value = try parse(#"{"a/b":[{"c":true}],"":1}"#)
        #expect(value.value(at: try #require(JSONPointer(parsing: "/a~1b/0/c"))) == .bool(true))
        #expect(value.value(at: try #require(JSONPointer(parsing: "/"))) == .number(JSONNumber(1)))
        #expect(value.value(at: try #require(JSONPointer(parsing: "/a~1b/01"))) == nil)
        #expect(value.value(at: try #require(JSONPointer(parsing: "/a~1b/1"))) == nil)
        #expect(value.value(at: .root) == value)
    }
}

// MARK: - Speed

@Suite("StrictJSON speed")
struct StrictJSONSpeedTests {
    /// A manifest-shaped document of about 5 MB; the time is printed for the record, never asserted.
    @Test func parsesFiveMegabytes() throws {
        var text = #"{"subject":["#
        var index = 0
        while text.utf8.count < 5_000_000 {
            if index > 0 { text += "," }
            text += #"{"name":"weights/model-\#(index).safetensors","digest":{"sha256":"#
            text += #""9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"},"#
            text += #""size":\#(index * 7919),"ratio":0.\#(index),"tags":["fp16","shard","\u00e9t\u00e9"],"ok":true}"#
            index += 1
        }
        text += "]}"
        let input = bytes(text)
        let clock = ContinuousClock()
        var value = JSONValue.null
        let elapsed = try clock.measure { value = try StrictJSON.parse(input) }
        #expect(value["subject"]?.arrayValue?.count == index)
        let megabytes = Double(input.count) / 1_000_000
        print("StrictJSON: parsed \(String(format: "%.1f", megabytes)) MB (\(index) members) in \(elapsed)")
    }
}

/// Strings are skipped eight bytes at a time while every byte is plain ASCII; whatever stops the skip must be found
/// at every position of a word, and in the tail shorter than a word.
@Suite("StrictJSON strings read a word at a time")
struct StrictJSONWordSkipTests {
    /// `"` + `prefix` + `special` + `suffix` + `"` for every split of 23 plain characters around `special`.
    static func strings(around special: String) -> [(text: String, value: String)] {
        (0...23).map { split in
            let prefix = String(repeating: "a", count: split)
            let suffix = String(repeating: "z", count: 23 - split)
            return ("\"" + prefix + special + suffix + "\"", prefix + special + suffix)
        }
    }

    @Test(
        "escapes, non-ASCII and DEL are read right wherever they sit",
        arguments: [(#"\""#, "\""), (#"\\"#, "\\"), (#"\n"#, "\n"), (#"\u0041"#, "A"), ("é", "é"), ("\u{7F}", "\u{7F}"),
                    ("\u{202E}", "\u{202E}"), ("~", "~"), (" ", " ")])
    func specialCharacters(escaped: String, decoded: String) throws {
        for (text, value) in Self.strings(around: escaped) {
            let parsed = try parse(text)
            #expect(parsed.stringValue == value.replacingOccurrences(of: escaped, with: decoded), "\(text)")
        }
    }

    @Test("a raw control character is refused wherever it sits")
    func controlCharacters() {
        for control in ["\u{01}", "\u{1F}", "\t", "\n"] {
            for (text, _) in Self.strings(around: control) {
                #expect(throws: JSONParseError.self, "\(Array(text.utf8))") { try parse(text) }
            }
        }
    }

    @Test("a string ends at its first unescaped quote wherever it sits")
    func quoteEndsTheString() throws {
        for split in 0...23 {
            let text = "[\"" + String(repeating: "a", count: split) + "\",\"" + String(repeating: "b", count: 23 - split)
                + "\"]"
            let parsed = try parse(text)
            #expect(parsed.arrayValue?.map(\.stringValue) == [String(repeating: "a", count: split),
                                                              String(repeating: "b", count: 23 - split)])
        }
    }
}
