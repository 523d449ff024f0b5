import AuditCrypto
import Foundation

/// Turns a manifest source (JSON or YAML statement) into the exact payload bytes that get signed.
public enum ManifestPayload {
    /// Whether a parsed document is a provenance statement (by its `predicateType`).
    public static func isProvenanceStatement(_ value: JSONValue) -> Bool {
        value["predicateType"]?.stringValue == ProvenancePredicate.type
    }

    /// The provenance statement an envelope carries, validated completely; `nil` when the envelope carries anything
    /// else (another payload type, another statement type or predicate — `PayloadKind` says what).
    ///
    /// Only call this on an envelope whose signatures verified: it parses the payload.
    public static func statement(in envelope: DSSEEnvelope) throws -> ProvenanceStatement? {
        guard envelope.payloadType == DSSEEnvelope.inTotoPayloadType else { return nil }
        let value = try StrictJSON.parse(envelope.payload)
        guard value["_type"]?.stringValue == InTotoStatementType.v1, isProvenanceStatement(value) else { return nil }
        return try ManifestReader.read(value, document: "signed statement")
    }

    /// Validates the statement (every problem at once) and encodes it canonically: compact JSON, sorted keys.
    ///
    /// - Parameter subjects: when given, replace the statement's subject list (computed from a model directory).
    public static func make(from value: JSONValue, subjects: [Subject]?, document: String) throws
        -> (statement: ProvenanceStatement, payload: [UInt8])
    {
        let source = subjects.map { ManifestDraft.replacingSubjects(in: value, with: $0) } ?? value
        let statement = try ManifestReader.read(source, document: document)
        return (statement, try canonicalBytes(statement))
    }

    /// Compact JSON with sorted keys: the same statement always gives the same payload bytes.
    public static func canonicalBytes(_ statement: ProvenanceStatement) throws -> [UInt8] {
        try CanonicalJSON.encode(statement)
    }
}
