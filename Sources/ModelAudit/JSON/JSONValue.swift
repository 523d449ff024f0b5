/// A JSON document parsed from untrusted input: the value tree the strict parser produces.
///
/// Objects keep their members in document order with unique keys, numbers keep their exact literal, and every
/// number is finite. Build values from bytes with `StrictJSON.parse`; read them with `ObjectReader`.
///
/// Not `indirect`: arrays and objects already hold their children out of line, and with every payload at most 16
/// bytes a value fits in 24 without a heap box of its own, which keeps memory per input byte low and parsing fast.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    public var objectValue: JSONObject? {
        if case .object(let object) = self { return object }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    public var stringValue: String? {
        if case .string(let string) = self { return string }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let bool) = self { return bool }
        return nil
    }

    public var numberValue: JSONNumber? {
        if case .number(let number) = self { return number }
        return nil
    }

    public var isNull: Bool { self == .null }

    /// The JSON type of this value as error messages name it: null, boolean, number, string, array or object.
    public var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// The member named `key` when this is an object that has it.
    public subscript(key: String) -> JSONValue? {
        objectValue?[key]
    }

    /// The value `pointer` refers to, or `nil` when the document has nothing there.
    public func value(at pointer: JSONPointer) -> JSONValue? {
        var current = self
        for token in pointer.tokens {
            switch current {
            case .object(let object):
                guard let member = object[token] else { return nil }
                current = member
            case .array(let elements):
                // RFC 6901: an index is "0" or digits without a leading zero.
                guard token == "0" || (!token.hasPrefix("0") && token.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }),
                    let position = Int(token), position < elements.count
                else { return nil }
                current = elements[position]
            default:
                return nil
            }
        }
        return current
    }
}

/// A JSON number kept as its exact literal, readable as an `Int64` when it is an integer and as a finite `Double`.
///
/// Only the literal is stored (16 bytes, inline for short numbers), so a document of many numbers costs no more
/// than a document of short strings; the parser has already proved that `int64` and `double` are representable.
/// Two numbers are equal when their literals are equal: `1`, `1.0` and `1e0` are different texts and compare
/// unequal, because a signed document means exactly what it says.
public struct JSONNumber: Sendable, Hashable, CustomStringConvertible {
    /// The number exactly as it appeared in the document.
    public let literal: String

    /// Wraps a literal the parser validated.
    init(uncheckedLiteral literal: String) {
        self.literal = literal
    }

    /// A number from its literal text; `nil` unless it is exactly one RFC 8259 number that the parser would accept.
    public init?(literal: String) {
        guard case .number(let number)? = try? StrictJSON.parse(Array(literal.utf8)), number.literal == literal else {
            return nil
        }
        self = number
    }

    public init(_ value: Int64) {
        literal = String(value)
    }

    public init(_ value: Int) {
        self.init(Int64(value))
    }

    /// A number for a finite `Double`; `nil` for infinity and NaN, which JSON cannot express.
    public init?(_ value: Double) {
        guard value.isFinite else { return nil }
        self.init(literal: "\(value)")
    }

    /// The value when the literal is an integer (no fraction, no exponent); the parser rejects integers beyond
    /// `Int64`, so this is non-nil for every integer literal it accepted.
    public var int64: Int64? {
        let isInteger = !literal.utf8.contains { $0 == UInt8(ascii: ".") || $0 | 0x20 == UInt8(ascii: "e") }
        return isInteger ? Int64(literal) : nil
    }

    /// The nearest `Double`; always finite.
    public var double: Double {
        if let integer = int64 { return Double(integer) }
        return Double(literal) ?? 0
    }

    public var description: String { literal }
}

/// A JSON object: members in document order, keys unique.
///
/// Keys are Swift strings, which compare by canonical equivalence, so the parser treats `"é"` and `"e\u0301"` as
/// the same key (and so as a duplicate): two members that no Swift dictionary could tell apart are never accepted.
/// Equality ignores member order, as JSON does.
public struct JSONObject: Sendable, Equatable {
    /// Objects with more members than this get a key index so lookups stay O(1).
    static let indexThreshold = 16

    /// A member: its key and its value.
    ///
    /// A struct rather than a `(key:value:)` tuple: an array of tuples is copied and destroyed through the runtime's
    /// generic tuple witnesses, one element's metadata at a time, where a struct's witnesses are compiled for it
    /// (0.6% of what a fleet manifest costs outside OpenSSL).
    public struct Member: Sendable, Equatable {
        public var key: String
        public var value: JSONValue

        public init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    /// Members in document order.
    public private(set) var members: [Member]
    private var positions: [String: Int]?

    /// An object with no members.
    public init() {
        members = []
        positions = nil
    }

    /// An object with `members` in the given order; throws `JSONObject.DuplicateKey` when a key repeats.
    public init(_ members: [(key: String, value: JSONValue)]) throws {
        try self.init(members.map { Member(key: $0.key, value: $0.value) })
    }

    /// An object with `members` in the given order; throws `JSONObject.DuplicateKey` when a key repeats.
    public init(_ members: [Member]) throws {
        var seen: [String: Int] = [:]
        for (position, member) in members.enumerated() {
            guard seen.updateValue(position, forKey: member.key) == nil else {
                throw DuplicateKey(key: member.key)
            }
        }
        self.members = members
        self.positions = members.count > Self.indexThreshold ? seen : nil
    }

