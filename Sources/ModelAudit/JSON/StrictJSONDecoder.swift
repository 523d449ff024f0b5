import Foundation

/// Options for `StrictJSONDecoder`.
public struct StrictDecodingOptions: Sendable {
    /// When true (default) every member of every JSON object must be consumed by the `Decodable` type; an
    /// unconsumed member is an error naming its JSON pointer ("unknown field /signatures/0/foo").
    public var rejectUnknownFields: Bool = true

    public init(rejectUnknownFields: Bool = true) {
        self.rejectUnknownFields = rejectUnknownFields
    }
}

/// Why a parsed JSON document does not decode to the requested type, located by a JSON pointer.
public struct JSONDecodingProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// A member no decoded type asked for; `pointer` is the member.
        case unknownField
        /// A required member is absent; `pointer` is where it should be (its parent object plus its name).
        case missingField
        /// The JSON type is not the one the Swift type needs: `expected` and `found` are names like "string".
        case typeMismatch(expected: String, found: String)
        /// The JSON type fits but the value does not, e.g. `1.5` for an `Int` or a type's own validation failing.
        case invalidValue(String)
    }

    public let kind: Kind
    /// RFC 6901 pointer into the document; `""` is the root.
    public let pointer: String

    public init(kind: Kind, pointer: String) {
        self.kind = kind
        self.pointer = pointer
    }

    public var description: String {
        let location = pointer.isEmpty ? "" : sanitizedForMessage(pointer, limit: 200) + ": "
        switch kind {
        case .unknownField:
            return "unknown field \(sanitizedForMessage(pointer, limit: 200))"
        case .missingField:
            guard let parsed = JSONPointer(parsing: pointer), let name = parsed.tokens.last else {
                return "\(location)missing required field"
            }
            let parent = parsed.parent.description
            let prefix = parent.isEmpty ? "" : sanitizedForMessage(parent, limit: 200) + ": "
            return "\(prefix)missing required field \(quotedForMessage(name))"
        case .typeMismatch(let expected, let found):
            return "\(location)expected \(expected), found \(found)"
        case .invalidValue(let message):
            return location + sanitizedForMessage(message, limit: 300)
        }
    }
}

/// Decodes `Decodable` types from a `JSONValue` without ever coercing a JSON type into another.
///
/// Integers must be integer literals in range (`1.0` and `1e2` are not integers), `Double` takes any number, `Bool`
/// only `true`/`false`, `String` only strings. `Date`, `Data`, `URL` and `Decimal` are refused: their `Codable`
/// forms are conventions of other encoders, so a type decodes a `String` and parses it itself. Every error —
/// including `DecodingError`s and other errors thrown by a type's own `init(from:)` — surfaces as a
/// `JSONDecodingProblem` carrying the JSON pointer where it happened.
public struct StrictJSONDecoder: Sendable {
    public var options: StrictDecodingOptions

    public init(options: StrictDecodingOptions = .init()) {
        self.options = options
    }

    public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        let ledger = ConsumptionLedger()
        let root = StrictValueDecoder(value: value, codingPath: [], pointer: "", ledger: ledger)
        let result = try root.decode(T.self)
        if options.rejectUnknownFields, let pointer = ledger.firstUnconsumedMember(of: value, at: "") {
            throw JSONDecodingProblem(kind: .unknownField, pointer: pointer)
        }
        return result
    }
}

// MARK: - Bookkeeping

/// Records which members the decoded types asked for, so unknown members can be reported after decoding.
///
/// Keyed by JSON pointer text: several containers may be opened on the same object (a discriminator read first,
/// then the payload type), and what counts is the union of what they all consumed.
final class ConsumptionLedger {
    /// Object pointer → the member names accessed in it. An object absent here was never opened.
    private var consumedMembers: [String: Set<String>] = [:]
    /// Values taken whole (as `JSONValue`), whose contents therefore all count as consumed.
    private var wholeValues: Set<String> = []

    func openObject(at pointer: String) {
        if consumedMembers[pointer] == nil {
            consumedMembers[pointer] = []
        }
    }

    func consume(_ key: String, in pointer: String) {
        consumedMembers[pointer, default: []].insert(key)
    }

    func takeWhole(at pointer: String) {
        wholeValues.insert(pointer)
    }

    /// The pointer of the first member, in document order, that nothing consumed.
    func firstUnconsumedMember(of value: JSONValue, at pointer: String) -> String? {
        if !wholeValues.isEmpty, wholeValues.contains(pointer) { return nil }
        switch value {
        case .object(let object):
            let consumed = consumedMembers[pointer]
            for member in object.members {
                let memberPointer = JSONPointer.appending(member.key, to: pointer)
                guard let consumed, consumed.contains(member.key) else { return memberPointer }
                if let found = firstUnconsumedMember(of: member.value, at: memberPointer) { return found }
            }
        case .array(let elements):
            for (position, element) in elements.enumerated() {
                switch element {
                case .object, .array:
                    if let found = firstUnconsumedMember(of: element, at: pointer + "/" + String(position)) {
                        return found
                    }
                default:
                    continue
                }
            }
        default:
            break
        }
        return nil
    }
}

