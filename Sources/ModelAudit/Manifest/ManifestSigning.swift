import AuditCrypto
import Foundation

/// Turns a manifest source (JSON or YAML statement) into the exact payload bytes that get signed.
public enum ManifestPayload {
    /// Whether a parsed document is a provenance statement (by its `predicateType`).
    public static func isProvenanceStatement(_ value: JSONValue) -> Bool {
        value["predicateType"]?.stringValue == ProvenancePredicate.type
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
        try ReportJSON.canonical(statement)
    }
}
