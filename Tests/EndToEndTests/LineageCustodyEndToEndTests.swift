import AuditCrypto
import Foundation
import Testing

/// The committed lineage and custody fixtures (Tests/Fixtures/lineage, Tests/Fixtures/custody).
private enum Fixture {
    static let root = AuditBinary.packageRoot.appendingPathComponent("Tests/Fixtures")

    static func lineage(_ name: String) -> String { root.appendingPathComponent("lineage/\(name)").path }
    static func custody(_ name: String) -> String { root.appendingPathComponent("custody/\(name)").path }

    static let time = "2026-06-01T00:00:00Z"
    static var trust: [String] { ["--trust", lineage("trust"), "--at", time] }
    static var store: [String] { ["--store", lineage("store")] }

    static func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    static func expected(_ name: String) throws -> String {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: lineage("expected/\(name)"))), as: UTF8.self)
    }

    /// `audit lineage` on a fixture model.
    static func lineageCommand(_ scenario: String, _ extra: [String] = []) throws -> AuditBinary.Result {
        try AuditBinary.run(["lineage", lineage("\(scenario).json")] + trust + store + extra)
    }

    /// `audit verify --format json` on the three-generation model with a custody bundle, parsed.
    static func verify(
        _ model: String = "three-generations", custody bundle: String?, modelDirectory: String = "weights-q4",
        policy: String = "custody/policy.yaml"
    ) throws -> (result: AuditBinary.Result, failures: [[String: Any]], model: [String: Any]) {
        var arguments = ["verify", lineage("\(model).json")] + trust + store
        if let bundle { arguments += ["--custody", custody("\(bundle).custody.jsonl")] }
        arguments += ["--model-dir", custody(modelDirectory), "--policy", root.appendingPathComponent(policy).path]
        let result = try AuditBinary.run(arguments + ["--format", "json"])
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        let report = try #require(object as? [String: Any], "\(result)")
        let models = try #require(report["models"] as? [[String: Any]])
        let first = try #require(models.first)
        let findings = try #require(first["findings"] as? [[String: Any]])
        return (result, findings.filter { $0["status"] as? String == "fail" }, first)
    }
}

/// `"ruleID pointer: message"` for each failure, for readable expectations.
private func summary(_ failures: [[String: Any]]) -> [String] {
    failures.map {
        "\($0["ruleID"] as? String ?? "?") \($0["pointer"] as? String ?? ""): \($0["message"] as? String ?? "")"
    }
}