// MARK: - Decoder

/// The `Decoder` for one value in the document.
struct StrictValueDecoder: Decoder {
    let value: JSONValue
    let codingPath: [any CodingKey]
    let pointer: String
    let ledger: ConsumptionLedger

    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func child(_ value: JSONValue, key: any CodingKey) -> StrictValueDecoder {
        StrictValueDecoder(
            value: value, codingPath: codingPath + [key],
            pointer: JSONPointer.appending(key.stringValue, to: pointer), ledger: ledger)
    }

    /// The value, with everything beneath it marked consumed.
    func takeWhole() -> JSONValue {
        ledger.takeWhole(at: pointer)
        return value
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let object) = value else { throw mismatch(expected: "object") }
        ledger.openObject(at: pointer)
        return KeyedDecodingContainer(StrictKeyedContainer<Key>(object: object, decoder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = value else { throw mismatch(expected: "array") }
        return StrictUnkeyedContainer(elements: elements, decoder: self)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        StrictSingleValueContainer(decoder: self)
    }

    // MARK: Values

    /// Decodes a `T` from this value, turning whatever `T.init(from:)` throws into a `JSONDecodingProblem`.
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if let refusal = Self.refusal(for: T.self) {
            throw problem(.invalidValue(refusal))
        }
        do {
            return try T(from: self)
        } catch let problem as JSONDecodingProblem {
            throw problem
        } catch let error as DecodingError {
            throw problem(from: error)
        } catch {
            throw problem(.invalidValue(String(describing: error)))
        }
    }

    /// Types whose `Codable` form is another encoder's convention, which strict input must not guess at.
    private static func refusal(for type: Any.Type) -> String? {
        switch type {
        case is Date.Type: "dates are not decoded implicitly; decode a String and parse it (RFC 3339)"
        case is Data.Type: "bytes are not decoded implicitly; decode a String and decode its base64"
        case is URL.Type: "URLs are not decoded implicitly; decode a String and parse it"
        case is Decimal.Type: "Decimal is not decoded implicitly; decode a JSONNumber and use its literal"
        default: nil
        }
    }

    func decodeBool() throws -> Bool {
        guard case .bool(let bool) = value else { throw mismatch(expected: "boolean") }
        return bool
    }

    func decodeString() throws -> String {
        guard case .string(let string) = value else { throw mismatch(expected: "string") }
        return string
    }

    func decodeDouble() throws -> Double {
        guard case .number(let number) = value else { throw mismatch(expected: "number") }
        return number.double
    }

    func decodeFloat() throws -> Float {
        guard case .number(let number) = value else { throw mismatch(expected: "number") }
        let float = Float(number.double)
        guard float.isFinite else { throw problem(.invalidValue("\(number.literal) is out of range for Float")) }
        return float
    }

    func decodeInteger<Integer: FixedWidthInteger>(_ type: Integer.Type) throws -> Integer {
        guard case .number(let number) = value else { throw mismatch(expected: "integer") }
        guard let integer = number.int64 else {
            throw problem(.invalidValue("expected an integer, found \(abbreviatedLiteral(number))"))
        }
        guard let converted = Integer(exactly: integer) else {
            throw problem(.invalidValue("\(number.literal) is out of range for \(Integer.self)"))
        }
        return converted
    }

    // MARK: Errors

    func problem(_ kind: JSONDecodingProblem.Kind) -> JSONDecodingProblem {
        JSONDecodingProblem(kind: kind, pointer: pointer)
    }

    func mismatch(expected: String) -> JSONDecodingProblem {
        problem(.typeMismatch(expected: expected, found: value.kindName))
    }

    /// Maps a `DecodingError` from a type's own code, locating it by its coding path when that is at least as
    /// deep as this value (it was built from our containers), else at this value.
    private func problem(from error: DecodingError) -> JSONDecodingProblem {
        func location(_ path: [any CodingKey]) -> String {
            guard path.count >= codingPath.count else { return pointer }
            return jsonPointer(path.map(\.stringValue))
        }
        switch error {
        case .dataCorrupted(let context):
            return JSONDecodingProblem(kind: .invalidValue(context.debugDescription), pointer: location(context.codingPath))
        case .keyNotFound(let key, let context):
            return JSONDecodingProblem(kind: .missingField, pointer: location(context.codingPath + [key]))
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return JSONDecodingProblem(kind: .invalidValue(context.debugDescription), pointer: location(context.codingPath))
        @unknown default:
            return problem(.invalidValue(String(describing: error)))
        }
    }
}

private func abbreviatedLiteral(_ number: JSONNumber) -> String {
    number.literal.utf8.count > 40 ? String(number.literal.prefix(40)) + "…" : number.literal
}

// MARK: - Containers

