/// Size and nesting limits applied to untrusted JSON before and while it is parsed.
public struct JSONLimits: Sendable, Equatable {
    /// Inputs longer than this many bytes are refused before any parsing.
    public var maxBytes: Int
    /// The deepest nesting of arrays and objects accepted; `[]` is depth 1, a bare scalar depth 0.
    ///
    /// Parsing does not recurse, but freeing, comparing and decoding a value tree do, so keep this in the
    /// hundreds, not the hundreds of thousands.
    public var maxDepth: Int

    public init(maxBytes: Int = 16 * 1024 * 1024, maxDepth: Int = 64) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
    }

    public static let `default` = JSONLimits()
}

/// Why bytes are not one strict JSON document, and the byte offset where the problem is.
public struct JSONParseError: AuditError, Equatable {
    public var code: AuditErrorCode { .malformedInput }

    /// What is wrong; texts are short descriptions meant for the message, not for matching.
    public enum Kind: Sendable, Equatable {
        case tooLarge(limit: Int, actual: Int)
        case tooDeep(limit: Int)
        case invalidUTF8
        case duplicateKey(String)
        case trailingBytes
        case unexpectedEnd
        /// The character as written in messages: `'x'`, `byte 0x01`, `U+00E9 'é'`, `byte order mark U+FEFF`.
        case unexpectedCharacter(String)
        /// Why the number breaks the RFC 8259 grammar, e.g. `leading zero in "01"`.
        case invalidNumber(String)
        /// The literal of a number no `Int64` (integers) or finite `Double` (others) can hold.
        case unrepresentableNumber(String)
        /// The escape as written, e.g. `\x` or `\u12G4`.
        case invalidEscape(String)
        /// Why the string is not allowed: a raw control character or an unpaired surrogate escape.
        case invalidString(String)
    }

    public let kind: Kind
    /// Byte offset into the input; for a number or an escape, where it starts.
    public let offset: Int
    /// The file the document was read from, when known, so the message says which file to fix.
    public var file: String?

    public init(kind: Kind, offset: Int, file: String? = nil) {
        self.kind = kind
        self.offset = offset
        self.file = file
    }

    public var description: String {
        file.map { "\($0): \(problem)" } ?? problem
    }

    private var problem: String {
        switch kind {
        case .tooLarge(let limit, let actual):
            "JSON input of \(actual) bytes exceeds the limit of \(limit) bytes"
        case .tooDeep(let limit):
            "JSON nested deeper than \(limit) levels at byte \(offset)"
        case .invalidUTF8:
            "invalid UTF-8 at byte \(offset)"
        case .duplicateKey(let key):
            "duplicate key \(quotedForMessage(key)) at byte \(offset)"
        case .trailingBytes:
            "unexpected data after the JSON value at byte \(offset)"
        case .unexpectedEnd:
            "unexpected end of JSON input at byte \(offset)"
        case .unexpectedCharacter(let character):
            "unexpected character \(character) at byte \(offset)"
        case .invalidNumber(let reason):
            "invalid number at byte \(offset): \(reason)"
        case .unrepresentableNumber(let literal):
            "number \(literal) at byte \(offset) is out of range"
        case .invalidEscape(let escape):
            "invalid escape \(escape) at byte \(offset)"
        case .invalidString(let reason):
            "invalid string at byte \(offset): \(reason)"
        }
    }
}

