import Foundation
import Testing

/// Keyless signer identities as policy rules (`signatures.keyless-identities`) and the signer in every report
/// format, through the real binary on sigstore-js's production release provenance.
@Suite("Keyless signer identities in policy and reports")
struct KeylessPolicyEndToEndTests {
    static let bundle = KeylessEndToEndTests.bundle
    static let root = KeylessEndToEndTests.root
    static let workflowPattern =
        #"https://github\.com/sigstore/sigstore-js/\.github/workflows/release\.yml@refs/heads/.*"#

    static func policy(pattern: String = workflowPattern, enforcement: String = "enforce") -> String {
        """
        version: 1
        name: keyless signers
        rules:
          - id: KEYLESS-SIGNERS
            type: signatures.keyless-identities
            severity: critical
            enforcement: \(enforcement)
            vendors:
              - name: Sigstore
                identities:
                  - sanRegexp: '\(pattern)'
                    issuer: https://token.actions.githubusercontent.com

        """
    }

    static func run(
        _ ws: Workspace, _ extra: [String], bundle: String = bundle
    ) throws -> (AuditBinary.Result, [String: Any]) {
        let result = try ws.run(
            ["verify", bundle, "--trusted-root", root, "--policy", "policy.yaml", "--at", "2026-06-01T00:00:00Z",
             "--format", "json"] + extra)
        let object = (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any] ?? [:]
        return (result, object)
    }

    static func model(_ report: [String: Any]) -> [String: Any] {
        (report["models"] as? [[String: Any]])?.first ?? [:]
    }

    static func finding(_ report: [String: Any], _ rule: String) -> [String: Any]? {
        (model(report)["findings"] as? [[String: Any]])?.first { $0["ruleID"] as? String == rule }
    }

    @Test("the policy alone names the signer: a listed identity passes the rule, and the signer is structured data")
    func listedIdentity() throws {
        let ws = try Workspace()
        try ws.write("policy.yaml", Self.policy())
        let (result, report) = try Self.run(ws, [])
        let rule = try #require(Self.finding(report, "KEYLESS-SIGNERS"), "\(result)")
        #expect(rule["status"] as? String == "pass", "\(rule)")
        #expect((rule["message"] as? String)?.hasSuffix("an identity of Sigstore") == true)
        let signers = try #require(Self.model(report)["signers"] as? [[String: Any]], "\(result)")
        #expect(signers.count == 1)
        #expect(signers[0]["kind"] as? String == "keyless")
        #expect(signers[0]["san"] as? String == KeylessEndToEndTests.identity)
        #expect(signers[0]["oidcIssuer"] as? String == KeylessEndToEndTests.issuer)
        #expect(signers[0]["logIndex"] as? Int == 31_821_305)
        #expect(signers[0]["integratedTime"] as? String == "2023-08-18T16:05:35Z")
        // The statement is SLSA provenance, not OMS, so the model itself still fails: exit 1.
        #expect(result.exitCode == 1, "\(result)")
    }

    @Test("an identity the policy does not list fails the rule with a remediation, exit 1")
    func unlistedIdentity() throws {
        let ws = try Workspace()
        let publish = #"https://github\.com/sigstore/sigstore-js/\.github/workflows/publish\.yml@.*"#
        try ws.write("policy.yaml", Self.policy(pattern: publish))
        let (result, report) = try Self.run(ws, [])
        #expect(result.exitCode == 1, "\(result)")
        let rule = try #require(Self.finding(report, "KEYLESS-SIGNERS"), "\(result)")
        #expect(rule["status"] as? String == "fail", "\(rule)")
        #expect((rule["message"] as? String)?.contains("not an allowed signer identity") == true, "\(rule)")
        #expect((rule["remediation"] as? String)?.contains("Do not deploy the model") == true, "\(rule)")
    }

