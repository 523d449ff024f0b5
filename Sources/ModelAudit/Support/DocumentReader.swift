import Foundation

/// A problem found while reading a document, at a JSON pointer.
public struct ValidationProblem: Sendable, Equatable, Comparable, CustomStringConvertible {
    public let pointer: String
    public let message: String

    public init(pointer: String, message: String) {
        self.pointer = pointer
        self.message = message
    }

    public var description: String { "\(pointer.isEmpty ? "/" : pointer): \(message)" }

    public static func < (lhs: ValidationProblem, rhs: ValidationProblem) -> Bool {
        (lhs.pointer, lhs.message) < (rhs.pointer, rhs.message)
    }
}

/// Every problem found in a document, reported together.
public struct InvalidDocumentError: AuditError {
    public var code: AuditErrorCode { .malformedInput }
    public var jsonPointer: String? { problems.first?.pointer }

    public let document: String
    public let problems: [ValidationProblem]

    public init(document: String, problems: [ValidationProblem]) {
        self.document = document
        self.problems = problems
    }

    public var description: String {
        let count = problems.count
        return "\(document) is invalid (\(count) problem\(count == 1 ? "" : "s")):\n"
            + problems.map { "  \($0)" }.joined(separator: "\n")
    }
}

/// Collects problems while a document is read, so every problem is reported at once instead of the first.
///
/// It also keeps, for every `ObjectReader` of the document, where its object sits and which members were asked
/// for. Readers only point into this record, so reading an object allocates nothing of its own and no JSON pointer
/// is written out until a problem needs one: a manifest of many objects is mostly read without a problem.
public final class ProblemLog {
    public private(set) var problems: [ValidationProblem] = []

    /// One step from a parent object to a value: the root (with its pointer text), a member or an array element.
    enum Step {
        case root(String)
        case member(String)
        case element(Int)
    }

    /// Where a reader's object sits (`parent` is -1 for a root) and which of its first 64 members were asked for.
    struct Place {
        let parent: Int
        let step: Step
        var seen: UInt64 = 0
    }

    /// Unchecked: a log belongs to one reading on one thread, and the run-time exclusivity check on every member
    /// marked as read cost more than the marking.
    @exclusivity(unchecked) private var places: [Place] = []
    /// Members past the 64th that were asked for, by place; objects that large are rare.
    private var seenBeyond64: [Int: Set<Int>] = [:]

    public init() {}

    public func add(_ pointer: String, _ message: String) {
        problems.append(ValidationProblem(pointer: pointer, message: message))
    }

    /// Records a new place one `step` below `parent` (-1 with a `.root` step) and returns its number.
    func place(_ step: Step, under parent: Int) -> Int {
        if places.isEmpty { places.reserveCapacity(64) }
        places.append(Place(parent: parent, step: step))
        return places.count - 1
    }

    /// The RFC 6901 pointer text of a place, written out only when a problem or a caller asks for it.
    func pointer(of place: Int) -> String {
        var steps: [Step] = []
        var current = place
        var text = ""
        while current >= 0 {
            let entry = places[current]
            if case .root(let root) = entry.step {
                text = root
                break
            }
            steps.append(entry.step)
            current = entry.parent
        }
        for step in steps.reversed() {
            switch step {
            case .root: break
            case .member(let key): text = JSONPointer.appending(key, to: text)
            case .element(let index): text = JSONPointer.appending(String(index), to: text)
            }
        }
        return text
    }

    func markSeen(_ position: Int, at place: Int) {
        if position < 64 {
            places[place].seen |= 1 << UInt64(position)
        } else {
            seenBeyond64[place, default: []].insert(position)
        }
    }

    func wasSeen(_ position: Int, at place: Int) -> Bool {
        position < 64
            ? places[place].seen & (1 << UInt64(position)) != 0 : seenBeyond64[place]?.contains(position) == true
    }
}

