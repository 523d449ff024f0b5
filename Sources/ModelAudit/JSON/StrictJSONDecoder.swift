import Foundation

/// Options for `StrictJSONDecoder`.
public struct StrictDecodingOptions: Sendable {
    /// When true (default) every member of every JSON object must be consumed by the `Decodable` type; an
    /// unconsumed member is an error naming its JSON pointer ("unknown field /signatures/0/foo").
    ///
    /// A member is consumed by `decode`, `decodeIfPresent`, `contains`, `decodeNil`, a nested container or
    /// `superDecoder(forKey:)`; the members of an object value count separately, so only decoding it as a type
    /// that reads them, or taking it whole as a `JSONValue` or `JSONObject`, consumes what is inside.
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
        let root = DecodingNode(parent: nil, key: nil)
        let result = try StrictValueDecoder(value: value, node: root).decode(T.self)
        if options.rejectUnknownFields {
            var path: [String] = []
            if let pointer = root.firstUnconsumedMember(of: value, path: &path) {
                throw JSONDecodingProblem(kind: .unknownField, pointer: pointer)
            }
        }
        return result
    }
}

// MARK: - Bookkeeping

/// One value the decoded types reached: where it is, and which of its members they consumed.
///
/// Nodes form a tree mirroring the parts of the document that were decoded; a child is created once per member
/// or element and reused, so several containers opened on one object (a discriminator read first, then the
/// payload type) add up to one record. Paths are kept as parent links and only turned into a coding path or a
/// JSON pointer when someone asks, which is mostly never.
final class DecodingNode {
    /// Weak: a parent holds its children, so a strong link back would keep every decoded tree alive forever. The
    /// decoder holds the root until decoding ends, so a node's ancestors outlive every use of it.
    private(set) weak var parent: DecodingNode?
    let key: (any CodingKey)?
    /// For an object opened as a keyed container: one flag per member, in document order.
    private var consumed: [Bool]?
    /// Nodes of decoded members (by position) or elements (by index).
    private var children: [DecodingNode?]?
    /// Set when the value was taken as a `JSONValue`, so everything beneath it counts as consumed.
    private var takenWhole = false

    init(parent: DecodingNode?, key: (any CodingKey)?) {
        self.parent = parent
        self.key = key
    }

    func openObject(memberCount: Int) {
        if consumed == nil {
            consumed = Array(repeating: false, count: memberCount)
        }
    }

    func consume(memberAt position: Int) {
        consumed?[position] = true
    }

    func takeWhole() {
        takenWhole = true
    }

    func child(at position: Int, of count: Int, key: any CodingKey) -> DecodingNode {
        if children == nil {
            children = Array(repeating: nil, count: count)
        }
        if let existing = children?[position] {
            return existing
        }
        let node = DecodingNode(parent: self, key: key)
        children?[position] = node
        return node
    }

    var codingPath: [any CodingKey] {
        var path: [any CodingKey] = []
        var node: DecodingNode? = self
        while let current = node, let key = current.key {
            path.append(key)
            node = current.parent
        }
        return path.reversed()
    }

    var pointer: String {
        jsonPointer(codingPath.map(\.stringValue))
    }

    /// The pointer of the first member, in document order, that nothing consumed; `path` holds the tokens of
    /// `value` and is restored on return.
    func firstUnconsumedMember(of value: JSONValue, path: inout [String]) -> String? {
        Self.firstUnconsumedMember(of: value, node: self, path: &path)
    }

    private static func firstUnconsumedMember(
        of value: JSONValue, node: DecodingNode?, path: inout [String]
    ) -> String? {
        if let node, node.takenWhole { return nil }
        let children = node?.children
        switch value {
        case .object(let object):
            let consumed = node?.consumed
            for (position, member) in object.members.enumerated() {
                guard let consumed, position < consumed.count, consumed[position] else {
                    return jsonPointer(path + [member.key])
                }
                guard member.value.isContainer else { continue }
                path.append(member.key)
                defer { path.removeLast() }
                let child = children.flatMap { position < $0.count ? $0[position] : nil }
                if let found = firstUnconsumedMember(of: member.value, node: child, path: &path) { return found }
            }
        case .array(let elements):
            for (position, element) in elements.enumerated() where element.isContainer {
                path.append(String(position))
                defer { path.removeLast() }
                let child = children.flatMap { position < $0.count ? $0[position] : nil }
                if let found = firstUnconsumedMember(of: element, node: child, path: &path) { return found }
            }
        default:
            break
        }
        return nil
    }
}

