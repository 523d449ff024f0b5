import AuditCrypto
import Foundation

/// Runs policy fixtures: manifests with the status each rule is expected to reach, like unit tests for a policy.
///
/// A case file (YAML or JSON) in the fixture directory:
/// ```yaml
/// manifest: acme-chat.yaml          # a provenance statement, relative to the case file
/// signers:                           # optional: the verified signatures to assume
///   - roles: [developer]
///     scheme: ed25519
///     owner: "Acme AI, Inc."         # optional: the key's trust-store owner (developer waivers compare it)
/// at: 2026-06-01T00:00:00Z           # optional evaluation time
/// envelopeSHA256: "…"                # optional: the digest waivers and lineage see (default: the manifest file's)
/// expect:
///   ENT-JUR-DEV: pass
///   ENT-RET-PROMPTS: fail
/// ```
/// A rule's status is the worst of its findings (fail, error, warn, waived, pass, not-applicable).
public enum PolicyTestSuite {
    /// One expectation's result.
    public struct CaseResult: Sendable {
        public let caseName: String
        public let ruleID: String
        public let expected: FindingStatus
        public let actual: FindingStatus?
        public let detail: String

        public var passed: Bool { expected == actual }
    }

    /// Every case file (`*.yaml`, `*.yml`, `*.json`) directly in `directory`, in name order.
    public static func run(directory: String, policy: Policy, defaultTime: Date) throws -> [CaseResult] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            throw InputFile.ReadError(path: directory, kind: .missing)
        }
        guard isDirectory.boolValue else {
            throw InputFile.ReadError(path: directory, kind: .unreadable("not a directory of policy test cases"))
        }
        let entries: [String]
        do {
            entries = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw InputFile.ReadError(path: directory, kind: .unreadable("cannot list the directory"))
        }
        let names = entries
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") || $0.hasSuffix(".json") }
            .sorted()
        guard !names.isEmpty else {
            throw InvalidDocumentError(
                document: directory, problems: [ValidationProblem(pointer: "", message: "no case files (*.yaml, *.json)")])
        }
        var results: [CaseResult] = []
        for name in names {
            results += try runCase(path: directory + "/" + name, name: name, policy: policy, defaultTime: defaultTime)
        }
        return results
    }

    static func runCase(path: String, name: String, policy: Policy, defaultTime: Date) throws -> [CaseResult] {
        let log = ProblemLog()
        let value = try StructuredDocument.parse(try InputFile.read(path, limit: 4 << 20), path: path)
        guard let r = ObjectReader.make(value, pointer: "", log: log) else {
            throw InvalidDocumentError(document: path, problems: log.problems)
        }
        let manifestPath = r.string("manifest")
        let at = r.timestamp("at", required: false)
        let envelopeDigest = r.string("envelopeSHA256", required: false)
        let signers = r.objects("signers", required: false) {
            s -> (roles: [TrustRole], scheme: String?, owner: String?)? in
            let roles = s.enumerations("roles", TrustRole.self) ?? []
            let scheme = s.string("scheme", required: false)
            let owner = s.string("owner", required: false)
            s.finish()
            return (roles, scheme, owner)
        } ?? [(roles: TrustRole.allCases, scheme: nil, owner: nil)]
        let expectations = r.object("expect").map { e -> [(String, FindingStatus)] in
            var out: [(String, FindingStatus)] = []
            for key in e.object.keys {
                if let status = e.enumeration(key, FindingStatus.self) { out.append((key, status)) }
            }
            e.finish()
            return out
        } ?? []
        r.finish()
        for (rule, _) in expectations where !policy.rules.contains(where: { $0.header.id == rule })
            && !IntegrityChecks.ruleIDs.contains(rule)
        {
            log.add("/expect/\(JSONPointer.escape(rule))", "the policy has no rule \"\(rule)\"")
        }
        guard log.problems.isEmpty, let manifestPath else {
            throw InvalidDocumentError(document: path, problems: log.problems)
        }
        let base = (path as NSString).deletingLastPathComponent
        let resolved = manifestPath.hasPrefix("/") ? manifestPath : (base as NSString).appendingPathComponent(manifestPath)
        let manifestBytes = try InputFile.read(resolved, limit: JSONLimits.default.maxBytes)
        let statement = try ManifestReader.read(
            try StructuredDocument.parse(manifestBytes, path: resolved), document: resolved)
        let time = at.flatMap(RFC3339.parse) ?? defaultTime
        // A signer's owner defaults to the declared developer: a case without signers is "the developer signed".
        let developer = statement.predicate.origin.developer
        let checks = signers.enumerated().map { index, signer in
            SignatureCheck(
                index: index, keyIDHint: nil, outcome: .verified, keyID: "sha256:fixture-signer-\(index)",
                owner: signer.owner ?? PartyIdentity.bindingName(legalName: developer.legalName, name: developer.name),
                roles: signer.roles,
                scheme: signer.scheme.flatMap(SignatureScheme.init(rawValue:)) ?? .ed25519)
        }
        let signatures = EnvelopeVerification(
            payloadType: DSSEEnvelope.inTotoPayloadType, threshold: 1, signatures: checks, time: time)
        let verification = ModelVerification(signatures: signatures, statement: statement, artifacts: nil)
        let evaluator = PolicyEvaluator(policy: policy, time: time)
        let digest = envelopeDigest ?? ((try? Digests.sha256Hex(manifestBytes)) ?? "")
        // No store: a base model's lineage passes, any named parent is unverified — as in `audit verify`.
        let lineage = LineageResolver(store: nil, trustStore: TrustStore(directory: "", keys: []), time: time)
            .resolve(statement, envelopeSHA256: digest)
        let report = evaluator.evaluate(
            file: resolved, envelopeSHA256: digest, verification: verification, modelDirectory: nil, lineage: lineage)
        return expectations.map { rule, expected in
            let findings = report.findings.filter { $0.ruleID == rule }
            let actual = findings.map(\.status).min()
            let detail = findings.filter { $0.status == actual }.map(\.message).joined(separator: "; ")
            return CaseResult(caseName: name, ruleID: rule, expected: expected, actual: actual,
                detail: actual == nil ? "the rule produced no finding (enforcement off?)" : detail)
        }
    }
}