/// Reads one JSON object member by member, recording wrong types, missing members and unknown members.
///
/// Members that are present but `null` or `""` where a value is required are reported as "not filled in", which is
/// how `audit init` drafts mark what the author still has to write.
public struct ObjectReader {
    public let object: JSONObject
    public let log: ProblemLog
    /// Where the object sits, as a place in `log`, which also records the members asked for: marking a member by its
    /// position costs nothing next to keeping the asked-for keys in a list, or a set object per reader.
    private let place: Int

    public init(_ object: JSONObject, pointer: String, log: ProblemLog) {
        self.init(object, place: log.place(.root(pointer), under: -1), log: log)
    }

    init(_ object: JSONObject, place: Int, log: ProblemLog) {
        self.object = object
        self.place = place
        self.log = log
    }

    /// Reads `value` as an object, or records a type problem and returns `nil`.
    public static func make(_ value: JSONValue, pointer: String, log: ProblemLog) -> ObjectReader? {
        guard case .object(let object) = value else {
            log.add(pointer, "expected an object, found \(value.kindName)")
            return nil
        }
        return ObjectReader(object, pointer: pointer, log: log)
    }

    /// Reads `value`, found one `step` below this object, as an object, or records a type problem.
    private func child(_ value: JSONValue, _ step: ProblemLog.Step, under parent: Int) -> ObjectReader? {
        let place = log.place(step, under: parent)
        guard case .object(let object) = value else {
            log.add(log.pointer(of: place), "expected an object, found \(value.kindName)")
            return nil
        }
        return ObjectReader(object, place: place, log: log)
    }

    /// The JSON pointer of the object, written out on each call.
    public var pointer: String { log.pointer(of: place) }

    public func path(_ key: String) -> String { JSONPointer.appending(key, to: pointer) }

    /// The raw member, marking it as known. Records "missing" / "not filled in" when required.
    public func value(_ key: String, required: Bool) -> JSONValue? {
        guard let position = object.position(of: key) else {
            if required { log.add(path(key), "required member is missing") }
            return nil
        }
        log.markSeen(position, at: place)
        let value = object.members[position].value
        if case .null = value {
            if required { log.add(path(key), "required, not filled in") }
            return nil
        }
        return value
    }

    public func string(_ key: String, required: Bool = true) -> String? {
        guard let value = value(key, required: required) else { return nil }
        guard case .string(let text) = value else {
            log.add(path(key), "expected a string, found \(value.kindName)")
            return nil
        }
        // Blank is every scalar White_Space, the set `.whitespacesAndNewlines` trims, without the NSString bridge that
        // made trimming the costliest step of reading a manifest.
        if Self.isBlank(text) {
            if required { log.add(path(key), "required, not filled in") } else { log.add(path(key), "must not be empty") }
            return nil
        }
        return text
    }

    /// Whether every scalar of `text` is White_Space (true for ""). Almost every value starts with a printable ASCII
    /// character, which settles it without looking up Unicode properties.
    static func isBlank(_ text: String) -> Bool {
        if let first = text.utf8.first, first < 0x80, first != 0x20, !(0x09...0x0D).contains(first) { return false }
        return text.unicodeScalars.allSatisfy(\.properties.isWhitespace)
    }

    /// A string that may be empty, for wire formats where an empty string is a value (a DSSE payload or key hint),
    /// not a blank left to fill in.
    public func text(_ key: String, required: Bool = true) -> String? {
        guard let value = value(key, required: required) else { return nil }
        guard case .string(let text) = value else {
            log.add(path(key), "expected a string, found \(value.kindName)")
            return nil
        }
        return text
    }

    public func bool(_ key: String, required: Bool = true) -> Bool? {
        guard let value = value(key, required: required) else { return nil }
        guard case .bool(let flag) = value else {
            log.add(path(key), "expected true or false, found \(value.kindName)")
            return nil
        }
        return flag
    }

    /// A whole number in `range`; fractions, exponents and negative values outside the range are refused.
    public func integer(_ key: String, required: Bool = true, in range: ClosedRange<Int> = 0...Int(Int32.max)) -> Int? {
        guard let value = value(key, required: required) else { return nil }
        guard case .number(let number) = value else {
            log.add(path(key), "expected a whole number, found \(value.kindName)")
            return nil
        }
        guard let integer = number.int64, let int = Int(exactly: integer) else {
            log.add(path(key), "expected a whole number, found \(number.literal)")
            return nil
        }
        guard range.contains(int) else {
            log.add(path(key), "\(int) is outside \(range.lowerBound)…\(range.upperBound)")
            return nil
        }
        return int
    }

