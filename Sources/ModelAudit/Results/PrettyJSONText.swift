/// Pretty JSON text in the layout of `JSONEncoder`'s `.prettyPrinted`, written member by member.
///
/// The text grows in one allocation written through a pointer: a model is a thousand or so small writes (brackets,
/// indentation, keys, strings), and an `Array.append` for each — a uniqueness check, a capacity check and a generic
/// copy — was most of what writing a fleet report cost. The storage belongs to `written(level:_:)`, the only way to
/// get a writer, which hands it to the `WrittenJSON` it returns; the writer is only ever lent `inout`.
///
/// It sits with the results, below the reports, because a rule's `FindingTemplate` writes the members every finding
/// of the rule shares with it, once per policy (`members(level:first:_:)`).
struct PrettyJSONText: JSONMemberWriter {
    private var start: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var count = 0
    private var level: Int
    /// Whether each open object or array has no member yet: bit `n` for the `n`th open level while fewer than 64
    /// are open (no allocation for any ordinary report), `deeper` past them (a lineage chain of many generations).
    private var emptyBits: UInt64 = 0
    private var openCount = 0
    private var deeper: [Bool] = []

    /// The text `body` writes, starting at indentation `level`, in the storage it was written into.
    static func written(level: Int, _ body: (inout PrettyJSONText) -> Void) -> WrittenJSON {
        // A model of the sample fleet is about 16 KB: one allocation, not a doubling on the way.
        var writer = PrettyJSONText(level: level, capacity: 32 * 1024)
        body(&writer)
        return WrittenJSON(taking: writer.start, count: writer.count)
    }

    private init(level: Int, capacity: Int) {
        self.level = level
        self.capacity = capacity
        start = .allocate(capacity: capacity)
    }

    /// The indentation level of what is written next: one more than the level of the innermost open bracket.
    var indentationLevel: Int { level }

    /// The text of members `body` writes inside an object whose members sit at indentation `level`, as they would
    /// stand there: after the object's first member when `first` is false (each starts with its comma). What
    /// `members(_:)` splices into a writer at that level.
    static func members(level: Int, first: Bool, _ body: (inout PrettyJSONText) -> Void) -> [UInt8] {
        var writer = PrettyJSONText(level: level, capacity: 1024)
        defer { writer.start.deallocate() }
        writer.openCount = 1
        writer.emptyBits = first ? 1 : 0
        body(&writer)
        return Array(UnsafeBufferPointer(start: writer.start, count: writer.count))
    }

    /// Members written by `members(level:first:_:)` at this writer's level, copied in as they are; the innermost
    /// object has a member after them.
    mutating func members(_ text: [UInt8]) {
        raw(text)
        let innermost = openCount - 1
        if innermost < 64 {
            emptyBits &= ~(1 << UInt64(innermost))
        } else {
            deeper[innermost - 64] = false
        }
    }

    /// Where the next `extra` bytes go, with room for them; `count` is not moved.
    @inline(__always)
    private mutating func reserve(_ extra: Int) -> UnsafeMutablePointer<UInt8> {
        if count + extra > capacity { grow(to: count + extra) }
        return start + count
    }

