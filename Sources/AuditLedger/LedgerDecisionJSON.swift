import ModelAudit

/// Writes a decision's canonical JSON, the content a ledger record hashes, member by member without `JSONEncoder`.
///
/// Encoding through `Codable` was about a quarter of a single-record append's CPU. The bytes are exactly those of
/// `CanonicalJSON.encode` (the encoder with `.sortedKeys` and `.withoutEscapingSlashes`), so records written either
/// way verify alike: no spaces, keys in the byte order of their UTF-8, absent optionals left out as
/// `encodeIfPresent` leaves them, strings escaped as the encoder escapes them (`\" \\ \b \f \n \r \t`, other C0
/// controls as lower-case `\u00xx`; `/`, DEL and everything beyond ASCII as is). `LedgerDecisionJSONTests` checks
/// it against the encoder on decisions that use every field, and that no type gained a field this writer omits.
public enum LedgerDecisionJSON {
    /// The canonical JSON of `decision`.
    public static func encode(_ decision: LedgerDecision) -> [UInt8] {
        var json = CompactJSONText()
        json.beginObject()
        json.key("context")
        json.beginObject()
        json.key("ci")
        json.stringMap(decision.context.ci)
        json.member("host", decision.context.host)
        json.endObject()
        json.key("counts")
        json.beginObject()
        for name in decision.counts.keysInJSONEncoderOrder {
            json.key(text: name)
            json.integer(decision.counts[name] ?? 0)
        }
        json.endObject()
        json.optional("developer", decision.developer)
        json.member("envelopeSHA256", decision.envelopeSHA256)
        json.member("evaluatedAt", decision.evaluatedAt)
        json.member("file", decision.file)
        json.key("findings")
        json.beginArray()
        for finding in decision.findings {
            json.element()
            finding.writeJSON(to: &json)
        }
        json.endArray()
        json.member("mode", decision.mode.rawValue)
        json.optional("model", decision.model)
        json.member("origin", decision.origin)
        if let policy = decision.policy {
            json.key("policy")
            json.beginObject()
            json.member("name", policy.name)
            json.member("sha256", policy.sha256)
            json.endObject()
        }
        json.member("recordedAt", decision.recordedAt)
        if let subjects = decision.subjects { json.subjects(subjects) }
        json.key("tool")
        json.beginObject()
        json.member("name", decision.tool.name)
        json.member("version", decision.tool.version)
        json.endObject()
        json.member("trustStoreSHA256", decision.trustStoreSHA256)
        json.strings("trustedKeys", decision.trustedKeys)
        json.member("verdict", decision.verdict.rawValue)
        json.optional("version", decision.version)
        json.key("waivers")
        json.beginArray()
        for waiver in decision.waivers {
            json.element()
            json.beginObject()
            json.strings("appliedTo", waiver.appliedTo)
            json.member("approver", waiver.approver)
            json.member("expires", waiver.expires)
            json.member("justification", waiver.justification)
            json.member("model", waiver.model)
            json.member("rule", waiver.rule)
            json.member("state", waiver.state.rawValue)
            json.endObject()
        }
        json.endArray()
        json.endObject()
        return json.bytes
    }

    /// Rows of optional strings as a JSON array of arrays (`null` for an absent value): how a writer hands the
    /// indexed columns of a batch to a server-side append.
    public static func stringRows(_ rows: [[String?]]) -> [UInt8] {
        var json = CompactJSONText()
        json.beginArray()
        for row in rows {
            json.element()
            json.beginArray()
            for cell in row {
                json.element()
                if let cell { json.string(cell) } else { json.bytes.append(contentsOf: "null".utf8) }
            }
            json.endArray()
        }
        json.endArray()
        return json.bytes
    }
}

/// Compact JSON text written member by member; the caller writes an object's members in key order.
struct CompactJSONText: JSONMemberWriter {
    var bytes: [UInt8] = []
    /// Whether the innermost open object or array has no member yet, one entry per open level.
    private var empty: [Bool] = []

    init() {
        // A decision with a dozen findings is 4–5 KB: one allocation, not a doubling on the way.
        bytes.reserveCapacity(8 * 1024)
    }

    /// Starts the next member of the innermost object: `"name":`.
    mutating func key(_ name: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
    }

    /// Starts the next member of the innermost object whose name is data: escaped as any string.
    mutating func key(text name: String) {
        separate()
        string(name)
        bytes.append(UInt8(ascii: ":"))
    }

    /// Starts the next element of the innermost array.
    mutating func element() { separate() }

    /// An object of strings, keys in the encoder's order.
    mutating func integer(_ value: Int) {
        bytes.append(contentsOf: String(value).utf8)
    }

    mutating func open(_ bracket: UInt8) {
        bytes.append(bracket)
        empty.append(true)
    }

    mutating func close(_ bracket: UInt8) {
        empty.removeLast()
        bytes.append(bracket)
    }

    private mutating func separate() {
        if empty.last == false { bytes.append(UInt8(ascii: ",")) }
        if !empty.isEmpty { empty[empty.count - 1] = false }
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// A string as the encoder escapes it; runs of bytes that need no escape are copied whole.
    mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            var start = 0
            for index in utf8.indices {
                let byte = utf8[index]
                if byte >= 0x20 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<index]))
                start = index + 1
                bytes.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
                case 0x08: bytes.append(UInt8(ascii: "b"))
                case 0x0C: bytes.append(UInt8(ascii: "f"))
                case 0x0A: bytes.append(UInt8(ascii: "n"))
                case 0x0D: bytes.append(UInt8(ascii: "r"))
                case 0x09: bytes.append(UInt8(ascii: "t"))
                default:
                    bytes.append(contentsOf: "u00".utf8)
                    bytes.append(Self.hex[Int(byte >> 4)])
                    bytes.append(Self.hex[Int(byte & 0x0F)])
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