/// Entry points for reading untrusted JSON: RFC 8259 exactly, strict UTF-8, bounded size and depth, unique keys.
public enum StrictJSON {
    /// Parses exactly one JSON value (RFC 8259) from `data`; whitespace around it is allowed, nothing else.
    ///
    /// The size limit is checked before anything is read. The parser never recurses, so nesting is bounded by
    /// `limits.maxDepth` alone and no input can exhaust the stack while parsing; the value tree takes memory
    /// proportional to the input (at most a few dozen bytes per input byte, for a document of tiny numbers).
    /// Throws only `JSONParseError`.
    public static func parse(
        _ data: some Collection<UInt8>, limits: JSONLimits = .default
    ) throws(JSONParseError) -> JSONValue {
        let count = data.count
        guard count <= limits.maxBytes else {
            throw JSONParseError(kind: .tooLarge(limit: limits.maxBytes, actual: count), offset: 0)
        }
        if let result = data.withContiguousStorageIfAvailable({ parse(buffer: $0, limits: limits) }) {
            return try result.get()
        }
        return try Array(data).withUnsafeBufferPointer { parse(buffer: $0, limits: limits) }.get()
    }

    static func parse(buffer: UnsafeBufferPointer<UInt8>, limits: JSONLimits) -> Result<JSONValue, JSONParseError> {
        Result { () throws(JSONParseError) -> JSONValue in
            var parser = StrictJSONParser(bytes: buffer, maxDepth: limits.maxDepth)
            return try parser.parseDocument()
        }
    }
}

// MARK: - The parser

private enum ASCII {
    static let quote = UInt8(ascii: "\"")
    static let backslash = UInt8(ascii: "\\")
    static let slash = UInt8(ascii: "/")
    static let comma = UInt8(ascii: ",")
    static let colon = UInt8(ascii: ":")
    static let openBrace = UInt8(ascii: "{")
    static let closeBrace = UInt8(ascii: "}")
    static let openBracket = UInt8(ascii: "[")
    static let closeBracket = UInt8(ascii: "]")
    static let minus = UInt8(ascii: "-")
    static let plus = UInt8(ascii: "+")
    static let dot = UInt8(ascii: ".")
    static let zero = UInt8(ascii: "0")
    static let nine = UInt8(ascii: "9")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let newline = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")
}

/// A growable stack on the heap whose top elements are moved out, never copied, when a container closes.
///
/// One stack serves the whole parse, so a container costs one exact-size array for its members and nothing for
/// the stack; elements still on it when the parser is dropped (after an error) are freed then.
private struct MoveStack<Element>: ~Copyable {
    private(set) var base: UnsafeMutablePointer<Element>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        base = UnsafeMutablePointer.allocate(capacity: capacity)
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    @inline(__always)
    mutating func push(_ element: consuming Element) {
        if count == capacity { grow() }
        (base + count).initialize(to: element)
        count += 1
    }

    private mutating func grow() {
        let larger = UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2)
        larger.moveInitialize(from: base, count: count)
        base.deallocate()
        base = larger
        capacity *= 2
    }

    /// Forgets the elements from `start` up, which the caller has already moved out.
    mutating func forget(from start: Int) {
        count = start
    }

    /// Moves the elements from `start` up into an array of exactly their number and pops them.
    ///
    /// `reserveCapacity` and `append`, not `Array(unsafeUninitializedCapacity:)`: the latter allocates through an
    /// unspecialized entry point that looks the array's storage type up at run time, which costs more than the moves.
    mutating func popArray(from start: Int) -> [Element] {
        var elements: [Element] = []
        elements.reserveCapacity(count - start)
        for slot in start..<count {
            elements.append((base + slot).move())
        }
        count = start
        return elements
    }
}

/// An iterative RFC 8259 parser over a byte buffer.
///
/// Open containers live on explicit stacks instead of the call stack: `frames` says which containers are open,
/// `values` and `keys` hold their finished members, so closing a container moves its members off the top.
struct StrictJSONParser: ~Copyable {
    private struct Frame {
        let isObject: Bool
        let valueStart: Int
        let keyStart: Int
        /// Whether `keyIndexes.last` belongs to this object, which happens once it grows past
        /// `JSONObject.indexThreshold` members.
        var isIndexed = false
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private let end: Int
    private let maxDepth: Int
    private var index = 0
    private var frames: [Frame] = []
    /// Key → member position for the open objects that are indexed, innermost last.
    private var keyIndexes: [[String: Int]] = []
    private var values = MoveStack<JSONValue>(capacity: 64)
    private var keys = MoveStack<String>(capacity: 32)
    /// Reused for strings with escapes.
    private var scratch: [UInt8] = []