@Suite("End to end: audit lineage")
struct LineageEndToEndTests {
    @Test(arguments: [("text", "txt"), ("json", "json"), ("dot", "dot"), ("mermaid", "mermaid")])
    func threeGenerationsInEveryFormat(format: String, file: String) throws {
        let result = try Fixture.lineageCommand("three-generations", ["--format", format])
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stdout == (try Fixture.expected("three-generations.\(file)")))
        #expect(result.stderr.isEmpty)
    }

    @Test(arguments: [
        ("denied-grandparent", Int32(0)), ("screened-grandparent", 0), ("missing-ancestor", 1),
        ("untrusted-ancestor", 1), ("parent-digest-mismatch", 1),
    ])
    func everyScenarioMatchesItsCommittedTree(scenario: String, exitCode: Int32) throws {
        // A denied or screened ancestor is still a verified ancestor: the lineage is sound, the policy fails it.
        let result = try Fixture.lineageCommand(scenario)
        #expect(result.exitCode == exitCode, "\(result)")
        #expect(result.stdout == (try Fixture.expected("\(scenario).txt")))
    }

    @Test func unverifiedAncestorInMermaid() throws {
        let result = try Fixture.lineageCommand("untrusted-ancestor", ["--format", "mermaid"])
        #expect(result.exitCode == 1)
        #expect(result.stdout == (try Fixture.expected("untrusted-ancestor.mermaid")))
    }

    @Test func depthBoundStopsTheWalk() throws {
        let result = try Fixture.lineageCommand("three-generations", ["--max-depth", "1"])
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.stdout.contains("└─ fine-tune ← acme-base-7b [too-deep]"))
    }

    @Test func withoutAStoreNothingIsResolved() throws {
        let result = try AuditBinary.run(["lineage", Fixture.lineage("three-generations.json")] + Fixture.trust)
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.stdout.contains("fine-tune ← acme-chat-7b [not-resolved]"))
    }

    @Test func modelSignedByAnUntrustedKeyIsRefused() throws {
        let result = try AuditBinary.run(["lineage", Fixture.lineage("store/rogue-base-7b.json")] + Fixture.trust)
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("not verified"))
    }

    /// A model that names its grandparent directly as well as its parent: the grandparent is drawn once, and
    /// the second link to it is a repeat.
    @Test func sharedAncestorIsDrawnOnce() throws {
        let ws = try Workspace()
        func digest(_ name: String) throws -> String {
            try Digests.sha256Hex(Array(try Fixture.bytes(Fixture.lineage("store/\(name).json"))))
        }
        try ws.write("shortcut.yaml", """
            _type: "https://in-toto.io/Statement/v1"
            subject: [{name: "model.safetensors", digest: {sha256: "\(String(repeating: "0", count: 64))"}}]
            predicateType: "https://model-audit.dev/provenance/v1"
            predicate:
              model: {name: "acme-shortcut", version: "1.0.0", license: "Apache-2.0", format: "safetensors",
                source: "https://models.example.invalid/acme-shortcut"}
              origin:
                developer: {name: "Acme AI", country: "US", affiliations: []}
              hosting: {mode: "self-hosted"}
              lineage:
                parents:
                  - {name: "acme-chat-7b", relation: "merge", manifestDigest: {sha256: "\(try digest("acme-chat-7b"))"}}
                  - {name: "acme-base-7b", relation: "merge", manifestDigest: {sha256: "\(try digest("acme-base-7b"))"}}
                distillationSources: []
                datasets: []
              dataRetention: []
              audits: []

            """)
        let signed = try ws.run(
            ["sign", "shortcut.yaml", "--key", Fixture.lineage("keys/acme-developer.key"), "-o", "shortcut.json"])
        #expect(signed.exitCode == 0, "\(signed)")
        let text = try AuditBinary.run(["lineage", ws.path("shortcut.json")] + Fixture.trust + Fixture.store)
        #expect(text.exitCode == 0, "\(text)")
        let lines = text.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 4, "\(text.stdout)")
        #expect(lines.filter { $0.contains("acme-base-7b") }.count == 2)
        #expect(lines.last?.hasPrefix("└─ merge ← acme-base-7b 1.0.0 [verified] — Acme AI, Inc. sha256:") == true)
        #expect(lines.last?.hasSuffix("(repeat: see above)") == true)
        let dot = try AuditBinary.run(
            ["lineage", ws.path("shortcut.json"), "--format", "dot"] + Fixture.trust + Fixture.store)
        #expect(dot.stdout.components(separatedBy: "label=\"acme-base-7b 1.0.0").count == 2, "\(dot.stdout)")
        #expect(dot.stdout.components(separatedBy: " -> ").count - 1 == 3)
    }

    @Test func depthBeyondTheGenerationLimitIsAUsageError() throws {
        let result = try Fixture.lineageCommand("three-generations", ["--max-depth", "65"])
        #expect(result.exitCode == 64, "\(result)")
        #expect(result.stderr.contains("--max-depth must be between 0 and 64"))
    }

    @Test func unknownFormatIsAUsageError() throws {
        let result = try Fixture.lineageCommand("three-generations", ["--format", "svg"])
        #expect(result.exitCode == 64, "\(result)")
    }
}