extension PolicyTestSuite {
    /// `N passed, M failed` — the closing line of every run.
    public static func summaryLine(_ results: [CaseResult]) -> String {
        let failed = results.filter { !$0.passed }.count
        return "\(results.count - failed) passed, \(failed) failed"
    }

    /// Test-runner text: one line per expectation, failures explained, and the summary line. Case names (file
    /// names), rule ids and messages are escaped for a terminal (`TerminalText`).
    public static func text(_ results: [CaseResult]) -> String {
        var lines: [String] = []
        for result in results {
            let actual = result.actual?.rawValue ?? "no finding"
            let name = TerminalText.escape("\(result.caseName) \(result.ruleID)")
            if result.passed {
                lines.append("ok    \(name): \(actual)")
            } else {
                lines.append("FAIL  \(name): expected \(result.expected.rawValue), got \(actual)")
                if !result.detail.isEmpty { lines.append("      \(TerminalText.escape(result.detail))") }
            }
        }
        lines.append(summaryLine(results))
        return lines.joined(separator: "\n") + "\n"
    }

    /// JUnit XML: one testcase per expectation, named `<rule id> [<case>]`.
    public static func junit(_ results: [CaseResult], suite: String) -> String {
        let cases = results.map { result -> JUnitWriter.TestCase in
            let message = "expected \(result.expected.rawValue), got \(result.actual?.rawValue ?? "no finding")"
            return JUnitWriter.TestCase(
                className: result.caseName, name: "\(result.ruleID) [\(result.caseName)]",
                outcome: result.passed ? .passed : .failure(message: message, type: nil, details: [result.detail]))
        }
        return JUnitWriter.document(name: nil, timestamp: nil, suites: [JUnitWriter.Suite(name: suite, cases: cases)])
    }
}

extension Policy {
    /// The screening lists' files and digests, for reports.
    public var screeningListInfo: [InputFileInfo] {
        screeningLists.map { InputFileInfo(id: $0.id, file: $0.path, sha256: $0.sha256) }
    }
}