    init(bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.bytes = bytes
        self.end = bytes.count
        self.maxDepth = maxDepth
        // Manifests nest a handful of levels: room for them up front spares the frame stack its first regrowths.
        frames.reserveCapacity(16)
    }

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        nextValue: while true {
            skipWhitespace()
            guard index < end else { throw failure(.unexpectedEnd, at: end) }
            var value: JSONValue
            switch bytes[index] {
            case ASCII.openBrace:
                try checkDepth()
                index += 1
                skipWhitespace()
                if index < end, bytes[index] == ASCII.closeBrace {
                    index += 1
                    value = .object(JSONObject())
                } else {
                    frames.append(Frame(isObject: true, valueStart: values.count, keyStart: keys.count))
                    try readKey()
                    continue nextValue
                }
            case ASCII.openBracket:
                try checkDepth()
                index += 1
                skipWhitespace()
                if index < end, bytes[index] == ASCII.closeBracket {
                    index += 1
                    value = .array([])
                } else {
                    frames.append(Frame(isObject: false, valueStart: values.count, keyStart: keys.count))
                    continue nextValue
                }
            case ASCII.quote:
                value = .string(try parseString())
            case UInt8(ascii: "t"):
                try expectLiteral("true")
                value = .bool(true)
            case UInt8(ascii: "f"):
                try expectLiteral("false")
                value = .bool(false)
            case UInt8(ascii: "n"):
                try expectLiteral("null")
                value = .null
            case ASCII.minus, ASCII.zero...ASCII.nine:
                value = .number(try parseNumber())
            default:
                throw unexpectedCharacter(at: index)
            }

            // Attach the finished value to the innermost open container, closing every container that ends here.
            while let frame = frames.last {
                values.push(consume value)
                skipWhitespace()
                guard index < end else { throw failure(.unexpectedEnd, at: end) }
                let byte = bytes[index]
                if byte == ASCII.comma {
                    index += 1
                    if frame.isObject {
                        skipWhitespace()
                        try readKey()
                    }
                    continue nextValue
                }
                guard byte == (frame.isObject ? ASCII.closeBrace : ASCII.closeBracket) else {
                    throw unexpectedCharacter(at: index)
                }
                index += 1
                value = closeInnermostFrame()
            }
            skipWhitespace()
            if index < end {
                if bytes[index] >= 0x80, utf8SequenceLength(at: index) == 0 {
                    throw failure(.invalidUTF8, at: index)
                }
                throw failure(.trailingBytes, at: index)
            }
            return value
        }
    }

    // MARK: Structure

    private func failure(_ kind: JSONParseError.Kind, at offset: Int) -> JSONParseError {
        JSONParseError(kind: kind, offset: offset)
    }

    private mutating func skipWhitespace() {
        while index < end {
            switch bytes[index] {
            case ASCII.space, ASCII.newline, ASCII.carriageReturn, ASCII.tab: index += 1
            default: return
            }
        }
    }

    private func checkDepth() throws(JSONParseError) {
        guard frames.count < maxDepth else { throw failure(.tooDeep(limit: maxDepth), at: index) }
    }