    @Test("a model signed with a key fails the rule closed, though its signature verifies")
    func keySignedModelFails() throws {
        let ws = try OMSEndToEndTests.workspace()
        try ws.write("policy.yaml", Self.policy())
        let plain = try ws.run(["verify", "bundles/key-p256.sig", "--model-dir", "model", "--key", "keys/p256.pub"])
        #expect(plain.exitCode == 0, "\(plain)")
        let (result, report) = try Self.run(
            ws, ["--model-dir", "model", "--key", "keys/p256.pub"], bundle: "bundles/key-p256.sig")
        #expect(result.exitCode == 1, "\(result)")
        #expect(Self.finding(report, "integrity.signatures")?["status"] as? String == "pass")
        let rule = try #require(Self.finding(report, "KEYLESS-SIGNERS"), "\(result)")
        #expect(rule["status"] as? String == "fail", "\(rule)")
        #expect((rule["message"] as? String)?.contains("not signed keylessly") == true, "\(rule)")
        let signers = try #require(Self.model(report)["signers"] as? [[String: Any]])
        #expect(signers.first?["kind"] as? String == "key")
        #expect((signers.first?["keyID"] as? String)?.hasPrefix("sha256:") == true)
    }

    @Test("--trusted-root without an identity flag needs an enforced identity rule: a warn-only rule is a usage error")
    func identityRequired() throws {
        let ws = try Workspace()
        try ws.write("policy.yaml", Self.policy(enforcement: "warn"))
        let (result, _) = try Self.run(ws, [])
        #expect(result.exitCode == 64, "\(result)")
        #expect(result.stderr.contains("signatures.keyless-identities"), "\(result)")
    }

    @Test("every report format names the keyless signer, its issuer and its log entry")
    func everyFormat() throws {
        let ws = try Workspace()
        try ws.write("policy.yaml", Self.policy())
        let result = try ws.run(
            ["verify", Self.bundle, "--trusted-root", Self.root, "--policy", "policy.yaml",
             "--at", "2026-06-01T00:00:00Z", "--format", "text=r.txt", "--format", "markdown=r.md",
             "--format", "sarif=r.sarif", "--format", "junit=r.xml", "--format", "github=r.github",
             "--format", "json=r.json"])
        #expect(result.exitCode == 1, "\(result)")
        for file in ["r.txt", "r.md", "r.sarif", "r.xml", "r.github", "r.json"] {
            let text = String(decoding: try ws.read(file), as: UTF8.self)
            // The GitHub command format escapes ':' and ',' only in properties; the message is data.
            #expect(text.contains("sigstore-js/.github/workflows/release.yml"), "\(file): \(text)")
            #expect(text.contains("31821305"), "\(file)")
            #expect(text.contains("token.actions.githubusercontent.com"), "\(file)")
        }
        let sarif = try #require(try JSONSerialization.jsonObject(with: try ws.read("r.sarif")) as? [String: Any])
        let run = try #require((sarif["runs"] as? [[String: Any]])?.first)
        let properties = try #require(run["properties"] as? [String: Any])
        let signed = try #require((properties["signers"] as? [[String: Any]])?.first)
        #expect((signed["signers"] as? [[String: Any]])?.first?["logIndex"] as? Int == 31_821_305)
        let junit = String(decoding: try ws.read("r.xml"), as: UTF8.self)
        #expect(junit.contains(#"name="signer.0.san""#), "\(junit)")
        #expect(String(decoding: try ws.read("r.github"), as: UTF8.self).contains("::notice "))
    }

    static let model = AuditBinary.packageRoot.appendingPathComponent(
        "Tests/Vectors/sigstore/model-transparency/v1.1.0-sigstore")

    static let ibmPolicy = """
        version: 1
        name: model signers
        rules:
          - id: KEYLESS-SIGNERS
            type: signatures.keyless-identities
            severity: critical
            vendors:
              - name: IBM
                identities:
                  - sanRegexp: '.*@us\\.ibm\\.com'
                    issuer: https://sigstore.verify.ibm.com/oauth2

        """

