import Foundation
import Testing

/// Inputs that once made a check quietly not applicable: a model's missing folder under `audit report
/// --model-dirs`, and policy parameters with which a rule could never fail.
@Suite("End to end: no quiet not-applicable")
struct NotApplicableEndToEndTests {
    static let at = "2026-06-01T00:00:00Z"
    static let manifest = AuditBinary.packageRoot
        .appendingPathComponent("Tests/Fixtures/policy/cases/manifests/compliant-self-hosted.yaml").path

    @Test("audit report --model-dirs: a model whose folder is missing is an error for that model, exit 2")
    func missingModelFolderIsAnError() throws {
        let ws = try Workspace()
        try ws.keygen("dev")
        try ws.makeTrustStore([("dev", "")])
        try ws.write("fleet/present/model.safetensors", "weights")
        for name in ["present", "absent"] {
            let signed = try ws.run(
                ["sign", Self.manifest, "--key", "dev.key", "--model-dir", "fleet/present", "-o", "fleet/\(name).json"])
            #expect(signed.exitCode == 0, "\(signed)")
        }
        let result = try ws.run(
            ["report", "fleet", "--trust", "trust", "--model-dirs", "--at", Self.at, "--format", "json"])
        #expect(result.exitCode == 2, "\(result)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let models = try #require(report["models"] as? [[String: Any]])
        func model(_ name: String) throws -> [String: Any] {
            try #require(models.first { ($0["file"] as? String)?.hasSuffix("/\(name).json") == true }, "\(models)")
        }
        let absent = try model("absent")
        #expect(absent["verdict"] as? String == "could-not-evaluate")
        let findings = try #require(absent["findings"] as? [[String: Any]])
        let artifacts = findings.filter { $0["ruleID"] as? String == "integrity.artifacts" }
        #expect(artifacts.map { $0["status"] as? String } == ["error"], "\(findings)")
        #expect((artifacts.first?["message"] as? String)?.contains("fleet/absent") == true, "\(artifacts)")
        // The other model's files were checked and pass.
        let present = try model("present")
        #expect(present["verdict"] as? String == "compliant", "\(present)")
        let checked = (present["findings"] as? [[String: Any]] ?? []).filter {
            $0["ruleID"] as? String == "integrity.artifacts"
        }
        #expect(checked.map { $0["status"] as? String } == ["pass"])
    }

    @Test("audit policy check refuses a rule that could never fail, naming the rule, the parameter and the fix")
    func policyCheckRefusesARuleThatCannotFail() throws {
        let ws = try Workspace()
        try ws.write("policy.yaml", """
            version: 1
            name: "Vacuous"
            rules:
              - {id: FLOWS, type: jurisdictions.countries, severity: high, role: data-flow-recipient, categories: [],
                 deny: [CN]}
            """)
        let result = try ws.run(["policy", "check", "policy.yaml"])
        #expect(result.exitCode == 2, "\(result)")
        let output = result.stdout + result.stderr
        #expect(output.contains("/rules/0/categories"), "\(result)")
        #expect(output.contains("rule \"FLOWS\" (jurisdictions.countries): categories is empty"), "\(result)")
        #expect(output.contains("leave categories out to check every category"), "\(result)")
    }
}