    private mutating func grow(to needed: Int) {
        let larger = max(needed, capacity * 2)
        let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: larger)
        moved.initialize(from: start, count: count)
        start.deallocate()
        start = moved
        capacity = larger
    }

    @inline(__always)
    private mutating func append(_ byte: UInt8) {
        reserve(1).initialize(to: byte)
        count += 1
    }

    private mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        reserve(bytes.count).initialize(from: source, count: bytes.count)
        count += bytes.count
    }

    /// Bytes written as they are, outside the JSON structure (a separator before the first member).
    mutating func raw(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { append($0) }
    }

    mutating func raw(repeating byte: UInt8, count repeated: Int) {
        reserve(repeated).initialize(repeating: byte, count: repeated)
        count += repeated
    }

    /// Starts the next member of the innermost object: `"name" : `.
    mutating func key(_ name: StaticString) {
        separate()
        let length = name.utf8CodeUnitCount
        let out = reserve(length + 5)
        out[0] = UInt8(ascii: "\"")
        if name.hasPointerRepresentation {
            (out + 1).initialize(from: name.utf8Start, count: length)
        } else {
            name.withUTF8Buffer { if let source = $0.baseAddress { (out + 1).initialize(from: source, count: length) } }
        }
        out[length + 1] = UInt8(ascii: "\"")
        out[length + 2] = 0x20
        out[length + 3] = UInt8(ascii: ":")
        out[length + 4] = 0x20
        count += length + 5
    }

    /// Starts the next member of the innermost object whose name is data: escaped as any string.
    mutating func key(text name: String) {
        separate()
        string(name)
        append(0x20)
        append(UInt8(ascii: ":"))
        append(0x20)
    }

    /// Starts the next element of the innermost array.
    mutating func element() { separate() }

    /// A member whose value is an array of objects, each written by `each`.
    mutating func array<Element>(
        _ name: StaticString, _ elements: [Element], each: (Element, inout PrettyJSONText) -> Void
    ) {
        key(name)
        beginArray()
        // Lent from the array's storage: a `for … in` loop would copy each element (a finding is a dozen strings).
        elements.withUnsafeBufferPointer { elements in
            for index in elements.indices {
                self.element()
                each(elements[index], &self)
            }
        }
        endArray()
    }

    /// A number or `true`/`false`, written as given.
    mutating func literal(_ text: String) {
        var text = text
        text.withUTF8 { append($0) }
    }

    /// A string as the encoder writes it, made terminal-safe as `JSONText.terminalSafe` would make it afterwards:
    /// DEL, a `[` after two `#` and every character `VisibleEscape` finds unsafe become upper-case `\uXXXX`.
    /// Outside strings the report holds no `#`, so a run of `#` starts and ends inside one string.
    mutating func string(_ text: String) {
        // Most strings are printable ASCII with nothing to escape: checked eight bytes at a time and copied whole,
        // from the string's own storage (borrowed: no copy of the string, so no retain and release around it).
        let copied = text.utf8.withContiguousStorageIfAvailable { utf8 -> Bool in
            guard !Self.needsCare(utf8) else { return false }
            let out = reserve(utf8.count + 2)
            out[0] = UInt8(ascii: "\"")
            if let source = utf8.baseAddress { (out + 1).initialize(from: source, count: utf8.count) }
            out[utf8.count + 1] = UInt8(ascii: "\"")
            count += utf8.count + 2
            return true
        }
        if copied == true { return }
        escapedString(text)
    }

    /// `string(_:)` for a string with something to escape, scalar by scalar. Apart, so the fast path above does not
    /// set up the Unicode properties this one reads (a metadata call and a stack allocation on every string).
    @inline(never)
    private mutating func escapedString(_ text: String) {
        append(UInt8(ascii: "\""))
        var hashes = 0
        for scalar in text.unicodeScalars {
            let value = scalar.value
            guard value < 0x80 else {
                hashes = 0
                if VisibleEscape.isUnsafe(scalar) {
                    escape(value)
                } else {
                    var character = String(scalar)
                    character.withUTF8 { append($0) }
                }
                continue
            }
            let byte = UInt8(value)
            switch byte {
            case UInt8(ascii: "\""): escaped(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): escaped(UInt8(ascii: "\\"))
            case 0x08: escaped(UInt8(ascii: "b"))
            case 0x0C: escaped(UInt8(ascii: "f"))
            case 0x0A: escaped(UInt8(ascii: "n"))
            case 0x0D: escaped(UInt8(ascii: "r"))
            case 0x09: escaped(UInt8(ascii: "t"))
            case 0x00..<0x20:
                escaped(UInt8(ascii: "u"))
                append(UInt8(ascii: "0"))
                append(UInt8(ascii: "0"))
                append(Self.hexDigit(byte >> 4, upper: false))
                append(Self.hexDigit(byte & 0x0F, upper: false))
            case 0x7F:
                escape(value)
            case UInt8(ascii: "[") where hashes >= 2:
                escape(value)
            default:
                append(byte)
            }
            hashes = byte == UInt8(ascii: "#") ? hashes + 1 : 0
        }
        append(UInt8(ascii: "\""))
    }

    /// A backslash and `letter`.
    private mutating func escaped(_ letter: UInt8) {
        append(UInt8(ascii: "\\"))
        append(letter)
    }

    /// `\uXXXX` in upper-case hex, a surrogate pair beyond the BMP: how `JSONText.terminalSafe` writes a character.
    private mutating func escape(_ value: UInt32) {
        guard let scalar = Unicode.Scalar(value) else { return }
        for unit in String(scalar).utf16 {
            escaped(UInt8(ascii: "u"))
            append(Self.hexDigit(UInt8(unit >> 12 & 0x0F), upper: true))
            append(Self.hexDigit(UInt8(unit >> 8 & 0x0F), upper: true))
            append(Self.hexDigit(UInt8(unit >> 4 & 0x0F), upper: true))
            append(Self.hexDigit(UInt8(unit & 0x0F), upper: true))
        }
    }

    private static func hexDigit(_ nibble: UInt8, upper: Bool) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : (upper ? UInt8(ascii: "A") : UInt8(ascii: "a")) + nibble - 10
    }

    /// Whether `utf8` holds a byte `string` cannot copy as it is: a control, DEL or anything past ASCII, `"`, `\\` or
    /// `#`. Eight bytes at a time with the usual word tricks (a byte below 0x20, a zero byte after an exclusive or);
    /// each test may only err towards "needs care", which the careful path then handles exactly.
    @inline(__always)
    private static func needsCare(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = utf8.baseAddress else { return false }
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        var position = 0
        while position + 8 <= utf8.count {
            let word = UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self)
            let quotes = word ^ (0x22 &* ones)
            let backslashes = word ^ (0x5C &* ones)
            let hashes = word ^ (0x23 &* ones)
            let deletes = word ^ (0x7F &* ones)
            let found = word | ((word &- 0x20 &* ones) & ~word) | ((quotes &- ones) & ~quotes)
                | ((backslashes &- ones) & ~backslashes) | ((hashes &- ones) & ~hashes) | ((deletes &- ones) & ~deletes)
            if found & highs != 0 { return true }
            position += 8
        }
        while position < utf8.count {
            let byte = base[position]
            if byte < 0x20 || byte >= 0x7F || byte == 0x22 || byte == 0x5C || byte == 0x23 { return true }
            position += 1
        }
        return false
    }

    mutating func open(_ bracket: UInt8) {
        append(bracket)
        if openCount < 64 {
            emptyBits |= 1 << UInt64(openCount)
        } else {
            deeper.append(true)
        }
        openCount += 1
        level += 1
    }

    /// The encoder puts a closing bracket on its own line, and leaves a blank line inside an empty one.
    mutating func close(_ bracket: UInt8) {
        level -= 1
        openCount -= 1
        let wasEmpty = openCount < 64 ? emptyBits & (1 << UInt64(openCount)) != 0 : deeper.removeLast()
        if wasEmpty { append(0x0A) }
        newline()
        append(bracket)
    }

    private mutating func separate() {
        let innermost = openCount - 1
        let wasEmpty: Bool
        if innermost < 64 {
            let bit: UInt64 = 1 << UInt64(innermost)
            wasEmpty = emptyBits & bit != 0
            emptyBits &= ~bit
        } else {
            wasEmpty = deeper[innermost - 64]
            deeper[innermost - 64] = false
        }
        if !wasEmpty { append(UInt8(ascii: ",")) }
        newline()
    }

    /// A line break and the indentation, for every line of a report that runs to millions of lines in a fleet.
    private mutating func newline() {
        let width = level * 2
        let out = reserve(width + 1)
        out[0] = 0x0A
        (out + 1).initialize(repeating: 0x20, count: width)
        count += width + 1
    }
}

/// Text `PrettyJSONText` wrote, in the allocation it was written into (freed with this value): a fleet run hands
/// each model's 16-odd KB on to the output this way, where copying them into an array cost an allocation and a copy
/// for every model.
final class WrittenJSON: @unchecked Sendable {
    // Never written again once the writer hands it over, so reading it from any thread is safe.
    private let start: UnsafeMutablePointer<UInt8>
    let count: Int

    fileprivate init(taking start: UnsafeMutablePointer<UInt8>, count: Int) {
        self.start = start
        self.count = count
    }

    deinit { start.deallocate() }

    /// The bytes from `offset` on, lent to `body`.
    func withUnsafeBytes<Result>(
        from offset: Int = 0, _ body: (UnsafeRawBufferPointer) throws -> Result
    ) rethrows -> Result {
        let first = min(max(offset, 0), count)
        return try body(UnsafeRawBufferPointer(start: start + first, count: count - first))
    }
}