    /// A copy of model-transparency's keyless-signed model, its bundle `model/model.sig` edited by `edit`.
    static func keylessModel(_ edit: (inout [String: Any]) -> Void = { _ in }) throws -> Workspace {
        let ws = try Workspace()
        try FileManager.default.copyItem(at: model, to: ws.url.appendingPathComponent("model"))
        let json = try JSONSerialization.jsonObject(with: try ws.read("model/model.sig"))
        var bundle = try #require(json as? [String: Any])
        edit(&bundle)
        try ws.write("model/model.sig", bytes: try JSONSerialization.data(withJSONObject: bundle))
        try ws.write("policy.yaml", ibmPolicy)
        return ws
    }

    @Test("a production keyless OMS model verifies end to end under the policy alone, with its TSA time: exit 0")
    func keylessModelCompliant() throws {
        let ws = try Self.keylessModel()
        let (result, report) = try Self.run(ws, ["--model-dir", "model"], bundle: "model/model.sig")
        #expect(result.exitCode == 0, "\(result)")
        #expect(Self.model(report)["verdict"] as? String == "compliant", "\(result)")
        #expect(Self.finding(report, "KEYLESS-SIGNERS")?["status"] as? String == "pass")
        let signer = try #require((Self.model(report)["signers"] as? [[String: Any]])?.first)
        #expect(signer["san"] as? String == "stefanb@us.ibm.com")
        #expect(signer["oidcIssuer"] as? String == "https://sigstore.verify.ibm.com/oauth2")
        #expect(signer["logIndex"] as? Int == 598_151_086)
        #expect(signer["timestampAuthorityTime"] as? String == "2025-10-10T02:12:20Z")
    }

    @Test("one byte changed in the bundle's RFC 3161 timestamp fails the signature check: exit 1 naming it")
    func tamperedTimestamp() throws {
        let ws = try Self.keylessModel { bundle in
            guard var material = bundle["verificationMaterial"] as? [String: Any],
                var data = material["timestampVerificationData"] as? [String: Any],
                var stamps = data["rfc3161Timestamps"] as? [[String: Any]],
                let text = stamps.first?["signedTimestamp"] as? String, var der = Data(base64Encoded: text)
            else { return }
            der[der.count - 4] ^= 0x01
            stamps[0]["signedTimestamp"] = der.base64EncodedString()
            data["rfc3161Timestamps"] = stamps
            material["timestampVerificationData"] = data
            bundle["verificationMaterial"] = material
        }
        let (result, report) = try Self.run(ws, ["--model-dir", "model"], bundle: "model/model.sig")
        #expect(result.exitCode == 1, "\(result)")
        let signatures = try #require(Self.finding(report, "integrity.signatures"), "\(result)")
        #expect(signatures["status"] as? String == "fail")
        let observed = signatures["observed"] as? String ?? ""
        #expect(observed.contains("rfc3161Timestamps/0/signedTimestamp"), "\(observed)")
        #expect(observed.contains("does not verify with the TSA"), "\(observed)")
    }

    @Test("the fleet report (streamed JSON) carries the signer too")
    func fleetReport() throws {
        let ws = try Workspace()
        try ws.write("policy.yaml", Self.policy())
        try FileManager.default.createDirectory(atPath: ws.path("fleet"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.bundle, toPath: ws.path("fleet/sigstore-js.sig"))
        let result = try ws.run(
            ["report", "fleet", "--trusted-root", Self.root, "--policy", "policy.yaml", "--at", "2026-06-01T00:00:00Z",
             "--format", "json", "-o", "fleet.json"])
        #expect(result.exitCode == 1, "\(result)")
        let report = try #require(try JSONSerialization.jsonObject(with: try ws.read("fleet.json")) as? [String: Any])
        let signers = try #require(Self.model(report)["signers"] as? [[String: Any]], "\(report)")
        #expect(signers.first?["san"] as? String == KeylessEndToEndTests.identity)
    }
}
