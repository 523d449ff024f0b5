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
        elementText(model, prefix: prefix).withUnsafeBytes { Array($0) }
    }

    /// `element(_:prefix:)` in the writer's own storage, for a caller that hands the bytes on and keeps no copy.
    static func elementText(_ model: ModelReport, prefix: [UInt8] = []) -> WrittenJSON {
        PrettyJSONText.written(level: 2) { writer in
            writer.raw(prefix)
            writer.raw(repeating: 0x20, count: 4)
            write(model, to: &writer)
        }
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
        if let subjects = model.subjects { json.subjects(subjects) }
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
        finding.writeReportJSON(to: &json)
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