    /// Members the caller guarantees unique (the parser checked them); `positions` may be passed when known.
    init(uniqueMembers members: [Member], positions: [String: Int]?) {
        self.members = members
        if members.count > Self.indexThreshold {
            self.positions =
                positions
                ?? Dictionary(members.enumerated().map { ($0.element.key, $0.offset) }, uniquingKeysWith: { a, _ in a })
        } else {
            self.positions = nil
        }
    }

    /// The error `init(_:)` throws when two members share a key.
    public struct DuplicateKey: AuditError, Equatable {
        public var code: AuditErrorCode { .malformedInput }
        public let key: String
        public var description: String { "duplicate key \(quotedForMessage(key))" }
    }

    public subscript(key: String) -> JSONValue? {
        position(of: key).map { members[$0].value }
    }

    /// Where the member named `key` sits in `members`.
    func position(of key: String) -> Int? {
        if let positions {
            return positions[key]
        }
        return members.firstIndex { $0.key == key }
    }

    public var keys: [String] { members.map(\.key) }

    public var count: Int { members.count }

    public var isEmpty: Bool { members.isEmpty }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.members.count == rhs.members.count else { return false }
        return lhs.members.allSatisfy { member in rhs[member.key] == member.value }
    }
}

// MARK: - Codable

extension JSONValue: Codable {
    /// Rebuilds the value from the decoder's containers. Untrusted JSON is read with `StrictJSON.parse` and
    /// `ObjectReader`, never through `Decodable`.
    public init(from decoder: any Decoder) throws {
        let single = try decoder.singleValueContainer()
        if single.decodeNil() {
            self = .null
        } else if let bool = try? single.decode(Bool.self) {
            self = .bool(bool)
        } else if let integer = try? single.decode(Int64.self) {
            self = .number(JSONNumber(integer))
        } else if let double = try? single.decode(Double.self), let number = JSONNumber(double) {
            self = .number(number)
        } else if let string = try? single.decode(String.self) {
            self = .string(string)
        } else if var unkeyed = try? decoder.unkeyedContainer() {
            var elements: [JSONValue] = []
            while !unkeyed.isAtEnd {
                elements.append(try unkeyed.decode(JSONValue.self))
            }
            self = .array(elements)
        } else {
            self = .object(try JSONObject(from: decoder))
        }
    }

    /// Encodes the value; integers go out as `Int64` and other numbers as `Double`, so literals like `1.50`
    /// come back as `1.5`.
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .null:
            var container = encoder.singleValueContainer()
            try container.encodeNil()
        case .bool(let bool):
            var container = encoder.singleValueContainer()
            try container.encode(bool)
        case .number(let number):
            var container = encoder.singleValueContainer()
            if let integer = number.int64 {
                try container.encode(integer)
            } else {
                try container.encode(number.double)
            }
        case .string(let string):
            var container = encoder.singleValueContainer()
            try container.encode(string)
        case .array(let elements):
            var container = encoder.unkeyedContainer()
            for element in elements {
                try container.encode(element)
            }
        case .object(let object):
            try object.encode(to: encoder)
        }
    }
}

extension JSONObject: Codable {
    /// Rebuilds the object from the decoder's containers, which do not keep member order, so members are sorted by
    /// key to stay deterministic.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: JSONCodingKey.self)
        var members: [(key: String, value: JSONValue)] = []
        for key in container.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
            members.append((key.stringValue, try container.decode(JSONValue.self, forKey: key)))
        }
        try self.init(members)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: JSONCodingKey.self)
        for member in members {
            try container.encode(member.value, forKey: JSONCodingKey(member.key))
        }
    }
}

/// A coding key for arbitrary member names and array positions.
struct JSONCodingKey: CodingKey {
    let stringValue: String
    let intValue: Int?

    init(_ string: String) {
        stringValue = string
        intValue = nil
    }

    init(stringValue: String) {
        self.init(stringValue)
    }

    init(intValue: Int) {
        stringValue = String(intValue)
        self.intValue = intValue
    }
}

/// A string quoted for a one-line message; see `sanitizedForMessage`.
func quotedForMessage(_ text: String, limit: Int = 80) -> String {
    "\"" + sanitizedForMessage(text, limit: limit, escapingQuotes: true) + "\""
}

/// Text from untrusted input made safe for a one-line message: control, line-breaking and bidirectional
/// characters become `\u{…}` escapes and anything past `limit` characters is cut, so hostile input can neither
/// flood nor forge a terminal or log line.
func sanitizedForMessage(_ text: String, limit: Int, escapingQuotes: Bool = false) -> String {
    var result = ""
    var written = 0
    for scalar in text.unicodeScalars {
        if written == limit {
            result += "…"
            break
        }
        written += 1
        switch scalar {
        case "\"" where escapingQuotes: result += "\\\""
        case "\\" where escapingQuotes: result += "\\\\"
        case "\n": result += "\\n"
        case "\r": result += "\\r"
        case "\t": result += "\\t"
        default:
            let value = scalar.value
            if value < 0x20 || (0x7F...0x9F).contains(value) || (0x2028...0x2029).contains(value)
                || (0x202A...0x202E).contains(value) || (0x2066...0x2069).contains(value) || value == 0x200E
                || value == 0x200F || value == 0xFEFF
            {
                result += "\\u{" + String(value, radix: 16) + "}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
    }
    return result
}