    /// Reads `"key"` `:` for the innermost object, rejecting a key that repeats one already in that object.
    private mutating func readKey() throws(JSONParseError) {
        guard index < end else { throw failure(.unexpectedEnd, at: end) }
        guard bytes[index] == ASCII.quote else { throw unexpectedCharacter(at: index) }
        let keyOffset = index
        let key = try parseString()
        let top = frames.count - 1
        let keyStart = frames[top].keyStart
        let position = keys.count - keyStart
        if frames[top].isIndexed {
            if keyIndexes[keyIndexes.count - 1].updateValue(position, forKey: key) != nil {
                throw failure(.duplicateKey(key), at: keyOffset)
            }
        } else {
            for slot in keyStart..<keys.count where keys.base[slot] == key {
                throw failure(.duplicateKey(key), at: keyOffset)
            }
            if position == JSONObject.indexThreshold {
                var positions: [String: Int] = [:]
                positions.reserveCapacity(position * 2)
                for offset in 0..<position {
                    positions[keys.base[keyStart + offset]] = offset
                }
                positions[key] = position
                keyIndexes.append(positions)
                frames[top].isIndexed = true
            }
        }
        keys.push(key)
        skipWhitespace()
        guard index < end else { throw failure(.unexpectedEnd, at: end) }
        guard bytes[index] == ASCII.colon else { throw unexpectedCharacter(at: index) }
        index += 1
    }

    private mutating func closeInnermostFrame() -> JSONValue {
        let frame = frames.removeLast()
        if frame.isObject {
            let count = values.count - frame.valueStart
            let keyBase = keys.base + frame.keyStart
            let valueBase = values.base + frame.valueStart
            var members: [JSONObject.Member] = []
            members.reserveCapacity(count)
            for offset in 0..<count {
                members.append(JSONObject.Member(key: (keyBase + offset).move(), value: (valueBase + offset).move()))
            }
            keys.forget(from: frame.keyStart)
            values.forget(from: frame.valueStart)
            let positions = frame.isIndexed ? keyIndexes.removeLast() : nil
            return .object(JSONObject(uniqueMembers: members, positions: positions))
        }
        return .array(values.popArray(from: frame.valueStart))
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let start = index
        for (offset, expected) in UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
            .enumerated()
        {
            let position = start + offset
            guard position < end else { throw failure(.unexpectedEnd, at: end) }
            guard bytes[position] == expected else { throw unexpectedCharacter(at: position) }
        }
        index = start + literal.utf8CodeUnitCount
    }

    /// The error for a byte that cannot start or continue anything here: invalid UTF-8 when it is, else a
    /// description of the character.
    private func unexpectedCharacter(at offset: Int) -> JSONParseError {
        let byte = bytes[offset]
        if byte < 0x80 {
            if byte > 0x20 && byte < 0x7F {
                return failure(.unexpectedCharacter("'\(Character(Unicode.Scalar(byte)))'"), at: offset)
            }
            return failure(.unexpectedCharacter("byte " + hexByte(byte)), at: offset)
        }
        let length = utf8SequenceLength(at: offset)
        guard length > 0 else { return failure(.invalidUTF8, at: offset) }
        let scalar = String(decoding: UnsafeBufferPointer(rebasing: bytes[offset..<offset + length]), as: UTF8.self)
            .unicodeScalars.first.map(\.value) ?? 0
        let code = "U+" + hex4(scalar)
        if scalar == 0xFEFF {
            return failure(.unexpectedCharacter("byte order mark \(code)"), at: offset)
        }
        if let unicodeScalar = Unicode.Scalar(scalar), unicodeScalar.properties.isAlphabetic {
            return failure(.unexpectedCharacter("\(code) '\(Character(unicodeScalar))'"), at: offset)
        }
        return failure(.unexpectedCharacter(code), at: offset)
    }

    // MARK: UTF-8

