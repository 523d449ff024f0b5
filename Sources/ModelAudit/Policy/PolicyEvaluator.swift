import Foundation

/// Evaluates verified models against a policy into findings, applying enforcement and waivers.
///
/// For each model:
/// 1. the integrity findings (signatures, manifest, files) come first and are always enforced;
/// 2. when the manifest verified, every rule whose enforcement is not `off` runs; its outcomes become findings
///    carrying the rule's id, title, severity, controls and remediation. Under `warn`, failures and errors become
///    warnings;
/// 3. a failure or warning whose rule and model a waiver names becomes `waived` — unless the waiver has expired,
///    in which case the failure stands and the waiver is reported as expired. A waiver names a model by its
///    verified developer or its envelope digest (`Waiver.selects`), never by the name the manifest gives itself;
/// 4. the model's verdict is non-compliant on any failure, could-not-evaluate on an error, else compliant.
/// Waivers that matched no finding in any model are reported as unused.
///
/// It holds no state between models: what each waiver did is recorded in the model's report
/// (`ModelReport.waiverMatches`) and `waiverReports(for:)` gathers it, so models can be evaluated concurrently.
public struct PolicyEvaluator: Sendable {
    public let policy: Policy?
    public let time: Date
    /// The policy's screening lists by id (the first of an id), as every model's rules look them up: built once.
    private let screeningLists: [String: ScreeningList]
    /// The rules that run (enforcement not `off`), in policy order, each held once for every model it judges.
    private let activeRules: [ActiveRule]
    /// The policy's waivers (none without a policy).
    private let waivers: [Waiver]
    /// The active rules' ids, each once, in the order of their strings: what ranks a finding's rule id for sorting.
    private let ruleIDsInOrder: [String]