extension JSONValue {
    fileprivate var isContainer: Bool {
        switch self {
        case .object, .array: true
        default: false
        }
    }
}

// MARK: - Decoder

/// The `Decoder` for one value in the document.
struct StrictValueDecoder: Decoder {
    let value: JSONValue
    let node: DecodingNode

    var codingPath: [any CodingKey] { node.codingPath }
    var pointer: String { node.pointer }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    /// The value, with everything beneath it marked consumed.
    func takeWhole() -> JSONValue {
        node.takeWhole()
        return value
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let object) = value else {
            throw Scalar.mismatch(value, expected: "object", at: pointer)
        }
        node.openObject(memberCount: object.count)
        return KeyedDecodingContainer(StrictKeyedContainer<Key>(object: object, decoder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = value else {
            throw Scalar.mismatch(value, expected: "array", at: pointer)
        }
        return StrictUnkeyedContainer(elements: elements, decoder: self)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        StrictSingleValueContainer(decoder: self)
    }

    /// Decodes a `T` from this value, turning whatever `T.init(from:)` throws into a `JSONDecodingProblem`.
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if let refusal = Self.refusal(for: T.self) {
            throw JSONDecodingProblem(kind: .invalidValue(refusal), pointer: pointer)
        }
        do {
            return try T(from: self)
        } catch let problem as JSONDecodingProblem {
            throw problem
        } catch let error as DecodingError {
            throw problem(from: error)
        } catch {
            throw JSONDecodingProblem(kind: .invalidValue(String(describing: error)), pointer: pointer)
        }
    }

    /// Types whose `Codable` form is another encoder's convention, which strict input must not guess at.
    private static func refusal(for type: Any.Type) -> String? {
        if type == Date.self { return "dates are not decoded implicitly; decode a String and parse it (RFC 3339)" }
        if type == Data.self { return "bytes are not decoded implicitly; decode a String and decode its base64" }
        if type == URL.self { return "URLs are not decoded implicitly; decode a String and parse it" }
        if type == Decimal.self { return "Decimal is not decoded implicitly; decode a JSONNumber and use its literal" }
        return nil
    }

    /// Maps a `DecodingError` from a type's own code, locating it by its coding path when that is at least as
    /// deep as this value (it was built from our containers), else at this value.
    private func problem(from error: DecodingError) -> JSONDecodingProblem {
        let depth = codingPath.count
        func location(_ path: [any CodingKey]) -> String {
            path.count >= depth ? jsonPointer(path.map(\.stringValue)) : pointer
        }
        switch error {
        case .keyNotFound(let key, let context):
            return JSONDecodingProblem(kind: .missingField, pointer: location(context.codingPath + [key]))
        case .dataCorrupted(let context), .typeMismatch(_, let context), .valueNotFound(_, let context):
            return JSONDecodingProblem(
                kind: .invalidValue(context.debugDescription), pointer: location(context.codingPath))
        @unknown default:
            return JSONDecodingProblem(kind: .invalidValue(String(describing: error)), pointer: pointer)
        }
    }
}

/// Scalar conversions shared by the containers; `pointer` is only evaluated when there is an error to report.
private enum Scalar {
    static func mismatch(_ value: JSONValue, expected: String, at pointer: String) -> JSONDecodingProblem {
        JSONDecodingProblem(kind: .typeMismatch(expected: expected, found: value.kindName), pointer: pointer)
    }

