/// JSON text written member by member, whatever its layout: what lets one function write a result for every writer
/// (the report's pretty text, the ledger's compact records), each in `JSONEncoder`'s key order.
public protocol JSONMemberWriter {
    mutating func beginObject()
    mutating func endObject()
    /// Starts the next member of the innermost object.
    mutating func key(_ name: StaticString)
    mutating func member(_ name: StaticString, _ value: String)
    /// A member only when there is a value, as `encodeIfPresent` writes it.
    mutating func optional(_ name: StaticString, _ value: String?)
    mutating func strings(_ name: StaticString, _ values: [String])
}

extension Finding {
    /// Writes the finding as `JSONEncoder` encodes it: its members in key order, absent optionals left out.
    public func writeJSON<Writer: JSONMemberWriter>(to json: inout Writer) {
        json.beginObject()
        json.strings("controls", controls)
        json.optional("expected", expected)
        json.member("message", message)
        json.optional("observed", observed)
        if let path { json.strings("path", path) }
        json.optional("pointer", pointer)
        json.optional("remediation", remediation)
        json.member("ruleID", ruleID)
        json.member("severity", severity.rawValue)
        json.member("status", status.rawValue)
        json.member("title", title)
        if let waiver {
            json.key("waiver")
            json.beginObject()
            json.member("approver", waiver.approver)
            json.member("expires", waiver.expires)
            json.member("justification", waiver.justification)
            json.endObject()
        }
        json.endObject()
    }
}
