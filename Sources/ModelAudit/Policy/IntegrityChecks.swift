import Foundation

/// The built-in checks every verification reports as findings: signatures, the manifest, the model's files.
///
/// They are always enforced and can never be waived: a model whose manifest is unsigned, tampered or whose
/// files differ from it is non-compliant whatever the policy says. Their ids live here, with the policy that must
/// refuse to waive them; the findings are made by `Verification/IntegrityFindings.swift`.
public enum IntegrityChecks {
    public static let signatureRule = "integrity.signatures"
    public static let manifestRule = "integrity.manifest"
    public static let artifactsRule = ModelReport.fileIntegrityRule
    public static let custodyRule = "integrity.custody"
    public static let ruleIDs: Set<String> = [signatureRule, manifestRule, artifactsRule, custodyRule]
    static let custodyControls = ["NIST-SP-800-218A:PS.3.2", "ISO-42001:A.10.3", "NIST-AI-RMF:MAP-4.1"]

    static let signatureControls = ["NIST-SP-800-218A:PS.2.1", "ISO-42001:A.10.3"]
    public static let manifestControls = ["NIST-SP-800-218A:PS.3.2", "NIST-AI-RMF:GOVERN-6.1", "EU-AI-Act:Art.53(1)(b)"]
    static let artifactControls = ["NIST-SP-800-218A:PS.2.1", "NIST-SP-800-218A:PS.3.1"]

    static let signatureTitle = "Manifest signed by trusted keys"
    static let manifestTitle = "Signed payload is a valid provenance manifest"
    static let custodyTitle = "Chain of custody is unbroken"
    static let artifactsTitle = "Model files match the manifest"

    /// Each rule's usual members (title, critical severity, controls) as the JSON report writes them, as a policy
    /// rule's are (`FindingTemplate`); a finding that differs from them, an artifact warning, is written member by
    /// member.
    private static let templates = [
        (signatureRule, signatureTitle, signatureControls), (manifestRule, manifestTitle, manifestControls),
        (custodyRule, custodyTitle, custodyControls), (artifactsRule, artifactsTitle, artifactControls),
    ].map { FindingTemplate(RuleInfo(id: $0.0, title: $0.1, severity: .critical, controls: $0.2, remediation: nil)) }

    /// The template of an integrity rule's findings.
    static func template(for ruleID: String) -> FindingTemplate? {
        templates.first { $0.rule.id == ruleID }
    }
}