@Suite("End to end: audit verify with --store and --custody")
struct LineageCustodyVerifyEndToEndTests {
    @Test func threeGenerationsWithAnIntactChainAreCompliant() throws {
        let (result, failures, model) = try Fixture.verify(custody: "intact")
        #expect(result.exitCode == 0, "\(result)")
        #expect(failures.isEmpty, "\(summary(failures))")
        // The report carries the whole ancestry and the whole custody chain.
        let lineage = try #require(model["lineage"] as? [String: Any])
        let parents = try #require(lineage["parents"] as? [[String: Any]])
        let grandparents = try #require(parents.first?["parents"] as? [[String: Any]])
        #expect(parents.map { $0["status"] as? String } == ["verified"])
        #expect(grandparents.map { $0["name"] as? String } == ["acme-base-7b 1.0.0"])
        let custody = try #require(model["custody"] as? [[String: Any]])
        #expect(custody.map { $0["action"] as? String } == ["published", "mirrored", "quantized", "hosted", "deployed"])
        #expect(custody.allSatisfy { $0["status"] as? String == "verified" })
    }

    @Test func textReportOfTheCompliantModel() throws {
        let result = try AuditBinary.run(
            ["verify", Fixture.lineage("three-generations.json")] + Fixture.trust + Fixture.store + [
                "--custody", Fixture.custody("intact.custody.jsonl"), "--model-dir", Fixture.custody("weights-q4"),
                "--policy", Fixture.custody("policy.yaml"),
            ])
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stdout.contains("✔ acme-chat-7b-support 1.0.0 — compliant"))
    }

    @Test(arguments: [
        ("gap", ["integrity.custody /custody/2: ", "gap.custody.jsonl line 2: gap: quantized by Quant Lab GmbH names"]),
        ("fork", ["integrity.custody /custody/6: ", "line 6: fork: lines 2 and 6 both name sha256:"]),
        ("reordered-times", ["integrity.custody /custody/4: ", "line 4: time-order: hosted at 2026-05-02T18:00:00Z"]),
        ("replayed", ["integrity.custody /custody/6: ", "line 6: replayed: the record belongs to another model"]),
        ("untrusted-signer", ["integrity.custody /custody/3: ", "line 3: signature: not verified"]),
        ("undeclared-change", ["integrity.custody /custody/2: ", "line 2: subject: mirrored changes the files"]),
        ("unauthorised-role", [
            "integrity.custody /custody/5: ",
            "line 5: actor: deployed claims \"Example Corp\" as its actor, but was signed by ModelHub Ltd",
        ]),
        ("denied-hop-country", ["CUS-COUNTRIES /custody/4: hosted by ModelHub Ltd took place in RU"]),
    ])
    func brokenOrUnauthorisedLinkIsNamed(bundle: String, needles: [String]) throws {
        let (result, failures, _) = try Fixture.verify(custody: bundle)
        #expect(result.exitCode == 1, "\(result)")
        let lines = summary(failures)
        let named = lines.contains { line in needles.allSatisfy { line.contains($0) } }
        #expect(named, "\(needles) not in \(lines)")
    }

    @Test func lastHopsFilesMustBeTheOnesDelivered() throws {
        // The manifest's own files are no longer what the chain vouches for after the quantization hop.
        let (result, failures, _) = try Fixture.verify(custody: "intact", modelDirectory: "weights")
        #expect(result.exitCode == 1, "\(result)")
        let lines = summary(failures)
        #expect(lines.contains { $0.hasPrefix("integrity.artifacts") && $0.contains("model-q4_0.gguf: missing") })
        #expect(lines.contains { $0.hasPrefix("integrity.artifacts") && $0.contains("model.safetensors: not listed") })
    }

    @Test(arguments: [
        ("missing-ancestor", "LIN-ANCESTORS", ["acme-ghost-3b 1.0.0", "ghost-base-3b"]),
        ("untrusted-ancestor", "LIN-ANCESTORS", ["acme-rogue-7b 1.0.0", "rogue-base-7b"]),
        ("parent-digest-mismatch", "LIN-ANCESTORS", ["acme-chat-7b-legal 1.0.0", "acme-chat-7b"]),
        ("denied-grandparent", "VENDORS-DENY", ["acme-tune-7b-chat 1.0.0", "acme-tune-7b", "blackfen-base-7b"]),
        ("denied-grandparent", "JUR-DEVELOPER", ["acme-tune-7b-chat 1.0.0", "acme-tune-7b", "blackfen-base-7b"]),
        ("screened-grandparent", "SCREENING", ["acme-small-3b-chat 1.0.0", "acme-small-3b", "hollowmere-base-3b"]),
    ])
    func badAncestorFailsWithThePath(scenario: String, rule: String, path: [String]) throws {
        let result = try AuditBinary.run(
            ["verify", Fixture.lineage("\(scenario).json")] + Fixture.trust + Fixture.store
                + ["--policy", Fixture.lineage("policy.yaml"), "--format", "json"])
        #expect(result.exitCode == 1, "\(result)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        let report = try #require(object as? [String: Any])
        let models = try #require(report["models"] as? [[String: Any]])
        let findings = try #require(models.first?["findings"] as? [[String: Any]])
        let failing = findings.filter { $0["status"] as? String == "fail" && $0["ruleID"] as? String == rule }
        #expect(failing.map { $0["path"] as? [String] } == [path])
    }

    @Test func pathIsPrintedInTheTextReport() throws {
        let result = try AuditBinary.run(
            ["verify", Fixture.lineage("denied-grandparent.json")] + Fixture.trust + Fixture.store
                + ["--policy", Fixture.lineage("policy.yaml")])
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.stdout.contains("path:     acme-tune-7b-chat 1.0.0 ← acme-tune-7b ← blackfen-base-7b"))
    }

    @Test func bundleBesideTheManifestIsFoundAutomatically() throws {
        let workspace = try Workspace()
        try workspace.write("model.json", bytes: try Fixture.bytes(Fixture.lineage("three-generations.json")))
        try workspace.write("model.custody.jsonl", bytes: try Fixture.bytes(Fixture.custody("gap.custody.jsonl")))
        let result = try workspace.run(["verify", "model.json"] + Fixture.trust + ["--format", "json"])
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.stdout.contains(
            "model.custody.jsonl (found beside the manifest, not named with --custody) line 2: gap"), "\(result)")
    }

    /// The attack: weights are swapped and a trusted key without transformer authority appends a "quantized" hop
    /// to the custody file beside the manifest, naming the swapped files. The sidecar must not make them pass.
    @Test func sidecarQuantizationBySomeoneWithoutAuthorityCannotLaunderSwappedWeights() throws {
        let workspace = try Workspace()
        try workspace.write("model.json", bytes: try Fixture.bytes(Fixture.lineage("three-generations.json")))
        let intact = try String(decoding: Fixture.bytes(Fixture.custody("intact.custody.jsonl")), as: UTF8.self)
        // The published and mirrored hops, then the attacker's own hop under its own name.
        let firstTwo = intact.split(separator: "\n").prefix(2).joined(separator: "\n") + "\n"
        try workspace.write("model.custody.jsonl", firstTwo)
        let appended = try workspace.run([
            "custody", "append", "model.json", "--action", "quantized", "--actor", "ModelHub Ltd",
            "--actor-country", "IE", "--country", "IE", "--model-dir", Fixture.custody("weights-q4"),
            "--key", Fixture.lineage("keys/hub-host.key"), "--at", "2026-05-03T09:00:00Z",
        ])
        #expect(appended.exitCode == 0, "\(appended)")
        let result = try workspace.run(
            ["verify", "model.json", "--model-dir", Fixture.custody("weights-q4"), "--policy",
                Fixture.custody("policy.yaml")] + Fixture.trust + Fixture.store,
            environment: ["COLUMNS": "120"])
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.stdout.contains("found beside the manifest"), "\(result)")
        // The text report wraps long messages, so look for the two halves.
        #expect(result.stdout.contains("line 3: unauthorized: quantized by"), "\(result)")
        #expect(result.stdout.contains("but the key holds only host"), "\(result)")
    }
}