/// Members of one object; every access marks the member consumed.
private struct StrictKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let object: JSONObject
    let decoder: StrictValueDecoder

    var codingPath: [any CodingKey] { decoder.codingPath }

    var allKeys: [Key] { object.members.compactMap { Key(stringValue: $0.key) } }

    func contains(_ key: Key) -> Bool {
        guard object[key.stringValue] != nil else { return false }
        decoder.ledger.consume(key.stringValue, in: decoder.pointer)
        return true
    }

    private func member(_ key: Key) throws -> StrictValueDecoder {
        guard let value = object[key.stringValue] else {
            throw JSONDecodingProblem(
                kind: .missingField, pointer: JSONPointer.appending(key.stringValue, to: decoder.pointer))
        }
        decoder.ledger.consume(key.stringValue, in: decoder.pointer)
        return decoder.child(value, key: key)
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        if case .null = try member(key).value { return true }
        return false
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try member(key).decodeBool() }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try member(key).decodeString() }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try member(key).decodeDouble() }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try member(key).decodeFloat() }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try member(key).decodeInteger(type) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try member(key).decodeInteger(type) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try member(key).decodeInteger(type) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try member(key).decodeInteger(type) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try member(key).decodeInteger(type) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try member(key).decodeInteger(type) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try member(key).decodeInteger(type) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try member(key).decodeInteger(type) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try member(key).decodeInteger(type) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try member(key).decodeInteger(type) }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try member(key).decode(type)
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard contains(key), let value = object[key.stringValue] else { return nil }
        if case .null = value { return nil }
        return try decoder.child(value, key: key).decode(type)
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try member(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try member(key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        superDecoder(named: JSONCodingKey("super"))
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        superDecoder(named: key)
    }

    /// Like `JSONDecoder`, an absent member gives a decoder over `null` rather than an error.
    private func superDecoder(named key: any CodingKey) -> StrictValueDecoder {
        guard let value = object[key.stringValue] else { return decoder.child(.null, key: key) }
        decoder.ledger.consume(key.stringValue, in: decoder.pointer)
        return decoder.child(value, key: key)
    }
}

/// Elements of one array, in order; the index only advances once an element decoded.
private struct StrictUnkeyedContainer: UnkeyedDecodingContainer {
    let elements: [JSONValue]
    let decoder: StrictValueDecoder
    private(set) var currentIndex = 0

    init(elements: [JSONValue], decoder: StrictValueDecoder) {
        self.elements = elements
        self.decoder = decoder
    }

    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    private mutating func next<Result>(_ body: (StrictValueDecoder) throws -> Result) throws -> Result {
        guard currentIndex < elements.count else {
            throw decoder.problem(.invalidValue("expected more than \(elements.count) elements"))
        }
        let result = try body(decoder.child(elements[currentIndex], key: JSONCodingKey(intValue: currentIndex)))
        currentIndex += 1
        return result
    }

    mutating func decodeNil() throws -> Bool {
        guard currentIndex < elements.count else {
            throw decoder.problem(.invalidValue("expected more than \(elements.count) elements"))
        }
        guard case .null = elements[currentIndex] else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try next { try $0.decodeBool() } }
    mutating func decode(_ type: String.Type) throws -> String { try next { try $0.decodeString() } }
    mutating func decode(_ type: Double.Type) throws -> Double { try next { try $0.decodeDouble() } }
    mutating func decode(_ type: Float.Type) throws -> Float { try next { try $0.decodeFloat() } }
    mutating func decode(_ type: Int.Type) throws -> Int { try next { try $0.decodeInteger(type) } }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try next { try $0.decodeInteger(type) } }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try next { try $0.decodeInteger(type) } }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try next { try $0.decodeInteger(type) } }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try next { try $0.decodeInteger(type) } }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try next { try $0.decodeInteger(type) } }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try next { try $0.decodeInteger(type) } }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try next { try $0.decodeInteger(type) } }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try next { try $0.decodeInteger(type) } }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try next { try $0.decodeInteger(type) } }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try next { try $0.decode(type) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try next { try $0.container(keyedBy: type) }
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try next { try $0.unkeyedContainer() }
    }

    mutating func superDecoder() throws -> any Decoder {
        try next { $0 }
    }
}

/// The single value a `Decodable` type reads through `singleValueContainer()`.
private struct StrictSingleValueContainer: SingleValueDecodingContainer {
    let decoder: StrictValueDecoder

    var codingPath: [any CodingKey] { decoder.codingPath }

    func decodeNil() -> Bool {
        if case .null = decoder.value { return true }
        return false
    }

    func decode(_ type: Bool.Type) throws -> Bool { try decoder.decodeBool() }
    func decode(_ type: String.Type) throws -> String { try decoder.decodeString() }
    func decode(_ type: Double.Type) throws -> Double { try decoder.decodeDouble() }
    func decode(_ type: Float.Type) throws -> Float { try decoder.decodeFloat() }
    func decode(_ type: Int.Type) throws -> Int { try decoder.decodeInteger(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try decoder.decodeInteger(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try decoder.decodeInteger(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try decoder.decodeInteger(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try decoder.decodeInteger(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try decoder.decodeInteger(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try decoder.decodeInteger(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try decoder.decodeInteger(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try decoder.decodeInteger(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try decoder.decodeInteger(type) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try decoder.decode(type)
    }
}