    public init(policy: Policy?, time: Date) {
        self.policy = policy
        self.time = time
        self.screeningLists = Dictionary(
            (policy?.screeningLists ?? []).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let rules = (policy?.rules ?? []).filter { $0.header.enforcement != .off }
        let ruleIDsInOrder = Set(rules.map(\.header.id)).sorted()
        self.ruleIDsInOrder = ruleIDsInOrder
        self.activeRules = rules.map { rule in
            ActiveRule(rule, rank: PolicyEvaluator.rank(of: rule.header.id, among: ruleIDsInOrder))
        }
        self.waivers = policy?.waivers ?? []
    }

    /// The rank of rule id `id` for `Finding.sorted(_:ruleRanks:)`: `2i + 1` when it is the `i`-th of `ids` (sorted),
    /// else `2i` when the `i`-th is the first id above it. Ids outside `ids` that fall between the same two share a
    /// rank, and their strings decide.
    private static func rank(of id: String, among ids: [String]) -> Int {
        var low = 0, high = ids.count
        while low < high {
            let middle = (low + high) / 2
            if ids[middle] < id { low = middle + 1 } else { high = middle }
        }
        return low < ids.count && ids[low] == id ? 2 * low + 1 : 2 * low
    }

    /// A rule as every model's evaluation uses it: its check and what each of its findings carries, in one shared
    /// object, so evaluating a model copies no rule (a header's strings and controls, a check) per finding.
    private final class ActiveRule: Sendable {
        let id: String
        let title: String
        let severity: Severity
        let enforcement: Enforcement
        let controls: [String]
        let remediation: String?
        let check: any PolicyCheck
        /// Where its id sorts among the active rules' (`PolicyEvaluator.rank(of:among:)`).
        let rank: Int
        /// Its members of every finding, as the JSON report writes them.
        let template: FindingTemplate

        init(_ rule: PolicyRule, rank: Int) {
            self.rank = rank
            id = rule.header.id
            title = rule.header.title
            severity = rule.header.severity
            enforcement = rule.header.enforcement
            controls = rule.header.controls
            remediation = rule.header.remediation
            check = rule.check
            template = FindingTemplate(rule.info)
        }
    }

    /// Evaluates one model into its report: the integrity findings as given, then the policy's rules on the
    /// statement when its signatures verified, then waivers.
    public func evaluate(
        file: String, envelopeSHA256: String, integrity: [Finding], signatures: EnvelopeVerification,
        statement verifiedStatement: ProvenanceStatement?, custody: CustodyVerification?,
        lineage: LineageResolver.Result? = nil, signedWithoutManifest: SignedModelWithoutManifest? = nil,
        artifacts: ArtifactCheckResult? = nil
    ) -> ModelReport {
        var findings = integrity
        // Each finding's rule rank, for sorting, beside it.
        var ruleRanks = integrity.map { PolicyEvaluator.rank(of: $0.ruleID, among: ruleIDsInOrder) }
        let statement = signatures.isVerified ? verifiedStatement : nil
        if policy != nil, let statement {
            let subject = EvaluationSubject(
                file: file, envelopeSHA256: envelopeSHA256, signatures: signatures,
                statement: statement, time: time,
                screeningLists: screeningLists,
                lineage: lineage, custody: custody, artifacts: artifacts)
            // Room for what most models get (a finding or two per rule, one per party screened) at once, instead of
            // growing the array, copying every finding, a few times per model.
            findings.reserveCapacity(integrity.count + 2 * activeRules.count + subject.parties.count)
            ruleRanks.reserveCapacity(findings.capacity)
            for rule in activeRules {
                var outcomes = rule.check.evaluate(subject)
                for index in outcomes.indices {
                    append(rule, &outcomes[index], to: &findings)
                    ruleRanks.append(rule.rank)
                }
            }
        } else if let policy, let signed = signedWithoutManifest, signatures.isVerified {
            // A model signature vouches for files and a signer, nothing else: every rule's evidence is missing.
            for rule in policy.rules where rule.header.enforcement != .off {
                if let signerCheck = rule.check as? any SignerPolicyCheck {
                    for outcome in signerCheck.evaluate(signatures: signatures) {
                        findings.append(
                            finding(
                                ruleID: rule.header.id, title: rule.header.title, severity: rule.header.severity,
                                enforcement: rule.header.enforcement, controls: rule.header.controls,
                                remediation: rule.header.remediation, outcome))
                    }
                    continue
                }
                var outcome = CheckOutcome.notDeclared("the evidence rule \(rule.type) needs", at: "")
                outcome.message = "\(signed.format) signs the model's files only; the evidence rule \(rule.type) "
                    + "needs (developer, hosting, lineage, retention, audits, custody) is not declared"
                var ruleFinding = self.finding(
                    ruleID: rule.header.id, title: rule.header.title, severity: rule.header.severity,
                    enforcement: rule.header.enforcement, controls: rule.header.controls,
                    remediation: rule.header.remediation, outcome)
                if ruleFinding.status != .pass {
                    ruleFinding.remediation = "Add a provenance manifest for this model (`audit init`, then "
                        + "`audit sign` with --model-dir) and verify it beside the \(signed.format); a file signature "
                        + "alone cannot satisfy this rule."
                }
                findings.append(ruleFinding)
            }
        } else if let policy, !policy.rules.isEmpty {
            findings.append(
                Finding(
                    ruleID: "policy", title: "Policy rules", status: .notApplicable, severity: .info,
                    message: "\(policy.rules.count) policy rule(s) not evaluated: the manifest is not verified"))
        }
        // The branches other than the rules' own (rare) rank what they added by its id.
        for index in ruleRanks.count..<findings.count {
            ruleRanks.append(PolicyEvaluator.rank(of: findings[index].ruleID, among: ruleIDsInOrder))
        }
        let name = statement?.predicate.model.name ?? signedWithoutManifest?.modelName
        var matches: Set<ModelReport.WaiverMatch> = []
        // Only failures and warnings can be waived; the rest stay where they are instead of being copied.
        if !waivers.isEmpty {
            for index in findings.indices where findings[index].status == .fail || findings[index].status == .warn {
                applyWaivers(
                    to: &findings[index], modelName: name, declaredDeveloper: statement?.predicate.origin.developer,
                    signatures: signatures, envelopeSHA256: envelopeSHA256, matches: &matches)
            }
        }
        let developer = statement.map { $0.predicate.origin.developer.legalName ?? $0.predicate.origin.developer.name }
        let subjects = statement.map { verified in
            verified.subject.map { SubjectDigest(name: $0.name, digest: ["sha256": $0.digest.sha256]) }
        } ?? (signatures.isVerified ? signedWithoutManifest?.subjects : nil)
        // The findings are handed over, not shared: they are sorted in place, which a second owner of the array would
        // turn into a copy of it.
        return ModelReport(
            file: file, envelopeSHA256: envelopeSHA256, name: name, version: statement?.predicate.model.version,
            developer: developer, findingsInReportOrder: Finding.sorted(consume findings, ruleRanks: ruleRanks),
            lineage: lineage.flatMap { $0.tree.parents.isEmpty ? nil : $0.tree }, custody: custody?.hops,
            subjects: subjects, waiverMatches: matches.sorted(),
            signers: signatures.signatures.filter(\.isVerified).map(\.signer))
    }

    /// Appends the finding `outcome` becomes (as `finding(ruleID:…)` makes it), moving the outcome's strings into
    /// it: the outcome is left empty, its array about to be freed, so nothing is copied and then released.
    private func append(_ rule: ActiveRule, _ outcome: inout CheckOutcome, to findings: inout [Finding]) {
        let status = Self.status(of: outcome, under: rule.enforcement)
        let remediated = !(status == .pass || status == .notApplicable)
        // Appended first and filled where it lies: a finding built aside was copied into the array and destroyed.
        findings.append(
            Finding(
                ruleID: rule.id, title: rule.title, status: status, severity: rule.severity, message: "",
                controls: rule.controls, remediation: remediated ? rule.remediation : nil))
        let last = findings.count - 1
        findings[last].template = rule.template
        swap(&findings[last].message, &outcome.message)
        swap(&findings[last].expected, &outcome.expected)
        swap(&findings[last].observed, &outcome.observed)
        swap(&findings[last].pointer, &outcome.pointer)
        swap(&findings[last].path, &outcome.path)
        if remediated && findings[last].remediation == nil { swap(&findings[last].remediation, &outcome.remediation) }
    }

    /// The status of a rule's finding: the outcome's, except that under `warn` a failure or error is a warning.
    private static func status(of outcome: borrowing CheckOutcome, under enforcement: Enforcement) -> FindingStatus {
        switch outcome.status {
        case .pass: return .pass
        case .notApplicable: return .notApplicable
        case .fail: return enforcement == .warn ? .warn : .fail
        case .error: return enforcement == .warn ? .warn : .error
        }
    }

    /// The finding a rule's outcome becomes: under `warn` a failure or error is a warning; a finding that needs
    /// attention carries the rule's remediation, or else the outcome's.
    private func finding(
        ruleID: String, title: String, severity: Severity, enforcement: Enforcement, controls: [String],
        remediation: String?, _ outcome: consuming CheckOutcome
    ) -> Finding {
        let status = Self.status(of: outcome, under: enforcement)
        return Finding(
            ruleID: ruleID, title: title, status: status, severity: severity,
            message: outcome.message, expected: outcome.expected, observed: outcome.observed,
            pointer: outcome.pointer, controls: controls,
            remediation: status == .pass || status == .notApplicable ? nil : remediation ?? outcome.remediation,
            path: outcome.path)
    }

    /// Turns `finding` into `waived` when an unexpired waiver selects it, in place: a finding no waiver selects (most
    /// of them) is not copied.
    private func applyWaivers(
        to finding: inout Finding, modelName: String?, declaredDeveloper: LegalEntity?,
        signatures: EnvelopeVerification, envelopeSHA256: String, matches: inout Set<ModelReport.WaiverMatch>
    ) {
        guard finding.status == .fail || finding.status == .warn else { return }
        for (index, waiver) in waivers.enumerated()
        where waiver.rule == finding.ruleID
            && waiver.selects(
                name: modelName, declaredDeveloper: declaredDeveloper, signatures: signatures,
                envelopeSHA256: envelopeSHA256)
        {
            if waiver.expiryDate < time {
                matches.insert(ModelReport.WaiverMatch(waiver: index, expired: true))
                continue
            }
            matches.insert(ModelReport.WaiverMatch(waiver: index, expired: false))
            finding.status = .waived
            finding.waiver = WaiverNote(
                justification: waiver.justification, approver: waiver.approver, expires: waiver.expires)
            return
        }
    }

    /// Every waiver with what became of it across `models` (reports this evaluator made).
    public func waiverReports(for models: [ModelReport]) -> [WaiverReport] {
        guard let policy else { return [] }
        var applied: [Int: Set<String>] = [:]
        var expiredMatches: [Int: Set<String>] = [:]
        for model in models {
            for match in model.waiverMatches {
                if match.expired {
                    expiredMatches[match.waiver, default: []].insert(model.file)
                } else {
                    applied[match.waiver, default: []].insert(model.file)
                }
            }
        }
        return policy.waivers.enumerated().map { index, waiver in
            let state: WaiverReport.State
            let files: Set<String>
            if waiver.expiryDate < time {
                state = .expired
                files = expiredMatches[index] ?? []
            } else if let used = applied[index], !used.isEmpty {
                state = .applied
                files = used
            } else {
                state = .unused
                files = []
            }
            return WaiverReport(
                rule: waiver.rule, model: waiver.selector, justification: waiver.justification,
                approver: waiver.approver, expires: waiver.expires, state: state, appliedTo: Array(files))
        }
    }
}

/// A model verified through a file signature that carries no provenance (an OMS bundle), for policy evaluation.
public struct SignedModelWithoutManifest: Sendable, Equatable {
    /// What signed it, for messages: "the OMS signature".
    public let format: String
    /// The name the signature gives the model.
    public let modelName: String?
    /// What the signature's statement names, with digests.
    public let subjects: [SubjectDigest]?

    public init(format: String, modelName: String?, subjects: [SubjectDigest]? = nil) {
        self.format = format
        self.modelName = modelName
        self.subjects = subjects
    }
}
