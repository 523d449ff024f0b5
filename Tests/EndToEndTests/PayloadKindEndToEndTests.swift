import Foundation
import Testing

/// A validly signed document that is not a model manifest never earns a model verdict.
///
/// The attack: a trusted key signs something else (a custody record, an SLSA statement, a note), and the attacker
/// hands that envelope to the gate. The signature verifies, but there is no manifest to judge, so `verify` and
/// `report` must fail `integrity.manifest` (exit 1) and say what the payload is; `audit envelope verify` is the
/// explicit signature-only check and says it evaluated nothing.
@Suite("a signed payload that is not a model manifest")
struct PayloadKindEndToEndTests {
    static let at = "2026-06-01T00:00:00Z"

    /// One attack document: its file, its payload type, its bytes, and what the finding must say.
    struct Impostor: Sendable, CustomTestStringConvertible {
        let name: String
        let payloadType: String
        let payload: String
        let says: String

        var testDescription: String { name }
    }

    static let subject = #"[{"name": "model.safetensors", "digest": {"sha256": "\#(String(repeating: "ab", count: 32))"}}]"#

    static let impostors: [Impostor] = [
        Impostor(
            name: "custody record", payloadType: "application/vnd.in-toto+json",
            payload: #"{"_type": "https://in-toto.io/Statement/v1", "subject": \#(subject), "#
                + #""predicateType": "https://model-audit.dev/custody/v1", "predicate": {"action": "mirrored"}}"#,
            says: "this is a custody record, not a model manifest"),
        Impostor(
            name: "SLSA provenance statement", payloadType: "application/vnd.in-toto+json",
            payload: #"{"_type": "https://in-toto.io/Statement/v1", "subject": \#(subject), "#
                + #""predicateType": "https://slsa.dev/provenance/v1", "predicate": {"buildDefinition": {}}}"#,
            says: "this is an SLSA provenance v1 statement"),
        Impostor(
            name: "unknown predicate", payloadType: "application/vnd.in-toto+json",
            payload: #"{"_type": "https://in-toto.io/Statement/v1", "subject": \#(subject), "#
                + #""predicateType": "https://example.com/compliant/v1", "predicate": {"compliant": true}}"#,
            says: "predicateType \"https://example.com/compliant/v1\""),
        Impostor(
            name: "JSON array", payloadType: "application/vnd.in-toto+json", payload: "[1, 2, 3]",
            says: "the payload is a JSON array, not an in-toto Statement"),
        Impostor(
            name: "object without _type", payloadType: "application/vnd.in-toto+json",
            payload: #"{"hello": "world"}"#, says: "no string \"_type\""),
        Impostor(
            name: "in-toto Statement v0.1", payloadType: "application/vnd.in-toto+json",
            payload: #"{"_type": "https://in-toto.io/Statement/v0.1", "subject": [], "predicateType": "x"}"#,
            says: "not \"https://in-toto.io/Statement/v1\""),
        Impostor(
            name: "text/plain payload", payloadType: "text/plain", payload: "compliant, trust me\n",
            says: "the payload type is \"text/plain\""),
        Impostor(
            name: "empty payload type", payloadType: "", payload: "{}",
            says: "the payload type is empty"),
    ]

    /// A workspace with a trusted key `dev` and `NAME.json` signed by it for every impostor, plus a one-rule policy.
    static func setUp() throws -> Workspace {
        let ws = try Workspace()
        try ws.keygen("dev")
        try ws.makeTrustStore([("dev", "")])
        try FileManager.default.createDirectory(at: ws.url.appendingPathComponent("fleet"), withIntermediateDirectories: true)
        for (index, impostor) in impostors.enumerated() {
            try ws.write("payload-\(index)", impostor.payload)
            let result = try ws.run([
                "sign", "payload-\(index)", "--payload-type", impostor.payloadType, "--key", "dev.key",
                "-o", "fleet/\(index).json",
            ])
            #expect(result.exitCode == 0, "signing the \(impostor.name) failed: \(result)")
        }
        try ws.write(
            "policy.yaml",
            """
            version: 1
            name: "Only signed developers"
            rules:
              - id: SIG-DEV
                type: signatures.required-roles
                title: "The developer signed"
                severity: critical
                roles: [developer]
                remediation: "Sign with the developer key."
            """)
        return ws
    }

    /// The one model's `integrity.manifest` finding from a `--format json` report.
    static func manifestFinding(_ result: AuditBinary.Result) throws -> [String: Any] {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let models = try #require(object["models"] as? [[String: Any]])
        let findings = try #require(models.first?["findings"] as? [[String: Any]])
        return try #require(findings.first { $0["ruleID"] as? String == "integrity.manifest" }, "\(result)")
    }

    @Test("verify, with and without a policy, fails integrity.manifest and says what the payload is",
        arguments: Array(impostors.indices))
    func verifyRefuses(index: Int) throws {
        let ws = try Self.setUp()
        let impostor = Self.impostors[index]
        for extra in [[], ["--policy", "policy.yaml"]] {
            // Wide enough that no message the test looks for is wrapped.
            let text = try ws.run(
                ["verify", "fleet/\(index).json", "--trust", "trust", "--at", Self.at] + extra,
                environment: ["COLUMNS": "1000"])
            #expect(text.exitCode == 1, "\(impostor.name) \(extra): \(text)")
            #expect(text.stdout.contains("non-compliant"), "\(text)")
            #expect(text.stdout.contains(impostor.says), "\(impostor.name): \(text)")

            let json = try ws.run(
                ["verify", "fleet/\(index).json", "--trust", "trust", "--at", Self.at, "--format", "json"] + extra)
            #expect(json.exitCode == 1, "\(json)")
            let finding = try Self.manifestFinding(json)
            #expect(finding["status"] as? String == "fail", "\(finding)")
            #expect((finding["message"] as? String)?.contains(impostor.says) == true, "\(finding)")
        }
    }

    @Test("--mode audit still reports the failure (exit 0 by design), never a compliant verdict")
    func auditModeReportsIt() throws {
        let ws = try Self.setUp()
        let result = try ws.run([
            "verify", "fleet/0.json", "--trust", "trust", "--at", Self.at, "--policy", "policy.yaml", "--mode",
            "audit", "--format", "json",
        ])
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stdout.contains("\"non-compliant\""), "\(result)")
    }