    public func enumeration<E: RawRepresentable & CaseIterable>(_ key: String, _ type: E.Type, required: Bool = true)
        -> E? where E.RawValue == String
    {
        guard let text = string(key, required: required) else { return nil }
        guard let parsed = E(rawValue: text) else {
            let allowed = E.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            log.add(path(key), "\"\(text)\" is not one of \(allowed)")
            return nil
        }
        return parsed
    }

    public func country(_ key: String, required: Bool = true) -> String? {
        guard let code = string(key, required: required) else { return nil }
        if let problem = CountryCode.problem(with: code) {
            log.add(path(key), problem)
            return nil
        }
        return code
    }

    /// An RFC 3339 date-time, or also a full-date when `allowDate`.
    public func timestamp(_ key: String, required: Bool = true, allowDate: Bool = false) -> String? {
        guard let text = string(key, required: required) else { return nil }
        let parsed = allowDate ? RFC3339.parseDateOrDateTime(text) : RFC3339.parse(text)
        guard parsed != nil else {
            let form = allowDate ? "an RFC 3339 date (2026-01-31) or date-time" : "an RFC 3339 date-time"
            log.add(path(key), "\"\(text)\" is not \(form) (e.g. 2026-01-31T12:00:00Z)")
            return nil
        }
        return text
    }

    public func object(_ key: String, required: Bool = true) -> ObjectReader? {
        guard let value = value(key, required: required) else { return nil }
        return child(value, .member(key), under: place)
    }

    /// Reads an array, calling `element` with each item's value and pointer; items returning `nil` are dropped.
    public func array<T>(_ key: String, required: Bool = true, _ element: (JSONValue, String) -> T?) -> [T]? {
        let base = path(key)  // once, not once per element
        return elements(key, required: required) { item, index in
            element(item, JSONPointer.appending(String(index), to: base))
        }
    }

    /// Reads an array, calling `element` with each item's value and index; items returning `nil` are dropped.
    func elements<T>(_ key: String, required: Bool, _ element: (JSONValue, Int) -> T?) -> [T]? {
        guard let value = value(key, required: required) else { return nil }
        guard case .array(let items) = value else {
            log.add(path(key), "expected an array, found \(value.kindName)")
            return nil
        }
        var out: [T] = []
        out.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            if let parsed = element(item, index) { out.append(parsed) }
        }
        return out
    }

    /// An array of objects, each read by `element`, which must call `finish()` on its reader.
    public func objects<T>(_ key: String, required: Bool = true, _ element: (ObjectReader) -> T?) -> [T]? {
        var arrayPlace: Int?
        return elements(key, required: required) { value, index in
            let parent = arrayPlace ?? log.place(.member(key), under: place)
            arrayPlace = parent
            return child(value, .element(index), under: parent).flatMap(element)
        }
    }

    public func strings(_ key: String, required: Bool = true) -> [String]? {
        elements(key, required: required) { value, index in
            guard case .string(let text) = value, !text.isEmpty else {
                log.add(path(key) + "/\(index)", "expected a non-empty string, found \(value.kindName)")
                return nil
            }
            return text
        }
    }

    public func countries(_ key: String, required: Bool = true) -> [String]? {
        elements(key, required: required) { value, index in
            guard case .string(let code) = value else {
                log.add(path(key) + "/\(index)", "expected a country code, found \(value.kindName)")
                return nil
            }
            if let problem = CountryCode.problem(with: code) {
                log.add(path(key) + "/\(index)", problem)
                return nil
            }
            return code
        }
    }

    /// Records every member that no accessor asked for: unknown members are rejected, never ignored.
    public func finish() {
        for (position, member) in object.members.enumerated() where !log.wasSeen(position, at: place) {
            log.add(path(member.key), "unknown member \"\(member.key)\"")
        }
    }
}