    /// Length of the well-formed UTF-8 sequence starting at `offset`, or 0 when it is ill-formed or truncated.
    ///
    /// Follows Unicode Table 3-7, which excludes overlong forms, UTF-16 surrogates (ED A0..BF) and anything past
    /// U+10FFFF, so only shortest-form encodings of scalar values pass.
    @inline(__always)
    private func utf8SequenceLength(at offset: Int) -> Int {
        let lead = bytes[offset]
        if lead < 0x80 { return 1 }
        @inline(__always) func continuation(_ position: Int, _ low: UInt8 = 0x80, _ high: UInt8 = 0xBF) -> Bool {
            position < end && bytes[position] >= low && bytes[position] <= high
        }
        switch lead {
        case 0xC2...0xDF:
            return continuation(offset + 1) ? 2 : 0
        case 0xE0:
            return continuation(offset + 1, 0xA0) && continuation(offset + 2) ? 3 : 0
        case 0xE1...0xEC, 0xEE...0xEF:
            return continuation(offset + 1) && continuation(offset + 2) ? 3 : 0
        case 0xED:
            return continuation(offset + 1, 0x80, 0x9F) && continuation(offset + 2) ? 3 : 0
        case 0xF0:
            return continuation(offset + 1, 0x90) && continuation(offset + 2) && continuation(offset + 3) ? 4 : 0
        case 0xF1...0xF3:
            return continuation(offset + 1) && continuation(offset + 2) && continuation(offset + 3) ? 4 : 0
        case 0xF4:
            return continuation(offset + 1, 0x80, 0x8F) && continuation(offset + 2) && continuation(offset + 3)
                ? 4 : 0
        default:
            return 0
        }
    }

    // MARK: Strings

