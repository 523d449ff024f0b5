import Foundation
import Testing

/// Policies through the real binary: `audit verify --policy`, `audit policy check` and `audit policy test`, with
/// the exit code, the evidence in each report format, modes and waivers.
@Suite("audit with a policy")
struct PolicyEndToEndTests {
    static let at = "2026-06-01T00:00:00Z"
    static let fixtures = AuditBinary.packageRoot.appendingPathComponent("Tests/Fixtures/policy")
    static let enterprise = AuditBinary.packageRoot.appendingPathComponent("policies/enterprise-default.yaml").path

    static func fixture(_ relative: String) -> String { fixtures.appendingPathComponent(relative).path }

    /// A workspace with a trusted developer key `dev` of `owner` and each named case manifest signed as
    /// `<name>.json`.
    static func setUp(signing manifests: [String] = [], owner: String = "Acme AI, Inc.") throws -> Workspace {
        let ws = try Workspace()
        try ws.keygen("dev")
        try ws.makeTrustStore([("dev", "")], owners: ["dev": owner])
        for name in manifests {
            let result = try ws.run([
                "sign", fixture("cases/manifests/\(name).yaml"), "--key", "dev.key", "-o", "\(name).json",
            ])
            #expect(result.exitCode == 0, "sign \(name): \(result)")
        }
        return ws
    }

    /// The enterprise policy with its `artifacts.required` rule switched off: the case manifests list placeholder
    /// digests, so no model directory could match them, and these tests are about the other rules.
    static let enterpriseWithoutFiles = "enterprise-without-files.yaml"

    static func writeEnterpriseWithoutFiles(_ ws: Workspace) throws {
        try ws.write(
            enterpriseWithoutFiles,
            """
            version: 1
            name: "Enterprise default"
            extends: \(enterprise)
            rules:
              - id: ENT-FILES-CHECKED
                enforcement: off
            """)
    }

    /// `audit verify MODEL --trust trust --policy POLICY --at …` plus `extra`; the policy defaults to
    /// `enterpriseWithoutFiles`.
    static func verify(
        _ ws: Workspace, _ model: String, policy: String? = nil, _ extra: [String] = [],
        environment: [String: String] = [:]
    ) throws -> AuditBinary.Result {
        if policy == nil { try writeEnterpriseWithoutFiles(ws) }
        return try ws.run(
            ["verify", "\(model).json", "--trust", "trust", "--policy", policy ?? enterpriseWithoutFiles, "--at", at]
                + extra,
            environment: environment)
    }

    /// A trust store in which `dev` is Acme AI's developer key (the developer of the case manifests named Acme) and
    /// `evil` is another developer's trusted key.
    static func setUpAcmeAndEvil(signing manifests: [String]) throws -> Workspace {
        let ws = try setUp(signing: manifests)
        try ws.keygen("evil")
        try FileManager.default.copyItem(atPath: ws.path("evil.pub"), toPath: ws.path("trust/evil.pub"))
        try ws.write("trust/trust.json", """
            {"version": 1, "keys": [
              {"file": "dev.pub", "owner": "Acme AI, Inc.", "roles": ["developer"]},
              {"file": "evil.pub", "owner": "Evil Corp", "roles": ["developer"]}
            ]}
            """)
        return ws
    }

    /// A policy in the workspace that extends enterprise-default and adds `waivers` (YAML list items).
    static func writeWaiverPolicy(_ ws: Workspace, waivers: String) throws {
        try ws.write(
            "waived.yaml",
            """
            version: 1
            name: "Enterprise default with a waiver"
            extends: \(enterprise)
            rules:
              - id: ENT-FILES-CHECKED
                enforcement: off
            waivers:
            \(waivers)
            """)
    }

    // MARK: - audit verify --policy

