import Foundation
import Testing

/// The sample fleet in `manifests/` under the three sample policies, through the real binary: every sample's verdict
/// and the rules that decide it, exactly as `docs/samples.md` explains them.
///
/// The tests read the committed envelopes and custody bundles; nothing is re-signed first. One test regenerates the
/// whole fleet into a scratch directory and requires the same bytes, so a source edited without running
/// `make samples` (or a change to the signing format) fails here rather than drifting silently.
@Suite("the sample fleet under the sample policies")
struct SampleFleetEndToEndTests {
    /// The fleet's reference time: waivers, audit expiries and key validity are all judged as of this instant.
    static let at = "2026-12-01T00:00:00Z"

    /// The three sample policies.
    enum SamplePolicy: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case enterprise = "enterprise-default"
        case federal = "us-federal-agency"
        case gdpr = "eu-gdpr"

        var path: String { "policies/\(rawValue).yaml" }
        /// The prefix of the policy's rule ids.
        var rulePrefix: String {
            switch self {
            case .enterprise: return "ENT"
            case .federal: return "FED"
            case .gdpr: return "GDPR"
            }
        }
        var testDescription: String { rawValue }
    }

    /// What one policy decides for one sample: the verdict and the rule ids behind it.
    struct Expectation: Sendable {
        var verdict: String
        /// Rules with a `fail` (or `error`) finding.
        var failing: Set<String> = []
        /// Rules with a `warn` finding (an enforcement: warn rule that did not pass).
        var warned: Set<String> = []
        var waived: Set<String> = []

        static func compliant(warned: Set<String> = [], waived: Set<String> = []) -> Expectation {
            Expectation(verdict: "compliant", warned: warned, waived: waived)
        }

        static func nonCompliant(_ failing: Set<String>, warned: Set<String> = []) -> Expectation {
            Expectation(verdict: "non-compliant", failing: failing, warned: warned)
        }
    }

    /// Every sample (by envelope file stem) under every policy. Keep in step with docs/samples.md.
    static let expectations: [String: [SamplePolicy: Expectation]] = [
        "aldercrest-base-7b": [
            .enterprise: .compliant(),
            .federal: .nonCompliant(["FED-CUSTODY-REQUIRED"]),
            .gdpr: .compliant(),
        ],
        "aldercrest-instruct-7b": [
            .enterprise: .compliant(),
            .federal: .nonCompliant(["FED-CUSTODY-REQUIRED"]),
            .gdpr: .compliant(),
        ],
        "larkspur-advisor-7b": [
            .enterprise: .compliant(),
            .federal: .compliant(),
            .gdpr: .compliant(),
        ],
        "jadeveil-r2-self-hosted": [
            .enterprise: .compliant(warned: ["ENT-AUDIT-SOC2"], waived: ["ENT-JUR-DEVELOPER"]),
            .federal: .nonCompliant([
                "FED-AUDIT-SOC2", "FED-BAN-AFFILIATION", "FED-BAN-DEVELOPER", "FED-CUSTODY-REQUIRED",
                "FED-TRAINING-COMPUTE", "FED-VENDOR-BAN",
            ]),
            .gdpr: .nonCompliant(["GDPR-TRAINING-DATA"]),
        ],
        "jadeveil-chat-service": [
            .enterprise: .nonCompliant(
                [
                    "ENT-JUR-DATA-FLOWS", "ENT-JUR-DEVELOPER", "ENT-JUR-SERVICE-LAW", "ENT-RET-FORBIDDEN",
                    "ENT-RET-MAX", "ENT-RET-NO-TRAINING", "ENT-SCREENING",
                ], warned: ["ENT-AUDIT-SOC2"]),
            .federal: .nonCompliant([
                "FED-AUDIT-SOC2", "FED-BAN-AFFILIATION", "FED-BAN-DEVELOPER", "FED-BAN-HOSTED-SERVICE",
                "FED-CUSTODY-REQUIRED", "FED-DATA-FLOWS-US", "FED-DATA-STORAGE-US", "FED-GOVERNING-LAW-US",
                "FED-HOSTING-US", "FED-RET-FORBIDDEN", "FED-RET-MAX", "FED-RET-NO-TRAINING", "FED-SCREENING",
                "FED-TRAINING-COMPUTE", "FED-VENDOR-BAN",
            ]),
            .gdpr: .nonCompliant([
                "GDPR-ERASURE", "GDPR-HOSTING-REGION", "GDPR-LAWFUL-ACCESS", "GDPR-MINIMISATION", "GDPR-NO-TRAINING",
                "GDPR-RETENTION", "GDPR-STORAGE", "GDPR-TRAINING-DATA", "GDPR-TRANSFERS",
            ]),
        ],
        "aldercrest-orca-marketplace": [
            .enterprise: .compliant(),
            .federal: .compliant(),
            .gdpr: .nonCompliant(["GDPR-HOSTING-REGION", "GDPR-LAWFUL-ACCESS", "GDPR-STORAGE", "GDPR-TRANSFERS"]),
        ],
        "aubepine-medium-2": [
            .enterprise: .compliant(),
            .federal: .nonCompliant([
                "FED-CUSTODY-REQUIRED", "FED-DATA-FLOWS-US", "FED-DATA-STORAGE-US", "FED-GOVERNING-LAW-US",
                "FED-HOSTING-US",
            ]),
            .gdpr: .compliant(),
        ],
        "mistvale-mini-3b": [
            .enterprise: .nonCompliant(["ENT-LINEAGE-DISTILLATION"], warned: ["ENT-AUDIT-SOC2"]),
            .federal: .nonCompliant(["FED-AUDIT-SOC2", "FED-CUSTODY-REQUIRED", "FED-LINEAGE-DISTILLATION"]),
            .gdpr: .compliant(),
        ],
        "quickvane-turbochat-13b": [
            .enterprise: .nonCompliant(
                ["ENT-LINEAGE-SIGNED", "ENT-LINEAGE-VERIFIED", "ENT-SIG-DEVELOPER"], warned: ["ENT-AUDIT-SOC2"]),
            .federal: .nonCompliant([
                "FED-AUDIT-SOC2", "FED-BAN-AFFILIATION", "FED-CUSTODY-REQUIRED", "FED-LINEAGE-VERIFIED",
                "FED-SIG-DEVELOPER", "FED-TRAINING-COMPUTE",
            ]),
            .gdpr: .nonCompliant(["GDPR-SIG-DEVELOPER", "GDPR-TRAINING-DATA"]),
        ],
        "tamarisk-coder-15b-q4": [
            .enterprise: .compliant(),
            .federal: .compliant(),
            .gdpr: .compliant(),
        ],
        "corrivale-summarize": [
            .enterprise: .compliant(warned: ["ENT-AUDIT-SOC2"]),
            .federal: .nonCompliant(["FED-AUDIT-SOC2"]),
            .gdpr: .nonCompliant(["GDPR-HOSTING-REGION", "GDPR-LAWFUL-ACCESS", "GDPR-STORAGE", "GDPR-TRANSFERS"]),
        ],
        "kitefin-vision-12b": [
            .enterprise: .nonCompliant(["ENT-SCREENING"], warned: ["ENT-AUDIT-SOC2"]),
            .federal: .nonCompliant(["FED-AUDIT-SOC2", "FED-BAN-OWNERSHIP", "FED-CUSTODY-REQUIRED", "FED-SCREENING"]),
            .gdpr: .compliant(),
        ],
        "chatterwell-assist": [
            .enterprise: .nonCompliant(["ENT-RET-MAX", "ENT-RET-NO-TRAINING"]),
            .federal: .nonCompliant(["FED-CUSTODY-REQUIRED", "FED-RET-MAX", "FED-RET-NO-TRAINING"]),
            .gdpr: .nonCompliant([
                "GDPR-HOSTING-REGION", "GDPR-LAWFUL-ACCESS", "GDPR-NO-TRAINING", "GDPR-RETENTION", "GDPR-STORAGE",
                "GDPR-TRANSFERS",
            ]),
        ],
    ]

    /// The parts of `audit report --format json` these tests read.
    struct FleetReport: Decodable {
        struct Model: Decodable {
            let file: String
            let verdict: String
            let findings: [Finding]

            /// The envelope's file name without `.json`: the sample's name.
            var sample: String { URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent }

            func rules(_ statuses: Set<String>) -> Set<String> {
                Set(findings.filter { statuses.contains($0.status) }.map(\.ruleID))
            }
        }

        struct Finding: Decodable {
            let ruleID: String
            let status: String
        }

        struct WaiverEntry: Decodable {
            let rule: String
            let state: String
            let appliedTo: [String]?
        }

        let models: [Model]
        let waivers: [WaiverEntry]
    }

    /// `audit report MANIFESTS --policy P --store MANIFESTS --format json` at the reference time, decoded. Without
    /// `manifests`, the committed samples are copied into a scratch directory with their model files written beside
    /// them and checked (`--model-dirs`), as `make run` does: every sample policy requires the files to be checked.
    static func report(
        _ policy: SamplePolicy, manifests: String? = nil, extra: [String] = []
    ) throws -> (result: AuditBinary.Result, report: FleetReport) {
        var workspace: Workspace?
        var arguments = extra
        let directory: String
        if let manifests {
            directory = manifests
        } else {
            let ws = try SampleFleet.withModelFiles()
            workspace = ws
            directory = ws.path("manifests")
            arguments.append("--model-dirs")
        }
        let result = try AuditBinary.run(
            ["report", directory, "--trust", "keys", "--policy", policy.path, "--store", directory, "--at", at,
                "--format", "json"] + arguments,
            in: AuditBinary.packageRoot)
        withExtendedLifetime(workspace) {}
        let report = try JSONDecoder().decode(FleetReport.self, from: Data(result.stdout.utf8))
        return (result, report)
    }

    @Test("every sample's verdict and deciding rules", arguments: SamplePolicy.allCases)
    func verdicts(policy: SamplePolicy) throws {
        let (result, report) = try Self.report(policy)
        // Some samples are non-compliant under every policy, so a fleet report exits 1, never 2.
        #expect(result.exitCode == 1, "\(result.stderr)")
        #expect(Set(report.models.map(\.sample)) == Set(Self.expectations.keys), "a sample without an expectation")
        for model in report.models {
            let expected = try #require(Self.expectations[model.sample]?[policy], "no expectation for \(model.sample)")
            let context = Comment(rawValue: "\(model.sample) under \(policy.rawValue)")
            #expect(model.verdict == expected.verdict, context)
            #expect(model.rules(["fail", "error"]) == expected.failing, context)
            #expect(model.rules(["warn"]) == expected.warned, context)
            #expect(model.rules(["waived"]) == expected.waived, context)
            // Every sample's signatures and manifest verify: each verdict is the policy's, never a broken signature.
            // The model files are checked too (--model-dirs), and match.
            let integrity = model.findings.filter { $0.ruleID.hasPrefix("integrity.") && $0.status != "not-applicable" }
            let checked = Set(integrity.map(\.ruleID))
            #expect(checked.isSuperset(of: ["integrity.signatures", "integrity.manifest", "integrity.artifacts"]), context)
            #expect(integrity.allSatisfy { $0.status == "pass" }, context)
        }
    }

    @Test("waivers: one applied and one expired in the enterprise policy, one expired in the federal policy")
    func waivers() throws {
        let enterprise = try Self.report(.enterprise).report.waivers
        #expect(enterprise.map { "\($0.rule) \($0.state)" } == ["ENT-JUR-DEVELOPER applied", "ENT-RET-MAX expired"])
        let names = { (waiver: FleetReport.WaiverEntry?) in
            (waiver?.appliedTo ?? []).map { URL(fileURLWithPath: $0).lastPathComponent }
        }
        #expect(names(enterprise.first) == ["jadeveil-r2-self-hosted.json"])
        #expect(names(enterprise.last) == ["chatterwell-assist.json"])
        let federal = try Self.report(.federal).report.waivers
        #expect(federal.map { "\($0.rule) \($0.state)" } == ["FED-AUDIT-SOC2 expired"])
        #expect(try Self.report(.gdpr).report.waivers.isEmpty)
    }

    @Test("an expired waiver would have applied before its expiry", arguments: [
        ("2026-09-01T00:00:00Z", "compliant"), (SampleFleetEndToEndTests.at, "non-compliant"),
    ])
    func waiverExpiry(time: String, verdict: String) throws {
        let ws = try SampleFleet.withModelFiles()
        let result = try AuditBinary.run(
            ["report", ws.path("manifests/corrivale-summarize.json"), "--trust", "keys", "--policy",
                SamplePolicy.federal.path, "--at", time, "--format", "json", "--model-dirs"],
            in: AuditBinary.packageRoot)
        let report = try JSONDecoder().decode(FleetReport.self, from: Data(result.stdout.utf8))
        let model = try #require(report.models.first, "\(result)")
        #expect(model.verdict == verdict, "\(result.stdout)")
    }

    @Test("without the model files every sample fails its policy's artifacts.required rule", arguments: SamplePolicy.allCases)
    func uncheckedFilesFail(policy: SamplePolicy) throws {
        let (result, report) = try Self.report(policy, manifests: "manifests")
        #expect(result.exitCode == 1, "\(result.stderr)")
        let rule = "\(policy.rulePrefix)-FILES-CHECKED"
        for model in report.models {
            #expect(model.verdict == "non-compliant", "\(model.sample)")
            #expect(model.rules(["fail"]).contains(rule), "\(model.sample)")
            #expect(model.findings.contains { $0.ruleID == "integrity.artifacts" && $0.status == "not-applicable" })
        }
        // The text report's verdict line says why: nobody looked at the files.
        let text = try AuditBinary.run(
            ["report", "manifests", "--trust", "keys", "--policy", policy.path, "--store", "manifests", "--at", Self.at,
                "--quiet"],
            in: AuditBinary.packageRoot)
        #expect(text.exitCode == 1)
        #expect(text.stdout.split(separator: "\n").count == 1, "\(text.stdout)")
        #expect(text.stdout.contains("model files not checked (no model directory given)"), "\(text.stdout)")
    }

    @Test("every sample policy is valid", arguments: SamplePolicy.allCases)
    func policyIsValid(policy: SamplePolicy) throws {
        let result = try AuditBinary.run(["policy", "check", policy.path], in: AuditBinary.packageRoot)
        #expect(result.exitCode == 0, "\(result)")
    }

    @Test("the generated model directories match the committed manifests and custody chains")
    func modelDirectories() throws {
        let ws = try Workspace()
        try SampleFleet.copyCommittedSamples(to: ws.path("manifests"))
        let generated = try RepositoryScript.run("sample-model-files.sh", [ws.path("manifests")])
        #expect(generated.exitCode == 0, "\(generated)")
        let (result, report) = try Self.report(.enterprise, manifests: ws.path("manifests"), extra: ["--model-dirs"])
        #expect(result.exitCode == 1, "\(result.stderr)")
        for model in report.models {
            let artifacts = model.findings.filter { $0.ruleID == "integrity.artifacts" }
            #expect(artifacts.count == 1 && artifacts.allSatisfy { $0.status == "pass" }, "\(model.sample)")
            #expect(model.verdict == Self.expectations[model.sample]?[.enterprise]?.verdict, "\(model.sample)")
        }
        // The quantized sample is delivered as GGUF: its files verify against the last custody hop, not the manifest.
        let quantized = try FileManager.default.contentsOfDirectory(atPath: ws.path("manifests/tamarisk-coder-15b-q4"))
        #expect(quantized.sorted() == ["README.md", "model-q4_k_m.gguf"])
    }

    @Test("regenerating the fleet from manifests/src reproduces the committed samples byte for byte")
    func regenerationIsReproducible() throws {
        let ws = try Workspace()
        let regenerated = try RepositoryScript.run("make-samples.sh", [ws.path("fleet")])
        try #require(regenerated.exitCode == 0, "\(regenerated)")
        let committed = try SampleFleet.committedFiles()
        let produced = try SampleFleet.signedFiles(in: ws.url.appendingPathComponent("fleet"))
        #expect(produced == committed, "regenerated and committed samples differ in their file lists")
        for name in committed {
            let original = try Data(contentsOf: SampleFleet.directory.appendingPathComponent(name))
            let again = try Data(contentsOf: ws.url.appendingPathComponent("fleet/\(name)"))
            #expect(original == again, "\(name) changed: run `make samples` and commit manifests/")
        }
    }
}