    /// Parses a string starting at the opening quote at `index`.
    private mutating func parseString() throws(JSONParseError) -> String {
        let start = index + 1
        var position = start
        // Eight bytes at a time past plain ASCII (no quote, backslash, control or byte past 0x7F), which is almost
        // every byte of a manifest, base64 payloads above all: each test may only stop the skip early, never late.
        // A test flags a byte wrongly only above (after) one it flags rightly, so the first flagged byte is where the
        // plain run ends, and the skip goes straight there.
        if let base = bytes.baseAddress {
            let ones: UInt64 = 0x0101_0101_0101_0101
            let highs: UInt64 = 0x8080_8080_8080_8080
            while position + 8 <= end {
                let word = UInt64(littleEndian: UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self))
                let quotes = word ^ (UInt64(ASCII.quote) &* ones)
                let backslashes = word ^ (UInt64(ASCII.backslash) &* ones)
                let special = word | ((word &- 0x20 &* ones) & ~word)
                    | ((quotes &- ones) & ~quotes) | ((backslashes &- ones) & ~backslashes)
                let flagged = special & highs
                if flagged != 0 {
                    position += flagged.trailingZeroBitCount >> 3
                    break
                }
                position += 8
            }
        }
        // Fast path: no escapes, so the string is the bytes between the quotes once they are known to be valid.
        var isASCII = true
        while position < end {
            let byte = bytes[position]
            if byte == ASCII.quote {
                index = position + 1
                return validatedString(start..<position, isASCII: isASCII)
            }
            if byte == ASCII.backslash { break }
            if byte < 0x20 { throw controlCharacter(byte, at: position) }
            if byte < 0x80 {
                position += 1
            } else {
                let length = utf8SequenceLength(at: position)
                guard length > 0 else { throw failure(.invalidUTF8, at: position) }
                isASCII = false
                position += length
            }
        }
        guard position < end else { throw failure(.unexpectedEnd, at: end) }

        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<position]))
        while position < end {
            let byte = bytes[position]
            switch byte {
            case ASCII.quote:
                index = position + 1
                return String(decoding: scratch, as: UTF8.self)
            case ASCII.backslash:
                position = try appendEscape(at: position)
            case 0..<0x20:
                throw controlCharacter(byte, at: position)
            case 0x20..<0x80:
                scratch.append(byte)
                position += 1
            default:
                let length = utf8SequenceLength(at: position)
                guard length > 0 else { throw failure(.invalidUTF8, at: position) }
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[position..<position + length]))
                position += length
            }
        }
        throw failure(.unexpectedEnd, at: end)
    }

    /// The bytes in `range`, which this parser has just proved well-formed UTF-8, as a string copied without a
    /// second validation pass; `isASCII` must be exact, as the string keeps it as a flag.
    @inline(__always)
    private func validatedString(_ range: Range<Int>, isASCII: Bool) -> String {
        let utf8 = UnsafeBufferPointer(rebasing: bytes[range])
        if #available(macOS 26, iOS 26, tvOS 26, watchOS 26, visionOS 26, *) {
            let span = unsafe Span(_unsafeElements: utf8)
            return String(copying: unsafe UTF8Span(unchecked: span, isKnownASCII: isASCII))
        }
        return String(decoding: utf8, as: UTF8.self)
    }

    private func controlCharacter(_ byte: UInt8, at offset: Int) -> JSONParseError {
        failure(.invalidString("unescaped control character U+\(hex4(UInt32(byte)))"), at: offset)
    }

    /// Appends the character the escape at `offset` (a backslash) stands for; returns the offset after it.
    private mutating func appendEscape(at offset: Int) throws(JSONParseError) -> Int {
        guard offset + 1 < end else { throw failure(.unexpectedEnd, at: end) }
        let replacement: UInt8
        switch bytes[offset + 1] {
        case ASCII.quote: replacement = ASCII.quote
        case ASCII.backslash: replacement = ASCII.backslash
        case ASCII.slash: replacement = ASCII.slash
        case UInt8(ascii: "b"): replacement = 0x08
        case UInt8(ascii: "f"): replacement = 0x0C
        case UInt8(ascii: "n"): replacement = ASCII.newline
        case UInt8(ascii: "r"): replacement = ASCII.carriageReturn
        case UInt8(ascii: "t"): replacement = ASCII.tab
        case UInt8(ascii: "u"):
            return try appendUnicodeEscape(at: offset)
        default:
            let byte = bytes[offset + 1]
            let shown = byte > 0x20 && byte < 0x7F ? String(Character(Unicode.Scalar(byte))) : "<\(hexByte(byte))>"
            throw failure(.invalidEscape("\\" + shown), at: offset)
        }
        scratch.append(replacement)
        return offset + 2
    }

    /// Handles `\uXXXX` at `offset`, combining a surrogate pair; a surrogate without its partner is refused.
    private mutating func appendUnicodeEscape(at offset: Int) throws(JSONParseError) -> Int {
        let first = try hexQuad(escapeAt: offset)
        var scalarValue = UInt32(first)
        var next = offset + 6
        switch first {
        case 0xD800...0xDBFF:
            guard next + 1 < end, bytes[next] == ASCII.backslash, bytes[next + 1] == UInt8(ascii: "u") else {
                if next + 1 >= end, next >= end || bytes[next] == ASCII.backslash {
                    throw failure(.unexpectedEnd, at: end)
                }
                throw failure(.invalidString("unpaired high surrogate \(escapeText(first))"), at: offset)
            }
            let second = try hexQuad(escapeAt: next)
            guard (0xDC00...0xDFFF).contains(second) else {
                throw failure(.invalidString("unpaired high surrogate \(escapeText(first))"), at: offset)
            }
            scalarValue = 0x10000 + ((UInt32(first) - 0xD800) << 10) + (UInt32(second) - 0xDC00)
            next += 6
        case 0xDC00...0xDFFF:
            throw failure(.invalidString("unpaired low surrogate \(escapeText(first))"), at: offset)
        default:
            break
        }
        guard let scalar = Unicode.Scalar(scalarValue) else {
            throw failure(.invalidString("not a Unicode scalar \(escapeText(first))"), at: offset)
        }
        UTF8.encode(scalar) { scratch.append($0) }
        return next
    }

    /// The four hex digits of the `\u` escape whose backslash is at `offset`.
    private func hexQuad(escapeAt offset: Int) throws(JSONParseError) -> UInt16 {
        var value: UInt16 = 0
        for position in offset + 2..<offset + 6 {
            guard position < end else { throw failure(.unexpectedEnd, at: end) }
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case ASCII.zero...ASCII.nine: digit = byte - ASCII.zero
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default:
                let upTo = min(offset + 6, end)
                let shown = bytes[offset..<upTo].allSatisfy { $0 > 0x20 && $0 < 0x7F }
                    ? String(decoding: UnsafeBufferPointer(rebasing: bytes[offset..<upTo]), as: UTF8.self)
                    : "\\u with a non-hex digit"
                throw failure(.invalidEscape(shown), at: offset)
            }
            value = value << 4 | UInt16(digit)
        }
        return value
    }

    private func escapeText(_ unit: UInt16) -> String {
        "\\u" + hex4(UInt32(unit))
    }

    // MARK: Numbers

    /// Parses a number at `index` by the RFC 8259 grammar; integers must fit `Int64`, others a finite `Double`.
    private mutating func parseNumber() throws(JSONParseError) -> JSONNumber {
        let start = index
        var position = index
        @inline(__always) func isDigit(_ position: Int) -> Bool {
            position < end && bytes[position] >= ASCII.zero && bytes[position] <= ASCII.nine
        }
        func literal(upTo position: Int) -> String {
            String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        }
        func abbreviated(_ text: String) -> String {
            text.utf8.count > 40 ? String(text.prefix(40)) + "…" : text
        }

        if bytes[position] == ASCII.minus {
            position += 1
        }
        guard isDigit(position) else {
            throw failure(.invalidNumber("'-' must be followed by a digit"), at: start)
        }
        var magnitude: UInt64 = 0
        var overflow = false
        if bytes[position] == ASCII.zero {
            position += 1
            if isDigit(position) {
                while isDigit(position) { position += 1 }
                throw failure(.invalidNumber("leading zero in \(abbreviated(literal(upTo: position)))"), at: start)
            }
        } else {
            while isDigit(position) {
                let (product, multiplyOverflow) = magnitude.multipliedReportingOverflow(by: 10)
                let (sum, addOverflow) = product.addingReportingOverflow(UInt64(bytes[position] - ASCII.zero))
                overflow = overflow || multiplyOverflow || addOverflow
                magnitude = sum
                position += 1
            }
        }
        var isInteger = true
        if position < end, bytes[position] == ASCII.dot {
            isInteger = false
            position += 1
            guard isDigit(position) else {
                throw failure(.invalidNumber("'.' must be followed by a digit"), at: start)
            }
            while isDigit(position) { position += 1 }
        }
        if position < end, bytes[position] | 0x20 == UInt8(ascii: "e") {
            isInteger = false
            position += 1
            if position < end, bytes[position] == ASCII.plus || bytes[position] == ASCII.minus {
                position += 1
            }
            guard isDigit(position) else {
                throw failure(.invalidNumber("the exponent must have a digit"), at: start)
            }
            while isDigit(position) { position += 1 }
        }
        index = position
        let text = literal(upTo: position)
        if isInteger {
            let negative = bytes[start] == ASCII.minus
            let limit = negative ? UInt64(Int64.max) + 1 : UInt64(Int64.max)
            guard !overflow, magnitude <= limit else {
                throw failure(.unrepresentableNumber(abbreviated(text)), at: start)
            }
            return JSONNumber(uncheckedLiteral: text)
        }
        guard let double = Double(text), double.isFinite else {
            throw failure(.unrepresentableNumber(abbreviated(text)), at: start)
        }
        return JSONNumber(uncheckedLiteral: text)
    }
}

private func hexByte(_ byte: UInt8) -> String {
    let digits = String(byte, radix: 16)
    return "0x" + (digits.count == 1 ? "0" + digits : digits)
}

/// At least four uppercase hex digits, as in `U+00E9` and `\u00E9`.
private func hex4(_ value: UInt32) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
}