@Suite("End to end: audit custody append")
struct CustodyAppendEndToEndTests {
    private func workspace() throws -> Workspace {
        let workspace = try Workspace()
        try workspace.write("model.json", bytes: try Fixture.bytes(Fixture.lineage("three-generations.json")))
        return workspace
    }

    private func lines(_ workspace: Workspace, _ name: String = "model.custody.jsonl") throws -> [Substring] {
        let text = String(decoding: try workspace.read(name), as: UTF8.self)
        return text.split(separator: "\n", omittingEmptySubsequences: false)
    }

    @Test func writesOneLinePerAppendChainedToTheLast() throws {
        let workspace = try workspace()
        let first = try workspace.run([
            "custody", "append", "model.json", "--action", "published", "--actor", "Acme AI", "--actor-country", "US",
            "--key", Fixture.lineage("keys/acme-developer.key"), "--at", "2026-05-01T09:00:00Z",
        ])
        #expect(first.exitCode == 0, "\(first)")
        #expect(first.stdout.hasPrefix("appended published by Acme AI to model.custody.jsonl (record sha256:"))
        #expect(try lines(workspace).count == 2)  // one record and the final newline

        let second = try workspace.run([
            "custody", "append", "model.json", "--action", "quantized", "--actor", "Quant Lab", "--actor-country", "DE",
            "--model-dir", Fixture.custody("weights-q4"), "--key", Fixture.lineage("keys/quantlab-publisher.key"),
            "--at", "2026-05-03T09:00:00Z",
        ])
        #expect(second.exitCode == 0, "\(second)")
        let records = try lines(workspace)
        #expect(records.count == 3)
        #expect(records.last == "")
        #expect(records.dropLast().allSatisfy { $0.hasPrefix("{") && $0.hasSuffix("}") })

        let verify = try workspace.run(
            ["verify", "model.json", "--model-dir", Fixture.custody("weights-q4")] + Fixture.trust)
        #expect(verify.exitCode == 0, "\(verify)")
    }

