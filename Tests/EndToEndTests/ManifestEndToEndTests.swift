import Foundation
import Testing

/// The provenance manifest through the real binary: init → sign → verify → show, and every way a model directory
/// or a manifest can be wrong.
@Suite("audit with a provenance manifest")
struct ManifestEndToEndTests {
    static let at = "2026-06-01T00:00:00Z"

    /// The worked example from the docs; `audit sign --model-dir` replaces its subject list.
    static func exampleManifest() throws -> String {
        try String(
            contentsOf: AuditBinary.packageRoot.appendingPathComponent("docs/examples/manifest.yaml"), encoding: .utf8)
    }

    /// A workspace with a trusted key `dev`, a three-file model in `weights/` and the example as `manifest.yaml`.
    static func setUp() throws -> Workspace {
        let ws = try Workspace()
        try ws.keygen("dev")
        try ws.makeTrustStore([("dev", "")])
        try ws.write("weights/config.json", "{\"architectures\": [\"AcmeForCausalLM\"], \"hidden_size\": 4096}\n")
        try ws.write("weights/model.safetensors", String(repeating: "\u{7}weights", count: 40_000))
        try ws.write("weights/tokenizer.json", "{\"version\": \"1.0\", \"model\": {\"type\": \"BPE\"}}\n")
        try ws.write("manifest.yaml", try exampleManifest())
        return ws
    }

    /// `audit sign MANIFEST --key dev.key --model-dir DIR -o OUTPUT`.
    static func sign(
        _ ws: Workspace, _ manifest: String, directory: String = "weights", output: String = "model.json"
    ) throws -> AuditBinary.Result {
        try ws.run(["sign", manifest, "--key", "dev.key", "--model-dir", directory, "-o", output])
    }

    /// `setUp()` plus `model.json`: the example signed by `dev` over `weights/`.
    static func signed() throws -> Workspace {
        let ws = try Self.setUp()
        let result = try sign(ws, "manifest.yaml")
        #expect(result.exitCode == 0, "\(result)")
        return ws
    }

    static func verify(_ ws: Workspace, _ extra: [String] = []) throws -> AuditBinary.Result {
        try ws.run(["verify", "model.json", "--trust", "trust", "--model-dir", "weights", "--at", at] + extra)
    }

    /// `audit digest DIR` as a path → hex map.
    static func digests(_ ws: Workspace, _ directory: String = "weights") throws -> [String: String] {
        let result = try ws.run(["digest", directory])
        #expect(result.exitCode == 0, "\(result)")
        var out: [String: String] = [:]
        for line in result.stdout.split(separator: "\n") {
            out[String(line.dropFirst(66))] = String(line.prefix(64))
        }
        return out
    }

    /// The report of `audit verify --format json`, its one model's verdict and its findings.
    static func report(_ result: AuditBinary.Result) throws -> (verdict: String, findings: [[String: Any]]) {
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        let report = try #require(object as? [String: Any], "\(result)")
        let models = try #require(report["models"] as? [[String: Any]], "\(result)")
        let model = try #require(models.first, "\(result)")
        let verdict = try #require(model["verdict"] as? String, "\(result)")
        let findings = try #require(model["findings"] as? [[String: Any]], "\(result)")
        return (verdict, findings)
    }

    /// The `integrity.artifacts` findings of a JSON report that did not pass.
    static func artifactProblems(_ result: AuditBinary.Result) throws -> [[String: Any]] {
        try report(result).findings.filter {
            $0["ruleID"] as? String == "integrity.artifacts" && $0["status"] as? String != "pass"
        }
    }

    /// A clean refusal: the exit code, `audit: error:` first on stderr, every text mentioned, no crash trace.
    static func expectError(_ result: AuditBinary.Result, exit: Int32, mentions texts: [String]) {
        #expect(result.exitCode == exit, "\(result)")
        #expect(result.stderr.hasPrefix("audit: error:"), "\(result)")
        for text in texts {
            #expect(result.stderr.contains(text), "stderr does not mention \"\(text)\": \(result)")
        }
        #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("Stack dump"), "\(result)")
    }

    // MARK: - The happy path