    static func bool(_ value: JSONValue, at pointer: @autoclosure () -> String) throws -> Bool {
        guard case .bool(let bool) = value else { throw mismatch(value, expected: "boolean", at: pointer()) }
        return bool
    }

    static func string(_ value: JSONValue, at pointer: @autoclosure () -> String) throws -> String {
        guard case .string(let string) = value else { throw mismatch(value, expected: "string", at: pointer()) }
        return string
    }

    static func double(_ value: JSONValue, at pointer: @autoclosure () -> String) throws -> Double {
        guard case .number(let number) = value else { throw mismatch(value, expected: "number", at: pointer()) }
        return number.double
    }

    static func float(_ value: JSONValue, at pointer: @autoclosure () -> String) throws -> Float {
        guard case .number(let number) = value else { throw mismatch(value, expected: "number", at: pointer()) }
        let float = Float(number.double)
        guard float.isFinite else {
            throw JSONDecodingProblem(
                kind: .invalidValue("\(number.literal) is out of range for Float"), pointer: pointer())
        }
        return float
    }

    static func integer<Integer: FixedWidthInteger>(
        _ type: Integer.Type, _ value: JSONValue, at pointer: @autoclosure () -> String
    ) throws -> Integer {
        guard case .number(let number) = value else { throw mismatch(value, expected: "integer", at: pointer()) }
        guard let integer = number.int64 else {
            let shown = number.literal.utf8.count > 40 ? String(number.literal.prefix(40)) + "…" : number.literal
            throw JSONDecodingProblem(kind: .invalidValue("expected an integer, found \(shown)"), pointer: pointer())
        }
        guard let converted = Integer(exactly: integer) else {
            throw JSONDecodingProblem(
                kind: .invalidValue("\(number.literal) is out of range for \(Integer.self)"), pointer: pointer())
        }
        return converted
    }
}

// MARK: - Containers