/// The committed sample fleet on disk.
enum SampleFleet {
    static let directory = AuditBinary.packageRoot.appendingPathComponent("manifests")

    /// Signed envelopes and custody bundles in `directory`, sorted.
    static func signedFiles(in directory: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".json") || $0.hasSuffix(".custody.jsonl") }.sorted()
    }

    static func committedFiles() throws -> [String] { try signedFiles(in: directory) }

    /// A scratch directory whose `manifests/` holds the committed samples and their model files
    /// (`scripts/sample-model-files.sh`), so `--model-dirs` can check them.
    static func withModelFiles() throws -> Workspace {
        let ws = try Workspace()
        try copyCommittedSamples(to: ws.path("manifests"))
        let generated = try RepositoryScript.run("sample-model-files.sh", [ws.path("manifests")])
        try #require(generated.exitCode == 0, "\(generated)")
        return ws
    }

    /// Copies the committed envelopes and custody bundles (not the model directories) into `destination`.
    static func copyCommittedSamples(to destination: String) throws {
        try FileManager.default.createDirectory(atPath: destination, withIntermediateDirectories: true)
        for name in try committedFiles() {
            try FileManager.default.copyItem(
                at: directory.appendingPathComponent(name),
                to: URL(fileURLWithPath: destination).appendingPathComponent(name))
        }
    }
}

/// Runs one of the repository's bash scripts (`scripts/NAME`) from the package root, with the built binary as
/// `AUDIT`, standard output and error together.
enum RepositoryScript {
    struct Result: CustomStringConvertible {
        let exitCode: Int32
        let output: String

        var description: String { "exit \(exitCode)\n\(output)" }
    }

    static func run(_ script: String, _ arguments: [String]) throws -> Result {
        let binary = try #require(AuditBinary.path, "the audit binary was not found; run `swift build` first")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["bash", AuditBinary.packageRoot.appendingPathComponent("scripts/\(script)").path]
            + arguments
        process.currentDirectoryURL = AuditBinary.packageRoot
        var environment = ProcessInfo.processInfo.environment
        environment["AUDIT"] = binary
        environment["NO_COLOR"] = "1"
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(exitCode: process.terminationStatus, output: String(decoding: output, as: UTF8.self))
    }
}