    @Test("init → sign refuses the draft, listing pointers → the completed manifest signs → verify passes")
    func initSignVerify() throws {
        let ws = try Self.setUp()
        let initialized = try ws.run(["init", "--model-dir", "weights", "-o", "draft.yaml"])
        #expect(initialized.exitCode == 0, "\(initialized)")
        #expect(initialized.stdout.hasPrefix("wrote draft.yaml: 3 artifacts"), "\(initialized)")
        let draft = String(decoding: try ws.read("draft.yaml"), as: UTF8.self)
        for (path, digest) in try Self.digests(ws) {
            #expect(draft.contains("- name: \"\(path)\"\n  digest:\n    sha256: \"\(digest)\""), "\(path)")
        }

        let refused = try Self.sign(ws, "draft.yaml")
        Self.expectError(
            refused, exit: 2,
            mentions: [
                "draft.yaml is invalid (13 problems):", "/predicate/model/name: required, not filled in",
                "/predicate/origin/developer/country: required, not filled in",
                "/predicate/hosting/mode: required, not filled in", "/predicate/lineage/parents: required, not filled in",
            ])
        #expect(!FileManager.default.fileExists(atPath: ws.path("model.json")), "nothing is written")

        let signed = try Self.sign(ws, "manifest.yaml")
        #expect(signed.exitCode == 0, "\(signed)")
        #expect(signed.stdout.hasPrefix("signed model.json with sha256:"), "\(signed)")

        let verified = try Self.verify(ws)
        #expect(verified.exitCode == 0, "\(verified)")
        #expect(verified.stdout.contains("acme-chat-7b 1.2.0 — compliant"), "\(verified)")

        let json = try Self.verify(ws, ["--format", "json"])
        #expect(json.exitCode == 0, "\(json)")
        let report = try Self.report(json)
        #expect(report.verdict == "compliant")
        #expect(report.findings.allSatisfy { $0["status"] as? String == "pass" }, "\(json)")
        let artifacts = report.findings.first { $0["ruleID"] as? String == "integrity.artifacts" }
        #expect(artifacts?["message"] as? String == "3 file(s) in weights match", "\(json)")
    }

    @Test("a JSON draft signs once filled in, and its subjects are the directory's")
    func jsonDraft() throws {
        let ws = try Self.setUp()
        let initialized = try ws.run(["init", "--model-dir", "weights", "--name", "acme-chat-7b", "-o", "draft.json"])
        #expect(initialized.exitCode == 0, "\(initialized)")
        let object = try JSONSerialization.jsonObject(with: try ws.read("draft.json"))
        let draft = try #require(object as? [String: Any])
        let subjects = try #require(draft["subject"] as? [[String: Any]])
        #expect(subjects.compactMap { $0["name"] as? String } == ["config.json", "model.safetensors", "tokenizer.json"])
        let predicate = try #require(draft["predicate"] as? [String: Any])
        let model = try #require(predicate["model"] as? [String: Any])
        #expect(model["name"] as? String == "acme-chat-7b")
    }

    // MARK: - The model directory changed

