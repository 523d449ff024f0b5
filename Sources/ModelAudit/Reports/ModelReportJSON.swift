/// Writes one `ModelReport` as it stands inside the JSON report's `models` array, without `JSONEncoder`.
///
/// A fleet report is mostly models, and encoding them through `Codable` was the largest cost of a 10,000-model run.
/// The bytes are exactly what `ReportJSON.encode` gives for the same model inside a report: keys in byte order,
/// two spaces per level, `"key" : value`, an empty array as `[`, a blank line and `]`, strings escaped as the
/// encoder escapes them (`\b \f \n \r \t \" \\`, other C0 controls as lower-case `\u00xx`, `/` as is), and then
/// as `JSONText.terminalSafe` rewrites them, in the same pass. `FleetStreamingTests` checks it against the encoder on
/// models that use every field.
public enum ModelReportJSON {
    /// The model's JSON at the depth of the report's `models` array (two levels, four spaces), no trailing newline.
    /// `prefix` (a separator) is written first, so a caller that needs it need not copy the model to prepend it.
    public static func element(_ model: ModelReport, prefix: [UInt8] = []) -> [UInt8] {
        var writer = PrettyJSONText(level: 2)
        writer.bytes.append(contentsOf: prefix)
        writer.bytes.append(contentsOf: repeatElement(0x20, count: 4))
        write(model, to: &writer)
        return writer.bytes
    }

    /// Member order is byte order of the keys, as the encoder's `.sortedKeys` writes them; absent optionals are
    /// left out, as `encodeIfPresent` does.
    static func write(_ model: ModelReport, to json: inout PrettyJSONText) {
        json.beginObject()
        if let custody = model.custody {
            json.array("custody", custody, each: write)
        }
        json.optional("developer", model.developer)
        json.member("envelopeSHA256", model.envelopeSHA256)
        json.member("file", model.file)
        json.array("findings", model.findings, each: write)
        if let lineage = model.lineage {
            json.key("lineage")
            write(lineage, to: &json)
        }
        json.optional("name", model.name)
        if let signers = model.signers {
            json.array("signers", signers, each: write)
        }
        if let subjects = model.subjects {
            json.key("subjects")
            json.beginArray()
            for subject in subjects {
                json.element()
                json.beginObject()
                json.key("digest")
                json.beginObject()
                for algorithm in subject.digest.keysInJSONEncoderOrder {
                    json.key(text: algorithm)
                    json.string(subject.digest[algorithm] ?? "")
                }
                json.endObject()
                json.member("name", subject.name)
                json.endObject()
            }
            json.endArray()
        }
        json.member("verdict", model.verdict.rawValue)
        json.optional("version", model.version)
        json.endObject()
    }

    static func write(_ signer: SignerIdentity, to json: inout PrettyJSONText) {
        json.beginObject()
        json.optional("certificateIssuer", signer.certificateIssuer)
        json.optional("certificateSubject", signer.certificateSubject)
        json.optional("integratedTime", signer.integratedTime)
        json.optional("keyID", signer.keyID)
        json.member("kind", signer.kind.rawValue)
        if let logIndex = signer.logIndex {
            json.key("logIndex")
            json.literal(String(logIndex))
        }
        json.optional("oidcIssuer", signer.oidcIssuer)
        json.optional("owner", signer.owner)
        json.optional("san", signer.san)
        json.optional("timestampAuthorityTime", signer.timestampAuthorityTime)
        json.endObject()
    }

    static func write(_ finding: Finding, to json: inout PrettyJSONText) {
        finding.writeJSON(to: &json)
    }

    static func write(_ node: LineageNode, to json: inout PrettyJSONText) {
        json.beginObject()
        json.optional("developer", node.developer)
        json.optional("manifestSHA256", node.manifestSHA256)
        json.member("name", node.name)
        json.array("parents", node.parents, each: write)
        json.optional("relation", node.relation)
        if let repeated = node.repeated {
            json.key("repeated")
            json.literal(repeated ? "true" : "false")
        }
        json.member("status", node.status)
        json.endObject()
    }

    static func write(_ hop: CustodyHop, to json: inout PrettyJSONText) {
        json.beginObject()
        json.member("action", hop.action)
        json.member("actor", hop.actor)
        json.member("country", hop.country)
        json.key("index")
        json.literal(String(hop.index))
        json.member("status", hop.status)
        json.member("time", hop.time)
        json.endObject()
    }
}

/// Pretty JSON text in the layout of `JSONEncoder`'s `.prettyPrinted`, written member by member.
struct PrettyJSONText: JSONMemberWriter {
    var bytes: [UInt8] = []
    private var level: Int
    /// Whether the innermost open object or array has no member yet, one entry per open level.
    private var empty: [Bool] = []

    init(level: Int) {
        self.level = level
        // A model of the sample fleet is about 16 KB: one allocation, not a doubling on the way.
        bytes.reserveCapacity(32 * 1024)
    }