    @Test func customBundlePath() throws {
        let workspace = try workspace()
        let result = try workspace.run([
            "custody", "append", "model.json", "--custody", "hops/chain.jsonl", "--action", "mirrored",
            "--actor", "ModelHub", "--actor-country", "IE", "--key", Fixture.lineage("keys/hub-host.key"),
        ])
        // The directory of a custom bundle is not created for the caller.
        #expect(result.exitCode == 2, "\(result)")
        try FileManager.default.createDirectory(
            at: workspace.url.appendingPathComponent("hops"), withIntermediateDirectories: true)
        let retry = try workspace.run([
            "custody", "append", "model.json", "--custody", "hops/chain.jsonl", "--action", "mirrored",
            "--actor", "ModelHub", "--actor-country", "IE", "--key", Fixture.lineage("keys/hub-host.key"),
        ])
        #expect(retry.exitCode == 0, "\(retry)")
        #expect(try lines(workspace, "hops/chain.jsonl").count == 2)
        #expect(!FileManager.default.fileExists(atPath: workspace.path("model.custody.jsonl")))
    }

    @Test(arguments: ["quantized", "converted", "fine-tuned"])
    func transformationWithoutModelDirIsRefused(action: String) throws {
        let workspace = try workspace()
        let result = try workspace.run([
            "custody", "append", "model.json", "--action", action, "--actor", "Quant Lab", "--actor-country", "DE",
            "--key", Fixture.lineage("keys/quantlab-publisher.key"),
        ])
        #expect(result.exitCode == 64, "\(result)")
        #expect(result.stderr.contains("\(action) changes the files: give --model-dir"))
        #expect(!FileManager.default.fileExists(atPath: workspace.path("model.custody.jsonl")))
    }

    @Test(arguments: [["--actor-country", "EU"], ["--actor-country", "US", "--country", "UK"]])
    func countriesMustBeISOCodes(options: [String]) throws {
        let workspace = try workspace()
        let result = try workspace.run([
            "custody", "append", "model.json", "--action", "hosted", "--actor", "Host",
            "--key", Fixture.lineage("keys/hub-host.key"),
        ] + options)
        #expect(result.exitCode == 64, "\(result)")
        #expect(!FileManager.default.fileExists(atPath: workspace.path("model.custody.jsonl")))
    }
}