/// Members of one object; every access marks the member consumed.
private struct StrictKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let object: JSONObject
    let decoder: StrictValueDecoder

    var codingPath: [any CodingKey] { decoder.codingPath }

    var allKeys: [Key] { object.members.compactMap { Key(stringValue: $0.key) } }

    private func pointer(_ key: Key) -> String {
        JSONPointer.appending(key.stringValue, to: decoder.pointer)
    }

    /// The member's position, marked consumed; `nil` when the object has no such member.
    private func consume(_ key: Key) -> Int? {
        guard let position = object.position(of: key.stringValue) else { return nil }
        decoder.node.consume(memberAt: position)
        return position
    }

    private func value(_ key: Key) throws -> JSONValue {
        guard let position = consume(key) else {
            throw JSONDecodingProblem(kind: .missingField, pointer: pointer(key))
        }
        return object.members[position].value
    }

    private func decoder(at position: Int, key: Key) -> StrictValueDecoder {
        StrictValueDecoder(
            value: object.members[position].value,
            node: decoder.node.child(at: position, of: object.count, key: key))
    }

    func contains(_ key: Key) -> Bool {
        consume(key) != nil
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        if case .null = try value(key) { return true }
        return false
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
        try Scalar.bool(value(key), at: pointer(key))
    }

    func decode(_ type: String.Type, forKey key: Key) throws -> String {
        try Scalar.string(value(key), at: pointer(key))
    }

    func decode(_ type: Double.Type, forKey key: Key) throws -> Double {
        try Scalar.double(value(key), at: pointer(key))
    }

    func decode(_ type: Float.Type, forKey key: Key) throws -> Float {
        try Scalar.float(value(key), at: pointer(key))
    }

    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try integer(type, key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try integer(type, key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try integer(type, key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try integer(type, key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try integer(type, key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try integer(type, key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try integer(type, key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try integer(type, key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try integer(type, key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try integer(type, key) }

    private func integer<Integer: FixedWidthInteger>(_ type: Integer.Type, _ key: Key) throws -> Integer {
        try Scalar.integer(type, value(key), at: pointer(key))
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        guard let position = consume(key) else {
            throw JSONDecodingProblem(kind: .missingField, pointer: pointer(key))
        }
        return try decoder(at: position, key: key).decode(type)
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let position = consume(key) else { return nil }
        if case .null = object.members[position].value { return nil }
        return try decoder(at: position, key: key).decode(type)
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        guard let position = consume(key) else {
            throw JSONDecodingProblem(kind: .missingField, pointer: pointer(key))
        }
        return try decoder(at: position, key: key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        guard let position = consume(key) else {
            throw JSONDecodingProblem(kind: .missingField, pointer: pointer(key))
        }
        return try decoder(at: position, key: key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        superDecoder(named: JSONCodingKey("super"))
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        superDecoder(named: key)
    }

    /// Like `JSONDecoder`, an absent member gives a decoder over `null` rather than an error.
    private func superDecoder(named key: any CodingKey) -> StrictValueDecoder {
        guard let position = object.position(of: key.stringValue) else {
            return StrictValueDecoder(value: .null, node: DecodingNode(parent: decoder.node, key: key))
        }
        decoder.node.consume(memberAt: position)
        return StrictValueDecoder(
            value: object.members[position].value,
            node: decoder.node.child(at: position, of: object.count, key: key))
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

    private var pointer: String {
        decoder.pointer + "/" + String(currentIndex)
    }

    private func current() throws -> JSONValue {
        guard currentIndex < elements.count else {
            throw JSONDecodingProblem(
                kind: .invalidValue("expected more than \(elements.count) elements"), pointer: decoder.pointer)
        }
        return elements[currentIndex]
    }

    private func currentDecoder() throws -> StrictValueDecoder {
        let value = try current()
        let key = JSONCodingKey(intValue: currentIndex)
        return StrictValueDecoder(
            value: value, node: decoder.node.child(at: currentIndex, of: elements.count, key: key))
    }

    /// Moves past the current element; called only once it decoded, so a failed element can be retried.
    private mutating func advance<Result>(returning result: Result) -> Result {
        currentIndex += 1
        return result
    }

    mutating func decodeNil() throws -> Bool {
        guard case .null = try current() else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool {
        let result = try Scalar.bool(current(), at: pointer)
        return advance(returning: result)
    }

    mutating func decode(_ type: String.Type) throws -> String {
        let result = try Scalar.string(current(), at: pointer)
        return advance(returning: result)
    }

    mutating func decode(_ type: Double.Type) throws -> Double {
        let result = try Scalar.double(current(), at: pointer)
        return advance(returning: result)
    }

    mutating func decode(_ type: Float.Type) throws -> Float {
        let result = try Scalar.float(current(), at: pointer)
        return advance(returning: result)
    }

    mutating func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

    private mutating func integer<Integer: FixedWidthInteger>(_ type: Integer.Type) throws -> Integer {
        let result = try Scalar.integer(type, current(), at: pointer)
        return advance(returning: result)
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let result = try currentDecoder().decode(type)
        return advance(returning: result)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws -> KeyedDecodingContainer<NestedKey> {
        let result = try currentDecoder().container(keyedBy: type)
        return advance(returning: result)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let result = try currentDecoder().unkeyedContainer()
        return advance(returning: result)
    }

    mutating func superDecoder() throws -> any Decoder {
        let result = try currentDecoder()
        return advance(returning: result)
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

    func decode(_ type: Bool.Type) throws -> Bool { try Scalar.bool(decoder.value, at: decoder.pointer) }
    func decode(_ type: String.Type) throws -> String { try Scalar.string(decoder.value, at: decoder.pointer) }
    func decode(_ type: Double.Type) throws -> Double { try Scalar.double(decoder.value, at: decoder.pointer) }
    func decode(_ type: Float.Type) throws -> Float { try Scalar.float(decoder.value, at: decoder.pointer) }
    func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

    private func integer<Integer: FixedWidthInteger>(_ type: Integer.Type) throws -> Integer {
        try Scalar.integer(type, decoder.value, at: decoder.pointer)
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try decoder.decode(type)
    }
}