    @Test("a compliant model exits 0")
    func compliantModel() throws {
        let ws = try Self.setUp(signing: ["compliant-self-hosted"])
        let result = try Self.verify(ws, "compliant-self-hosted")
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stdout.contains("✔ acme-chat-7b 1.2.0 — compliant"), "\(result)")
        #expect(result.stdout.contains("✔ compliant: 1 model (1 compliant)"), "\(result)")
    }

    @Test("a non-compliant model exits 1 with the rule id, expected, observed and pointer")
    func nonCompliantModel() throws {
        let ws = try Self.setUp(signing: ["hosted-cn-data-flows"])
        let result = try Self.verify(ws, "hosted-cn-data-flows")
        #expect(result.exitCode == 1, "\(result)")
        for text in [
            "✘ acme-chat-cloud 2026.05 — non-compliant",
            "✘ ENT-JUR-DATA-FLOWS (critical) — User data does not flow to a country of concern",
            "expected: none of CN, CU, IR, KP, RU, SY",
            "observed: CN",
            "at:       /predicate/hosting/dataFlows/0/country",
            "at:       /predicate/hosting/dataFlows/0/recipient/parent/country",
            "controls: NIST-AI-RMF:MAP-4.1, EU-AI-Act:Art.10",
        ] {
            #expect(result.stdout.contains(text), "stdout lacks \"\(text)\": \(result)")
        }
    }

    @Test("--mode audit exits 0 while the report still says non-compliant")
    func auditMode() throws {
        let ws = try Self.setUp(signing: ["hosted-cn-data-flows"])
        let result = try Self.verify(ws, "hosted-cn-data-flows", ["--mode", "audit"])
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stdout.contains("mode audit"), "\(result)")
        #expect(result.stdout.contains("— non-compliant"), "\(result)")
        let json = try Self.verify(ws, "hosted-cn-data-flows", ["--mode", "audit", "--format", "json"])
        #expect(json.exitCode == 0, "\(json)")
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(report["mode"] as? String == "audit")
        let models = try #require(report["models"] as? [[String: Any]])
        #expect(models.first?["verdict"] as? String == "non-compliant")
    }

    @Test("an invalid policy exits 2 listing every problem")
    func invalidPolicy() throws {
        let ws = try Self.setUp(signing: ["compliant-self-hosted"])
        let result = try Self.verify(ws, "compliant-self-hosted", policy: Self.fixture("malformed/every-problem.yaml"))
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.stderr.hasPrefix("audit: error: policy "), "\(result)")
        #expect(result.stderr.contains("is invalid (8 problems):"), "\(result)")
        for pointer in [
            "/owner:", "/rules/1/id:", "/rules/0/deny/0:", "/rules/1/scope:", "/rules/2/type:", "/rules/3/severity:",
            "/waivers/0/expires:", "/waivers/0/rule:",
        ] {
            #expect(result.stderr.contains("  \(pointer) "), "stderr lacks \(pointer): \(result)")
        }
        #expect(result.stdout.isEmpty, "\(result)")
    }

    @Test("--format json is byte-identical across runs with --at")
    func deterministicJSON() throws {
        let ws = try Self.setUp(signing: ["hosted-cn-data-flows"])
        let first = try Self.verify(ws, "hosted-cn-data-flows", ["--format", "json"])
        let second = try Self.verify(ws, "hosted-cn-data-flows", ["--format", "json"])
        #expect(first.exitCode == 1, "\(first)")
        #expect(second.exitCode == 1, "\(second)")
        #expect(!first.stdout.isEmpty)
        #expect(first.stdout == second.stdout)
        #expect(first.stdout.contains("\"evaluatedAt\""))
        #expect(first.stdout.contains("2026-06-01T00:00:00Z"))
    }

    @Test("several formats at once each go to their own destination")
    func severalFormats() throws {
        let ws = try Self.setUp(signing: ["hosted-cn-data-flows"])
        let result = try Self.verify(
            ws, "hosted-cn-data-flows",
            ["--format", "sarif=a.sarif", "--format", "junit=a.xml", "--format", "text"])
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.stdout.contains("ENT-JUR-DATA-FLOWS"), "\(result)")
        let sarif = try #require(try JSONSerialization.jsonObject(with: ws.read("a.sarif")) as? [String: Any])
        #expect(sarif["version"] as? String == "2.1.0")
        #expect(String(decoding: try ws.read("a.sarif"), as: UTF8.self).contains("ENT-JUR-DATA-FLOWS"))
        let junit = String(decoding: try ws.read("a.xml"), as: UTF8.self)
        #expect(junit.hasPrefix("<?xml"), "\(junit)")
        #expect(junit.contains("<testsuites"), "\(junit)")
        #expect(junit.contains("ENT-JUR-DATA-FLOWS"), "\(junit)")
    }

    @Test("--output pairs with formats in order when that is unambiguous, and is refused when it is not")
    func outputPairing() throws {
        let ws = try Self.setUp(signing: ["hosted-cn-data-flows"])
        let paired = try Self.verify(
            ws, "hosted-cn-data-flows", ["--format", "sarif", "--output", "b.sarif", "--format", "junit", "-o", "b.xml"])
        #expect(paired.exitCode == 1, "\(paired)")
        #expect(paired.stdout.isEmpty, "\(paired)")
        #expect(String(decoding: try ws.read("b.sarif"), as: UTF8.self).contains("\"version\" : \"2.1.0\""))
        #expect(String(decoding: try ws.read("b.xml"), as: UTF8.self).hasPrefix("<?xml"))

        let mixed = try Self.verify(ws, "hosted-cn-data-flows", ["--format", "html=c.html", "--format", "json", "-o", "c.json"])
        #expect(mixed.exitCode == 1, "\(mixed)")
        #expect(String(decoding: try ws.read("c.html"), as: UTF8.self).contains("<html"))
        #expect(String(decoding: try ws.read("c.json"), as: UTF8.self).contains("\"verdict\""))

        let ambiguous = try Self.verify(
            ws, "hosted-cn-data-flows", ["--format", "text", "--format", "html", "--output", "d.html"])
        #expect(ambiguous.exitCode == 64, "\(ambiguous)")
        #expect(ambiguous.stderr.contains("--format FORMAT=FILE"), "\(ambiguous)")
        #expect(!FileManager.default.fileExists(atPath: ws.path("d.html")))

        for bad in ["html=", "pdf=x.pdf", "pdf"] {
            let refused = try Self.verify(ws, "hosted-cn-data-flows", ["--format", bad])
            #expect(refused.exitCode == 64, "\(bad): \(refused)")
        }
    }

    @Test("--format github prints ::error lines and appends the job summary")
    func githubFormat() throws {
        let ws = try Self.setUp(signing: ["hosted-cn-data-flows"])
        try ws.write("summary.md", "previous step\n")
        let result = try Self.verify(
            ws, "hosted-cn-data-flows", ["--format", "github"],
            environment: ["GITHUB_STEP_SUMMARY": ws.path("summary.md")])
        #expect(result.exitCode == 1, "\(result)")
        let errors = result.stdout.split(separator: "\n").filter { $0.hasPrefix("::error ") }
        #expect(errors.count == 3, "\(result)")
        #expect(errors.allSatisfy { $0.contains("title=ENT-JUR-DATA-FLOWS::") }, "\(result)")
        let summary = String(decoding: try ws.read("summary.md"), as: UTF8.self)
        #expect(summary.hasPrefix("previous step\n"), "\(summary)")
        #expect(summary.contains("non-compliant"), "\(summary)")
        #expect(summary.count > "previous step\n".count + 100, "\(summary)")
    }

    // MARK: - Waivers

    @Test("a waiver that applies shows waived and exits 0")
    func appliedWaiver() throws {
        let ws = try Self.setUpAcmeAndEvil(signing: ["hosted-cn-data-flows"])
        try Self.writeWaiverPolicy(
            ws,
            waivers: """
                  - rule: ENT-JUR-DATA-FLOWS
                    model: {name: "acme-chat-cloud", developer: "Acme AI"}
                    justification: "Telemetry moves out of CN by 2026-09"
                    approver: "risk-committee@example.com"
                    expires: "2026-12-31"
                """)
        let result = try Self.verify(ws, "hosted-cn-data-flows", policy: "waived.yaml")
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stdout.contains("waived (3)"), "\(result)")
        #expect(result.stdout.contains("~ ENT-JUR-DATA-FLOWS (critical)"), "\(result)")
        let note = "waiver:   approved by risk-committee@example.com until 2026-12-31"
        #expect(result.stdout.contains(note), "\(result)")
        #expect(result.stdout.contains("applied  ENT-JUR-DATA-FLOWS for name=acme-chat-cloud, developer=Acme AI"),
            "\(result)")
    }

    @Test("a waiver for Acme's model does not apply to another developer's model of the same name: exit 1")
    func waiverDoesNotFollowTheModelName() throws {
        let ws = try Self.setUpAcmeAndEvil(signing: [])
        // Evil Corp publishes its own model under Acme's model name, signed with its own trusted developer key.
        let acme = try String(
            contentsOfFile: Self.fixture("cases/manifests/hosted-cn-data-flows.yaml"), encoding: .utf8)
        let evil = acme.replacingOccurrences(
            of: "      name: \"Acme AI\"\n      legalName: \"Acme AI, Inc.\"",
            with: "      name: \"Evil Corp\"\n      legalName: \"Evil Corp\"")
        #expect(evil != acme)
        try ws.write("evil.yaml", evil)
        let signed = try ws.run(["sign", "evil.yaml", "--key", "evil.key", "-o", "evil.json"])
        #expect(signed.exitCode == 0, "\(signed)")
        try Self.writeWaiverPolicy(
            ws,
            waivers: """
                  - rule: ENT-JUR-DATA-FLOWS
                    model: {name: "acme-chat-cloud", developer: "Acme AI"}
                    justification: "Telemetry moves out of CN by 2026-09"
                    approver: "risk-committee@example.com"
                    expires: "2026-12-31"
                """)
        let result = try Self.verify(ws, "evil", policy: "waived.yaml")
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.stdout.contains("✘ ENT-JUR-DATA-FLOWS (critical)"), "\(result)")
        #expect(result.stdout.contains("unused   ENT-JUR-DATA-FLOWS for name=acme-chat-cloud, developer=Acme AI"),
            "\(result)")
    }

    @Test("audit policy check refuses a waiver that names the model only by name, and says how to write it")
    func nameOnlyWaiverIsRefused() throws {
        let ws = try Workspace()
        try Self.writeWaiverPolicy(
            ws,
            waivers: """
                  - rule: ENT-JUR-DATA-FLOWS
                    model: {name: "acme-chat-cloud"}
                    justification: "Telemetry moves out of CN by 2026-09"
                    approver: "risk-committee@example.com"
                    expires: "2026-12-31"
                """)
        let result = try ws.run(["policy", "check", "waived.yaml"])
        #expect(result.exitCode == 2, "\(result)")
        let output = result.stdout + result.stderr
        #expect(output.contains("/waivers/0/model"), "\(result)")
        #expect(output.contains("would also apply to another developer's model of the same name"), "\(result)")
        #expect(output.contains("model: {name: \"acme-chat-cloud\", developer: \"<developer>\"}"), "\(result)")
    }

    @Test("an expired waiver is reported and the failure stands: exit 1")
    func expiredWaiver() throws {
        let ws = try Self.setUpAcmeAndEvil(signing: ["hosted-cn-data-flows"])
        try Self.writeWaiverPolicy(
            ws,
            waivers: """
                  - rule: ENT-JUR-DATA-FLOWS
                    model: {name: "acme-chat-cloud", developer: "Acme AI"}
                    justification: "Granted for the pilot"
                    approver: "risk-committee@example.com"
                    expires: "2026-01-31"
                """)
        let result = try Self.verify(ws, "hosted-cn-data-flows", policy: "waived.yaml")
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.stdout.contains("✘ ENT-JUR-DATA-FLOWS (critical)"), "\(result)")
        #expect(result.stdout.contains("expired  ENT-JUR-DATA-FLOWS for name=acme-chat-cloud, developer=Acme AI, "
            + "expired 2026-01-31"),
            "\(result)")
        let json = try Self.verify(ws, "hosted-cn-data-flows", policy: "waived.yaml", ["--format", "json"])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let waivers = try #require(report["waivers"] as? [[String: Any]])
        let mine = waivers.filter { $0["rule"] as? String == "ENT-JUR-DATA-FLOWS" }
        #expect(mine.map { $0["state"] as? String } == ["expired"], "\(waivers)")
        #expect(mine.first?["appliedTo"] as? [String] == ["hosted-cn-data-flows.json"], "\(waivers)")
    }

    // MARK: - audit policy check

    @Test("audit policy check: valid exits 0, invalid exits 2 with every problem")
    func policyCheck() throws {
        let ws = try Workspace()
        let valid = try ws.run(["policy", "check", Self.enterprise])
        #expect(valid.exitCode == 0, "\(valid)")
        #expect(valid.stdout.hasPrefix("\(Self.enterprise): valid — policy \"Enterprise default\", "), "\(valid)")
        #expect(valid.stdout.contains("1 screening list(s)\n  \(Self.enterprise)  sha256:"), "\(valid)")
        let extended = try ws.run(["policy", "check", Self.fixture("valid/extends-override.yaml")])
        #expect(extended.exitCode == 0, "\(extended)")
        #expect(extended.stdout.split(separator: "\n").count == 3, "the policy and its base, each with its digest")

        let invalid = try ws.run(["policy", "check", Self.fixture("malformed/invalid-country.yaml")])
        #expect(invalid.exitCode == 2, "\(invalid)")
        #expect(invalid.stderr.contains("is invalid (3 problems):"), "\(invalid)")
        #expect(invalid.stderr.contains("/rules/0/deny/1: \"cn\" must be upper case (CN)"), "\(invalid)")
        let cycle = try ws.run(["policy", "check", Self.fixture("malformed/extends-cycle-a.yaml")])
        #expect(cycle.exitCode == 2, "\(cycle)")
        #expect(cycle.stderr.contains("extends cycle"), "\(cycle)")
    }

    // MARK: - audit policy test

    @Test("audit policy test: the enterprise-default cases pass")
    func policyTestPasses() throws {
        let ws = try Workspace()
        let result = try ws.run(["policy", "test", Self.fixture("cases"), "--policy", Self.enterprise])
        #expect(result.exitCode == 0, "\(result)")
        let lines = result.stdout.split(separator: "\n")
        let passed = lines.filter { $0.hasPrefix("ok    ") }.count
        #expect(passed > 20, "\(result)")
        #expect(lines.last.map(String.init) == "\(passed) passed, 0 failed", "\(result)")
        #expect(!result.stdout.contains("FAIL"), "\(result)")
    }

    @Test("audit policy test: a wrong expectation fails with exit 1")
    func policyTestFails() throws {
        let ws = try Workspace()
        try ws.write(
            "cases/wrong.yaml",
            """
            manifest: \(Self.fixture("cases/manifests/hosted-cn-data-flows.yaml"))
            at: "\(Self.at)"
            expect:
              ENT-JUR-DATA-FLOWS: pass
              ENT-JUR-SERVICE-LAW: pass

            """)
        let result = try ws.run(["policy", "test", "cases", "--policy", Self.enterprise])
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.stdout.contains("FAIL  wrong.yaml ENT-JUR-DATA-FLOWS: expected pass, got fail"), "\(result)")
        #expect(result.stdout.contains("ok    wrong.yaml ENT-JUR-SERVICE-LAW: pass"), "\(result)")
        #expect(result.stdout.hasSuffix("1 passed, 1 failed\n"), "\(result)")
    }

    @Test("audit policy test --format junit -o writes JUnit")
    func policyTestJUnit() throws {
        let ws = try Workspace()
        let result = try ws.run([
            "policy", "test", Self.fixture("cases"), "--policy", Self.enterprise, "--format", "junit", "-o", "f.xml",
        ])
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stdout.hasSuffix(" passed, 0 failed\n"), "\(result)")
        let xml = String(decoding: try ws.read("f.xml"), as: UTF8.self)
        #expect(xml.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites tests=\""), "\(xml)")
        #expect(xml.contains("failures=\"0\""), "\(xml)")
        #expect(xml.contains("<testsuite name=\"Enterprise default\""), "\(xml)")
        let testcase = "<testcase classname=\"screened-parent.yaml\" name=\"ENT-SCREENING [screened-parent.yaml]\"/>"
        #expect(xml.contains(testcase), "\(xml)")
    }

    @Test("audit policy test with an invalid case exits 2")
    func policyTestInvalidCase() throws {
        let ws = try Workspace()
        try ws.write(
            "cases/typo.yaml",
            "manifest: \(Self.fixture("cases/manifests/compliant-self-hosted.yaml"))\nexpect:\n  ENT-NOPE: pass\n")
        let result = try ws.run(["policy", "test", "cases", "--policy", Self.enterprise])
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.stderr.contains("/expect/ENT-NOPE: the policy has no rule \"ENT-NOPE\""), "\(result)")
    }
}
