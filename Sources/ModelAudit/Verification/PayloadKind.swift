import Foundation

/// What a signed DSSE payload is, decided from its bytes, so a verdict is only ever given on a model manifest.
///
/// A valid signature by a trusted key proves who signed a payload, not what it is for: a custody record, an SLSA
/// statement or a plain-text note signed by the same key must never be judged as a model. `classify` names what
/// the payload is, so the report can say "this is a custody record, not a model manifest".
public enum PayloadKind: Sendable, Equatable {
    /// An in-toto Statement v1 whose predicate is the provenance manifest.
    case provenanceManifest
    /// An in-toto Statement v1 whose predicate is a custody record.
    case custodyRecord
    /// An in-toto Statement v1 with another predicate type (SLSA provenance, a vulnerability scan, …).
    case otherStatement(predicateType: String)
    /// A payload type other than in-toto's (`text/plain`, empty, …).
    case foreignPayloadType(String)
    /// In-toto payload type, but the bytes are not a JSON document.
    case notJSON(reason: String)
    /// In-toto payload type and JSON, but not an in-toto Statement v1 (an array, a number, a wrong `_type`…).
    case notStatement(reason: String)

    /// Well-known predicate types, named in messages so a reader knows what they were handed.
    static let knownPredicates: [String: String] = [
        "https://slsa.dev/provenance/v1": "an SLSA provenance v1 statement",
        "https://slsa.dev/provenance/v0.2": "an SLSA provenance v0.2 statement",
        "https://slsa.dev/verification_summary/v1": "an SLSA verification summary",
        "https://spdx.dev/Document": "an SPDX SBOM",
        "https://cyclonedx.org/bom": "a CycloneDX SBOM",
        "https://in-toto.io/attestation/vulns": "a vulnerability scan attestation",
        "https://in-toto.io/attestation/link/v0.3": "an in-toto link",
        "https://model_signing/signature/v1.0": "an OpenSSF model-signing (OMS) statement",
    ]

    /// Classifies a payload without validating the predicate: only its type and envelope-level shape.
    public static func classify(payloadType: String, payload: [UInt8]) -> PayloadKind {
        parse(payloadType: payloadType, payload: payload).kind
    }

    /// Classifies an envelope's payload.
    public static func classify(_ envelope: DSSEEnvelope) -> PayloadKind {
        classify(payloadType: envelope.payloadType, payload: envelope.payload)
    }

    /// The kind of an envelope's payload and, when it is JSON, the parsed document — so the caller that goes on to
    /// read the manifest does not parse the payload a second time.
    public static func parse(_ envelope: DSSEEnvelope) -> (kind: PayloadKind, value: JSONValue?) {
        parse(payloadType: envelope.payloadType, payload: envelope.payload)
    }

    private static func parse(payloadType: String, payload: [UInt8]) -> (kind: PayloadKind, value: JSONValue?) {
        guard payloadType == DSSEEnvelope.inTotoPayloadType else { return (.foreignPayloadType(payloadType), nil) }
        let value: JSONValue
        do {
            value = try StrictJSON.parse(payload)
        } catch {
            return (.notJSON(reason: "\(error)"), nil)
        }
        return (statementKind(value), value)
    }

    private static func statementKind(_ value: JSONValue) -> PayloadKind {
        guard case .object = value else {
            return .notStatement(reason: "the payload is \(value.kindDescription), not an in-toto Statement object")
        }
        guard let type = value["_type"]?.stringValue else {
            return .notStatement(reason: "the payload has no string \"_type\", so it is not an in-toto Statement")
        }
        guard type == InTotoStatementType.v1 else {
            return .notStatement(reason: "the payload's _type is \"\(type)\", not \"\(InTotoStatementType.v1)\"")
        }
        guard let predicateType = value["predicateType"]?.stringValue else {
            return .notStatement(reason: "the statement has no string \"predicateType\"")
        }
        switch predicateType {
        case ProvenancePredicate.type: return .provenanceManifest
        case CustodyPredicate.type: return .custodyRecord
        default: return .otherStatement(predicateType: predicateType)
        }
    }

    public var isModelManifest: Bool { self == .provenanceManifest }

    /// One sentence saying what the payload is, when it is not a model manifest.
    public var notAManifestExplanation: String? {
        let manifest = "not a model manifest (\(ProvenancePredicate.type))"
        switch self {
        case .provenanceManifest:
            return nil
        case .custodyRecord:
            return "this is a custody record, \(manifest); custody records are verified with the manifest they "
                + "chain from"
        case .otherStatement(let predicateType):
            let what = Self.knownPredicates[predicateType] ?? "an in-toto statement"
            return "this is \(what) (predicateType \"\(predicateType)\"), \(manifest)"
        case .foreignPayloadType(let type):
            let shown = type.isEmpty ? "empty" : "\"\(type)\""
            return "the payload type is \(shown), not \"\(DSSEEnvelope.inTotoPayloadType)\": this is \(manifest)"
        case .notJSON(let reason):
            return "the payload is not a JSON document (\(reason)): this is \(manifest)"
        case .notStatement(let reason):
            return "\(reason): this is \(manifest)"
        }
    }
}

extension JSONValue {
    /// "a JSON array", "a string", … for messages about the shape of a document.
    var kindDescription: String {
        switch self {
        case .object: return "a JSON object"
        case .array: return "a JSON array"
        case .string: return "a JSON string"
        case .number: return "a JSON number"
        case .bool: return "a JSON boolean"
        case .null: return "JSON null"
        }
    }
}