    @Test("report over a fleet of impostors: every one non-compliant, exit 1")
    func reportRefusesEveryOne() throws {
        let ws = try Self.setUp()
        let result = try ws.run([
            "report", "fleet", "--trust", "trust", "--policy", "policy.yaml", "--at", Self.at, "--format", "json",
        ])
        #expect(result.exitCode == 1, "\(result)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let models = try #require(object["models"] as? [[String: Any]])
        #expect(models.count == Self.impostors.count)
        for model in models {
            #expect(model["verdict"] as? String == "non-compliant", "\(model)")
        }
    }

    @Test("envelope verify prints the signer and says the payload was not evaluated")
    func envelopeVerify() throws {
        let ws = try Self.setUp()
        let text = try ws.run(["envelope", "verify", "fleet/0.json", "--trust", "trust", "--at", Self.at])
        #expect(text.exitCode == 0, "\(text)")
        #expect(text.stdout.contains("verified by sha256:"), "\(text)")
        #expect(text.stdout.contains("dev owner"), "\(text)")
        #expect(text.stdout.contains("this is a custody record"), "\(text)")
        #expect(text.stdout.contains("the payload was not evaluated"), "\(text)")
        #expect(!text.stdout.contains("compliant"), "\(text)")

        let json = try ws.run([
            "envelope", "verify", "fleet/6.json", "--trust", "trust", "--at", Self.at, "--format", "json",
        ])
        #expect(json.exitCode == 0, "\(json)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["payloadEvaluated"] as? Bool == false)
        #expect(object["payloadType"] as? String == "text/plain")
        #expect(object["verified"] as? Bool == true)
    }

    @Test("envelope verify: an unknown signer or an unmet threshold exits 1; a broken file exits 2")
    func envelopeVerifyFailures() throws {
        let ws = try Self.setUp()
        try ws.keygen("stranger")
        try ws.makeTrustStore([("stranger", "")], directory: "other")
        let untrusted = try ws.run(["envelope", "verify", "fleet/0.json", "--trust", "other", "--at", Self.at])
        #expect(untrusted.exitCode == 1, "\(untrusted)")
        #expect(untrusted.stdout.contains("not read: the signatures did not verify"), "\(untrusted)")

        let threshold = try ws.run([
            "envelope", "verify", "fleet/0.json", "--trust", "trust", "--threshold", "2", "--at", Self.at,
        ])
        #expect(threshold.exitCode == 1, "\(threshold)")

        try ws.write("broken.json", "{\"payloadType\": ")
        let broken = try ws.run(["envelope", "verify", "broken.json", "--trust", "trust"])
        #expect(broken.exitCode == 2, "\(broken)")
        #expect(broken.stderr.hasPrefix("audit: error:"), "\(broken)")
    }
}