    @Test("one byte of one weight file changed → exit 1, naming the path with expected and observed digests")
    func tamperedByte() throws {
        let ws = try Self.signed()
        let before = try #require(try Self.digests(ws)["model.safetensors"])
        var bytes = try ws.read("weights/model.safetensors")
        bytes[1000] ^= 0x01
        try ws.write("weights/model.safetensors", bytes: bytes)
        let after = try #require(try Self.digests(ws)["model.safetensors"])
        #expect(before != after)

        let result = try Self.verify(ws)
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.stdout.contains("acme-chat-7b 1.2.0 — non-compliant"), "\(result)")
        #expect(result.stdout.contains("model.safetensors: digest mismatch"), "\(result)")
        #expect(result.stdout.contains("expected: sha256:\(before)"), "\(result)")
        #expect(result.stdout.contains("observed: sha256:\(after)"), "\(result)")
    }

    @Test("a deleted file → exit 1, missing, at its subject's pointer")
    func deletedFile() throws {
        let ws = try Self.signed()
        try FileManager.default.removeItem(atPath: ws.path("weights/tokenizer.json"))
        #expect(try Self.verify(ws).stdout.contains("tokenizer.json: missing"))
        let result = try Self.verify(ws, ["--format", "json"])
        #expect(result.exitCode == 1, "\(result)")
        let problems = try Self.artifactProblems(result)
        #expect(problems.count == 1, "\(result)")
        #expect(problems.first?["message"] as? String == "tokenizer.json: missing (no such file or directory)")
        #expect(problems.first?["pointer"] as? String == "/subject/2")
    }

    @Test("an added file → exit 1; a warning and exit 0 under --allow-extra-files")
    func addedFile() throws {
        let ws = try Self.signed()
        try ws.write("weights/extra.bin", "not in the manifest")
        let result = try Self.verify(ws)
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.stdout.contains("extra.bin: not listed in the manifest"), "\(result)")

        let allowed = try Self.verify(ws, ["--allow-extra-files", "--format", "json"])
        #expect(allowed.exitCode == 0, "\(allowed)")
        #expect(try Self.report(allowed).verdict == "compliant")
        let warnings = try Self.artifactProblems(allowed)
        #expect(warnings.count == 1, "\(allowed)")
        #expect(warnings.first?["status"] as? String == "warn")
        #expect(warnings.first?["message"] as? String == "extra.bin: not listed in the manifest")
    }

    @Test("version-control metadata in the model directory is ignored")
    func ignoredEntries() throws {
        let ws = try Self.signed()
        try ws.write("weights/.git/HEAD", "ref: refs/heads/main\n")
        try ws.write("weights/.DS_Store", "finder")
        let result = try Self.verify(ws)
        #expect(result.exitCode == 0, "\(result)")
    }

    /// A link out of the model directory is a verdict, not an evaluation error: the directory was read and holds an
    /// entry the manifest cannot vouch for, like an added file, so `verify` exits 1 (and `--allow-extra-files` does
    /// not excuse it). `sign` and `digest` cannot produce a subject list at all from such a directory: exit 2.
    @Test("a symbolic link pointing outside the model directory → verify exit 1, sign exit 2, the path named")
    func symlinkOutside() throws {
        let ws = try Self.signed()
        try ws.write("outside.txt", "secret")
        try FileManager.default.createSymbolicLink(
            atPath: ws.path("weights/leak.json"), withDestinationPath: ws.path("outside.txt"))

        let text = try Self.verify(ws)
        #expect(text.exitCode == 1, "\(text)")
        #expect(text.stdout.contains("leak.json: symbolic link"), "\(text)")
        let outside = ws.path("outside.txt")

        let result = try Self.verify(ws, ["--format", "json"])
        #expect(result.exitCode == 1, "\(result)")
        let messages = try Self.artifactProblems(result).compactMap { $0["message"] as? String }
        #expect(messages == ["leak.json: symbolic link to \(outside) (links are not followed)"], "\(result)")

        let allowed = try Self.verify(ws, ["--allow-extra-files"])
        #expect(allowed.exitCode == 1, "an unsafe entry is not an excusable extra file: \(allowed)")

        let followed = try Self.verify(ws, ["--follow-symlinks", "--format", "json"])
        #expect(followed.exitCode == 1, "\(followed)")
        let reasons = try Self.artifactProblems(followed).compactMap { $0["message"] as? String }
        #expect(
            reasons == ["leak.json: symbolic link resolves to \(outside), outside the model directory"], "\(followed)")

        let sign = try Self.sign(ws, "manifest.yaml", output: "m2.json")
        Self.expectError(sign, exit: 2, mentions: ["leak.json: symbolic link to", "(links are not followed)"])
    }

    @Test("a listed file replaced by a symbolic link to a copy outside → exit 1, never read through the link")
    func listedFileReplacedBySymlink() throws {
        let ws = try Self.signed()
        try FileManager.default.moveItem(atPath: ws.path("weights/tokenizer.json"), toPath: ws.path("tokenizer.json"))
        try FileManager.default.createSymbolicLink(
            atPath: ws.path("weights/tokenizer.json"), withDestinationPath: ws.path("tokenizer.json"))
        let result = try Self.verify(ws, ["--format", "json"])
        #expect(result.exitCode == 1, "\(result)")
        let messages = try Self.artifactProblems(result).compactMap { $0["message"] as? String }
        #expect(
            messages == ["tokenizer.json: symbolic link to \(ws.path("tokenizer.json")) (links are not followed)"],
            "\(result)")
    }

    @Test("a file replaced between `audit digest` and `audit verify` → exit 1 with the new digest")
    func replacedAfterDigest() throws {
        let ws = try Self.signed()
        let listed = try Self.digests(ws)
        try ws.write("weights/config.json", "{\"architectures\": [\"SomethingElse\"]}\n")
        let now = try Self.digests(ws)
        let expected = try #require(listed["config.json"])
        let observed = try #require(now["config.json"])
        #expect(expected != observed)

        let result = try Self.verify(ws, ["--format", "json"])
        #expect(result.exitCode == 1, "\(result)")
        let problems = try Self.artifactProblems(result)
        #expect(problems.count == 1, "\(result)")
        let problem = try #require(problems.first)
        #expect((problem["message"] as? String)?.hasPrefix("config.json: digest mismatch") == true, "\(problem)")
        #expect(problem["expected"] as? String == "sha256:\(expected)")
        #expect(problem["observed"] as? String == "sha256:\(observed)")
    }

    @Test("an empty model directory: init and sign refuse it (exit 2), verify lists every file missing (exit 1)")
    func emptyModelDirectory() throws {
        let ws = try Self.signed()
        try FileManager.default.createDirectory(atPath: ws.path("empty"), withIntermediateDirectories: true)

        Self.expectError(
            try ws.run(["init", "--model-dir", "empty", "-o", "draft.yaml"]), exit: 2, mentions: ["empty: no files"])
        Self.expectError(
            try Self.sign(ws, "manifest.yaml", directory: "empty", output: "m2.json"),
            exit: 2, mentions: ["empty: no files"])

        let arguments = ["verify", "model.json", "--trust", "trust", "--model-dir", "empty", "--at", Self.at]
        let result = try ws.run(arguments + ["--format", "json"])
        #expect(result.exitCode == 1, "\(result)")
        let messages = try Self.artifactProblems(result).compactMap { $0["message"] as? String }
        #expect(
            messages.sorted() == [
                "config.json: missing (no such file or directory)",
                "model.safetensors: missing (no such file or directory)",
                "tokenizer.json: missing (no such file or directory)",
            ], "\(result)")
    }

    @Test("a model directory that does not exist → exit 2, and a JSON answer still")
    func missingModelDirectory() throws {
        let ws = try Self.signed()
        let arguments = ["verify", "model.json", "--trust", "trust", "--model-dir", "nowhere", "--at", Self.at]
        Self.expectError(try ws.run(arguments), exit: 2, mentions: ["nowhere: missing"])
        let json = try ws.run(arguments + ["--format", "json"])
        #expect(json.exitCode == 2, "\(json)")
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8))
        let report = try #require(object as? [String: Any])
        #expect(report["verdict"] as? String == "could-not-evaluate")
    }

    // MARK: - Output formats

    @Test("show renders the manifest section by section")
    func show() throws {
        let ws = try Self.signed()
        let result = try ws.run(["show", "model.json", "--trust", "trust", "--at", Self.at])
        #expect(result.exitCode == 0, "\(result)")
        for text in [
            "payload type: application/vnd.in-toto+json", "status:       verified", "\nMODEL\n",
            "  name                 acme-chat-7b 1.2.0", "\nORIGIN\n", "  developer            Acme AI, Inc. (US)",
            "\nHOSTING\n", "  mode                 self-hosted", "\nLINEAGE\n", "acme-base-7b (fine-tune)",
            "\nDATA RETENTION\n", "  prompts              not collected", "\nAUDITS\n", "ISO/IEC 42001",
            "\nARTIFACTS (3)\n",
        ] {
            #expect(result.stdout.contains(text), "show output lacks \"\(text)\": \(result)")
        }
    }

    @Test("show --format json prints the signed statement")
    func showJSON() throws {
        let ws = try Self.signed()
        let result = try ws.run(["show", "model.json", "--format", "json"])
        #expect(result.exitCode == 0, "\(result)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        let statement = try #require(object as? [String: Any])
        #expect(statement["_type"] as? String == "https://in-toto.io/Statement/v1")
        #expect(statement["predicateType"] as? String == "https://model-audit.dev/provenance/v1")
        let subjects = try #require(statement["subject"] as? [[String: Any]])
        let digests = try Self.digests(ws)
        #expect(subjects.count == 3)
        for subject in subjects {
            let name = try #require(subject["name"] as? String)
            let digest = try #require(subject["digest"] as? [String: String])
            #expect(digest == ["sha256": digests[name] ?? "?"], "\(name)")
        }
        let predicate = try #require(statement["predicate"] as? [String: Any])
        let model = try #require(predicate["model"] as? [String: Any])
        #expect(model["name"] as? String == "acme-chat-7b")
        #expect(Set(predicate.keys) == ["model", "origin", "hosting", "lineage", "dataRetention", "audits"])
    }

    @Test("verify --format json reports an artifact failure with expected and observed digests and a pointer")
    func verifyJSON() throws {
        let ws = try Self.signed()
        let before = try #require(try Self.digests(ws)["model.safetensors"])
        try ws.write("weights/model.safetensors", "replaced")
        let after = try #require(try Self.digests(ws)["model.safetensors"])
        let result = try Self.verify(ws, ["--format", "json"])
        #expect(result.exitCode == 1, "\(result)")
        let report = try Self.report(result)
        #expect(report.verdict == "non-compliant")
        let problems = try Self.artifactProblems(result)
        #expect(problems.count == 1, "\(result)")
        let problem = try #require(problems.first)
        #expect(problem["status"] as? String == "fail")
        #expect(problem["severity"] as? String == "critical")
        #expect(problem["pointer"] as? String == "/subject/1")
        #expect((problem["message"] as? String)?.hasPrefix("model.safetensors: digest mismatch") == true)
        #expect(problem["expected"] as? String == "sha256:\(before)")
        #expect(problem["observed"] as? String == "sha256:\(after)")
        #expect(report.findings.filter { $0["status"] as? String == "pass" }.count == 2, "signatures and manifest")
    }

    // MARK: - Bad manifests

    /// A manifest made by replacing one piece of the worked example, and what `audit sign` must say about it.
    struct BadManifest: Sendable, CustomTestStringConvertible {
        let name: String
        let replace: String
        let with: String
        let pointer: String
        let message: String

        var testDescription: String { name }
    }

    static let collectedPrompts = """
            - category: "prompts"
              collected: true
              usedForTraining: false
              deletionOnRequest: true
              storageCountries: ["US"]
        """

    static let badManifests: [BadManifest] = [
        BadManifest(
            name: "unknown field", replace: "    format: \"safetensors\"\n",
            with: "    format: \"safetensors\"\n    quantisation: \"int4\"\n", pointer: "/predicate/model/quantisation",
            message: "unknown member \"quantisation\""),
        BadManifest(
            name: "country: China",
            replace: "      legalName: \"Acme AI, Inc.\"\n      country: \"US\"\n      aliases",
            with: "      legalName: \"Acme AI, Inc.\"\n      country: China\n      aliases",
            pointer: "/predicate/origin/developer/country", message: "\"China\" is not an ISO 3166-1 alpha-2"),
        BadManifest(
            name: "retentionDays: -1", replace: "    - category: \"prompts\"\n      collected: false\n",
            with: collectedPrompts + "\n      retentionDays: -1\n",
            pointer: "/predicate/dataRetention/0/retentionDays", message: "-1 is outside 0…36500"),
        BadManifest(
            name: "retentionDays: 1.5", replace: "    - category: \"prompts\"\n      collected: false\n",
            with: collectedPrompts + "\n      retentionDays: 1.5\n",
            pointer: "/predicate/dataRetention/0/retentionDays", message: "expected a whole number, found 1.5"),
        BadManifest(
            name: "issued: \"March 2026\"", replace: "issued: \"2026-03-01\"", with: "issued: \"March 2026\"",
            pointer: "/predicate/audits/0/issued", message: "\"March 2026\" is not an RFC 3339 date"),
        BadManifest(
            name: "managed-service without the rest", replace: "mode: \"self-hosted\"",
            with: "mode: \"managed-service\"",
            pointer: "/predicate/hosting/dataFlows", message: "required member is missing"),
        BadManifest(
            name: "unquoted version 1.0", replace: "version: \"1.2.0\"", with: "version: 1.0",
            pointer: "/predicate/model/version", message: "expected a string, found number"),
    ]

    @Test("a bad manifest is refused by audit sign: exit 2, the pointer on stderr, nothing written",
        arguments: badManifests)
    func badManifest(_ bad: BadManifest) throws {
        let ws = try Self.setUp()
        let text = try Self.exampleManifest()
        #expect(text.contains(bad.replace), "the example no longer contains the text to replace")
        try ws.write("bad.yaml", text.replacingOccurrences(of: bad.replace, with: bad.with))
        let result = try Self.sign(ws, "bad.yaml", output: "bad.json")
        Self.expectError(result, exit: 2, mentions: ["bad.yaml is invalid", "\(bad.pointer): \(bad.message)"])
        #expect(!FileManager.default.fileExists(atPath: ws.path("bad.json")), "nothing is written")
    }

    @Test("a YAML manifest with a duplicate key is refused before validation")
    func duplicateKey() throws {
        let ws = try Self.setUp()
        let license = "    license: \"Apache-2.0\"\n"
        let text = try Self.exampleManifest()
        #expect(text.contains(license))
        try ws.write("bad.yaml", text.replacingOccurrences(of: license, with: license + "    license: \"MIT\"\n"))
        let result = try Self.sign(ws, "bad.yaml", output: "bad.json")
        Self.expectError(result, exit: 2, mentions: ["YAML", "license"])
    }
}