    mutating func beginObject() { open(UInt8(ascii: "{")) }
    mutating func endObject() { close(UInt8(ascii: "}")) }
    mutating func beginArray() { open(UInt8(ascii: "[")) }
    mutating func endArray() { close(UInt8(ascii: "]")) }

    /// Starts the next member of the innermost object: `"name" : `.
    mutating func key(_ name: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(0x20)
        bytes.append(UInt8(ascii: ":"))
        bytes.append(0x20)
    }

    /// Starts the next member of the innermost object whose name is data: escaped as any string.
    mutating func key(text name: String) {
        separate()
        string(name)
        bytes.append(contentsOf: [0x20, UInt8(ascii: ":"), 0x20])
    }

    /// Starts the next element of the innermost array.
    mutating func element() { separate() }

    /// A member whose value is an array of objects, each written by `each`.
    mutating func array<Element>(
        _ name: StaticString, _ elements: [Element], each: (Element, inout PrettyJSONText) -> Void
    ) {
        key(name)
        beginArray()
        for element in elements {
            self.element()
            each(element, &self)
        }
        endArray()
    }

    /// A number or `true`/`false`, written as given.
    mutating func literal(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    /// A string as the encoder writes it, made terminal-safe as `JSONText.terminalSafe` would make it afterwards:
    /// DEL, a `[` after two `#` and every character `VisibleEscape` finds unsafe become upper-case `\uXXXX`.
    /// Outside strings the report holds no `#`, so a run of `#` starts and ends inside one string.
    mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        // Most strings are printable ASCII with nothing to escape: checked and copied whole, from the string's own
        // storage.
        let copied = text.utf8.withContiguousStorageIfAvailable { utf8 -> Bool in
            let plain = Self.needsCare.withUnsafeBufferPointer { needsCare in !utf8.contains { needsCare[Int($0)] } }
            guard plain else { return false }
            bytes.append(contentsOf: utf8)
            return true
        }
        if copied == true {
            bytes.append(UInt8(ascii: "\""))
            return
        }
        var hashes = 0
        for scalar in text.unicodeScalars {
            let value = scalar.value
            guard value < 0x80 else {
                hashes = 0
                if VisibleEscape.isUnsafe(scalar) {
                    escape(value)
                } else {
                    bytes.append(contentsOf: String(scalar).utf8)
                }
                continue
            }
            let byte = UInt8(value)
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x08: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x00..<0x20:
                bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                bytes.append(Self.hex[Int(byte >> 4)])
                bytes.append(Self.hex[Int(byte & 0x0F)])
            case 0x7F:
                escape(value)
            case UInt8(ascii: "[") where hashes >= 2:
                escape(value)
            default:
                bytes.append(byte)
            }
            hashes = byte == UInt8(ascii: "#") ? hashes + 1 : 0
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// `\uXXXX` in upper-case hex, a surrogate pair beyond the BMP: how `JSONText.terminalSafe` writes a character.
    private mutating func escape(_ value: UInt32) {
        guard let scalar = Unicode.Scalar(value) else { return }
        for unit in String(scalar).utf16 {
            bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u")])
            for shift in [12, 8, 4, 0] { bytes.append(Self.upperHex[Int((unit >> UInt16(shift)) & 0x0F)]) }
        }
    }

    /// The bytes `string` cannot copy as they are: controls, DEL and everything past ASCII, `"`, `\\` and `#`. One
    /// look-up per byte instead of five comparisons, over the hundreds of megabytes of strings in a fleet report.
    private static let needsCare: [Bool] = (0...255).map { byte in
        byte < 0x20 || byte >= 0x7F || byte == 0x22 || byte == 0x5C || byte == 0x23
    }
    private static let upperHex: [UInt8] = Array("0123456789ABCDEF".utf8)
    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    private mutating func open(_ bracket: UInt8) {
        bytes.append(bracket)
        empty.append(true)
        level += 1
    }

    /// The encoder puts a closing bracket on its own line, and leaves a blank line inside an empty one.
    private mutating func close(_ bracket: UInt8) {
        level -= 1
        if empty.removeLast() { bytes.append(0x0A) }
        newline()
        bytes.append(bracket)
    }

    private mutating func separate() {
        if empty[empty.count - 1] {
            empty[empty.count - 1] = false
        } else {
            bytes.append(UInt8(ascii: ","))
        }
        newline()
    }

    private mutating func newline() {
        // A line break and the indentation are one copy from a prepared run of spaces, for every line of a report
        // that runs to millions of lines in a fleet.
        let width = level * 2
        if width < Self.lineStart.count {
            Self.lineStart.withUnsafeBufferPointer { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: $0[...width])) }
        } else {
            bytes.append(0x0A)
            bytes.append(contentsOf: repeatElement(0x20, count: width))
        }
    }

    /// A line feed followed by enough spaces for any level a report reaches in practice.
    private static let lineStart: [UInt8] = [0x0A] + [UInt8](repeating: 0x20, count: 64)
}
