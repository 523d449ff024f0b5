/// JSON text written member by member, whatever its layout: what lets one function write a result for every writer
/// (the report's pretty text, the ledger's compact records), each in `JSONEncoder`'s key order.
public protocol JSONMemberWriter {
    /// Opens an object or an array as the value of the current member or element: its bracket, `{` or `[`.
    mutating func open(_ bracket: UInt8)
    /// Closes the innermost object or array with its bracket (`}` or `]`).
    mutating func close(_ bracket: UInt8)
    /// Starts the next member of the innermost object.
    mutating func key(_ name: StaticString)
    /// Starts the next member of the innermost object whose name is data, escaped as any string.
    mutating func key(text name: String)
    /// Starts the next element of the innermost array.
    mutating func element()
    /// A string value, escaped as the writer's layout requires.
    mutating func string(_ text: String)
}

extension JSONMemberWriter {
    public mutating func beginObject() { open(UInt8(ascii: "{")) }
    public mutating func endObject() { close(UInt8(ascii: "}")) }
    public mutating func beginArray() { open(UInt8(ascii: "[")) }
    public mutating func endArray() { close(UInt8(ascii: "]")) }

    public mutating func member(_ name: StaticString, _ value: String) {
        key(name)
        string(value)
    }

    /// A member only when there is a value, as `encodeIfPresent` writes it.
    public mutating func optional(_ name: StaticString, _ value: String?) {
        if let value { member(name, value) }
    }

    /// A string-to-string map as an object, its members in `JSONEncoder`'s key order.
    public mutating func stringMap(_ map: [String: String]) {
        beginObject()
        for name in map.keysInJSONEncoderOrder {
            key(text: name)
            string(map[name] ?? "")
        }
        endObject()
    }

    /// A model's `subjects` member, as `JSONEncoder` encodes `[SubjectDigest]`.
    public mutating func subjects(_ subjects: [SubjectDigest]) {
        key("subjects")
        beginArray()
        for subject in subjects {
            element()
            beginObject()
            key("digest")
            stringMap(subject.digest)
            member("name", subject.name)
            endObject()
        }
        endArray()
    }

    public mutating func strings(_ name: StaticString, _ values: [String]) {
        key(name)
        beginArray()
        for value in values {
            element()
            string(value)
        }
        endArray()
    }
}

extension Finding {
    /// Writes the finding as `JSONEncoder` encodes it: its members in key order, absent optionals left out.
    ///
    /// In four runs, so a rule's `FindingTemplate` can hold the members every finding of the rule shares: the
    /// rule's controls, what this finding found, the rule's remediation, id and severity, then status, title and
    /// waiver.
    public func writeJSON<Writer: JSONMemberWriter>(to json: inout Writer) {
        json.beginObject()
        Self.writeControls(controls, to: &json)
        writeEvidence(to: &json)
        Self.writeRule(remediation: remediation, ruleID: ruleID, severity: severity, to: &json)
        json.member("status", status.rawValue)
        Self.writeTitle(title, to: &json)
        writeWaiver(to: &json)
        json.endObject()
    }

    static func writeControls<Writer: JSONMemberWriter>(_ controls: [String], to json: inout Writer) {
        json.strings("controls", controls)
    }

    /// What this finding found: expected, message, observed, path and pointer.
    func writeEvidence<Writer: JSONMemberWriter>(to json: inout Writer) {
        json.optional("expected", expected)
        json.member("message", message)
        json.optional("observed", observed)
        if let path { json.strings("path", path) }
        json.optional("pointer", pointer)
    }

    static func writeRule<Writer: JSONMemberWriter>(
        remediation: String?, ruleID: String, severity: Severity, to json: inout Writer
    ) {
        json.optional("remediation", remediation)
        json.member("ruleID", ruleID)
        json.member("severity", severity.rawValue)
    }

    static func writeTitle<Writer: JSONMemberWriter>(_ title: String, to json: inout Writer) {
        json.member("title", title)
    }

    func writeWaiver<Writer: JSONMemberWriter>(to json: inout Writer) {
        guard let waiver else { return }
        json.key("waiver")
        json.beginObject()
        json.member("approver", waiver.approver)
        json.member("expires", waiver.expires)
        json.member("justification", waiver.justification)
        json.endObject()
    }
}

extension Dictionary where Key == String {
    /// The keys in the order `JSONEncoder`'s `.sortedKeys` writes them: by the bytes of their UTF-8. Swift's `<`
    /// differs beyond ASCII (it compares canonically equivalent text alike: `e` + U+0301 sorts as `é`).
    public var keysInJSONEncoderOrder: [String] {
        keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }
}
