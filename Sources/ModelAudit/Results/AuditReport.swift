import Foundation

/// A model's overall result.
public enum Verdict: String, Sendable, Codable, Comparable {
    case compliant
    case nonCompliant = "non-compliant"
    /// Some enforced check could not be evaluated, and none failed outright.
    case couldNotEvaluate = "could-not-evaluate"

    private var rank: Int {
        switch self {
        case .nonCompliant: return 0
        case .couldNotEvaluate: return 1
        case .compliant: return 2
        }
    }

    public static func < (lhs: Verdict, rhs: Verdict) -> Bool { lhs.rank < rhs.rank }
}

/// How a run treats failures: `enforce` gates (exit 1), `audit` reports everything and exits 0.
public enum PolicyMode: String, Sendable, Codable, CaseIterable {
    case enforce
    case audit
}

/// Everything one run established, for every renderer: the models, their findings and how to reproduce them.
///
/// Encoded as JSON with sorted keys it is byte-identical for identical inputs and evaluation time
/// (`schemas/report.schema.json`).
public struct AuditReport: Sendable, Codable, Equatable {
    /// The version of the report's JSON format this tool writes. It changes only when a member is removed, renamed
    /// or changes meaning, so a reader can refuse a format it does not know instead of misreading it.
    public static let currentFormatVersion = 1

    /// The report's JSON format version (`currentFormatVersion` when written by this tool).
    public var formatVersion: Int
    public var tool: ToolInfo
    public var evaluatedAt: String
    public var mode: PolicyMode
    public var policy: PolicyInfo?
    public var trustStore: TrustStoreInfo
    public var screeningLists: [InputFileInfo]
    public var models: [ModelReport]
    public var waivers: [WaiverReport]
    public var summary: ReportSummary
    /// The policy's rules (their title, severity, controls and remediation), so a rule keeps its remediation in
    /// the rule tables of reports even where every model passed it. Not part of the JSON, whose findings carry the
    /// remediation of every failure.
    public var policyRules: [RuleInfo] = []

    enum CodingKeys: String, CodingKey {
        case formatVersion, tool, evaluatedAt, mode, policy, trustStore, screeningLists, models, waivers, summary
    }

    public init(
        evaluatedAt: Date, mode: PolicyMode, policy: PolicyInfo?, trustStore: TrustStoreInfo,
        screeningLists: [InputFileInfo], models: [ModelReport], waivers: [WaiverReport]
    ) {
        self.formatVersion = Self.currentFormatVersion
        self.tool = ToolInfo()
        self.evaluatedAt = RFC3339.format(evaluatedAt)
        self.mode = mode
        self.policy = policy
        self.trustStore = trustStore
        self.screeningLists = screeningLists.sorted { $0.id < $1.id }
        self.models = models.sorted { ($0.file, $0.name ?? "") < ($1.file, $1.name ?? "") }
        self.waivers = waivers.sorted { ($0.rule, $0.model, $0.expires) < ($1.rule, $1.model, $1.expires) }
        self.summary = ReportSummary(models: self.models)
    }

    /// Reads a report written by this tool or an earlier one. A report from before `formatVersion` existed is
    /// version 1; a newer version than this tool knows is refused, never misread.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        formatVersion = try container.decodeIfPresent(Int.self, forKey: .formatVersion) ?? 1
        guard (1...Self.currentFormatVersion).contains(formatVersion) else {
            throw DecodingError.dataCorruptedError(
                forKey: .formatVersion, in: container,
                debugDescription: "report format version \(formatVersion) is newer than this tool reads "
                    + "(\(Self.currentFormatVersion)); use a newer audit")
        }
        tool = try container.decode(ToolInfo.self, forKey: .tool)
        evaluatedAt = try container.decode(String.self, forKey: .evaluatedAt)
        mode = try container.decode(PolicyMode.self, forKey: .mode)
        policy = try container.decodeIfPresent(PolicyInfo.self, forKey: .policy)
        trustStore = try container.decode(TrustStoreInfo.self, forKey: .trustStore)
        screeningLists = try container.decode([InputFileInfo].self, forKey: .screeningLists)
        models = try container.decode([ModelReport].self, forKey: .models)
        waivers = try container.decode([WaiverReport].self, forKey: .waivers)
        summary = try container.decode(ReportSummary.self, forKey: .summary)
    }

    /// The run's verdict: the worst model verdict.
    public var verdict: Verdict { models.map(\.verdict).min() ?? .compliant }

    /// Every distinct rule that produced a finding, sorted by id (for SARIF rule tables and coverage matrices).
    ///
    /// A rule's remediation is the policy's (`policyRules`) when the report has it, else the first finding of the
    /// rule that carries one: passes carry none, so the first finding alone would usually lose it.
    public var rules: [RuleInfo] {
        var byID: [String: RuleInfo] = [:]
        for finding in models.flatMap(\.findings) {
            if let known = byID[finding.ruleID] {
                if known.remediation == nil, let remediation = finding.remediation {
                    byID[finding.ruleID]?.remediation = remediation
                }
                continue
            }
            byID[finding.ruleID] = RuleInfo(
                id: finding.ruleID, title: finding.title, severity: finding.severity, controls: finding.controls,
                remediation: finding.remediation)
        }
        for rule in policyRules where byID[rule.id] != nil {
            if let remediation = rule.remediation { byID[rule.id]?.remediation = remediation }
        }
        return byID.values.sorted { $0.id < $1.id }
    }

    /// How many models' files were not checked because no model directory was given: their file-integrity finding is
    /// not applicable. A model whose signatures failed has no such finding (its files were never reached).
    public var modelsWithUncheckedFiles: Int {
        models.filter(\.filesNotChecked).count
    }
}

/// The tool that produced a report.
public struct ToolInfo: Sendable, Codable, Equatable {
    public var name = "model-audit"
    public var version = ModelAuditVersion.current
    public var informationURI = "https://model-audit.dev"
}

/// A file a report depends on, by digest, so the run can be reproduced.
public struct InputFileInfo: Sendable, Codable, Equatable {
    public var id: String
    public var file: String
    public var sha256: String

    public init(id: String, file: String, sha256: String) {
        self.id = id
        self.file = file
        self.sha256 = sha256
    }
}

/// The policy a report was evaluated against.
public struct PolicyInfo: Sendable, Codable, Equatable {
    public var name: String
    public var file: String
    public var sha256: String
    /// The policy file and every file it extends, outermost first.
    public var sources: [InputFileInfo]

    public init(name: String, file: String, sha256: String, sources: [InputFileInfo]) {
        self.name = name
        self.file = file
        self.sha256 = sha256
        self.sources = sources
    }
}

/// The trust store a report was evaluated against.
public struct TrustStoreInfo: Sendable, Codable, Equatable {
    public var directory: String
    /// SHA-256 of `trust.json`.
    public var sha256: String
    public var keys: [String]
    /// Who owns each key and what it may sign for, as `trust.json` says, sorted by key id. Not part of the JSON
    /// report (its schema lists key ids only); the HTML report shows it so a reader sees whose keys were trusted.
    public var entries: [TrustStoreEntry]

    enum CodingKeys: String, CodingKey {
        case directory, sha256, keys
    }

    public init(directory: String, sha256: String, keys: [String], entries: [TrustStoreEntry] = []) {
        self.directory = directory
        self.sha256 = sha256
        self.keys = keys.sorted()
        self.entries = entries.sorted { $0.keyID < $1.keyID }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            directory: try container.decode(String.self, forKey: .directory),
            sha256: try container.decode(String.self, forKey: .sha256),
            keys: try container.decode([String].self, forKey: .keys))
    }
}

/// One key of a trust store as reports describe it: its owner, roles and validity.
public struct TrustStoreEntry: Sendable, Equatable {
    public var keyID: String
    /// The PEM file's name inside the trust directory.
    public var file: String
    public var owner: String
    public var roles: [String]
    /// RFC 3339 times from `trust.json`, when it bounds the key's validity.
    public var notBefore: String?
    public var notAfter: String?
    public var revoked: Bool

    public init(
        keyID: String, file: String, owner: String, roles: [String], notBefore: String? = nil,
        notAfter: String? = nil, revoked: Bool = false
    ) {
        self.keyID = keyID
        self.file = file
        self.owner = owner
        self.roles = roles
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.revoked = revoked
    }
}

/// One rule as renderers describe it.
public struct RuleInfo: Sendable, Codable, Equatable {
    public var id: String
    public var title: String
    public var severity: Severity
    public var controls: [String]
    public var remediation: String?

    public init(id: String, title: String, severity: Severity, controls: [String], remediation: String?) {
        self.id = id
        self.title = title
        self.severity = severity
        self.controls = controls
        self.remediation = remediation
    }
}

/// One model's result.
public struct ModelReport: Sendable, Codable, Equatable {
    /// The envelope file, as given on the command line.
    public var file: String
    /// SHA-256 of the envelope file's bytes: how lineage and waivers refer to this manifest.
    public var envelopeSHA256: String
    public var name: String?
    public var version: String?
    public var developer: String?
    public var verdict: Verdict
    public var findings: [Finding]
    /// The ancestry, when lineage was followed.
    public var lineage: LineageNode?
    /// The chain of custody, when a custody bundle was checked.
    public var custody: [CustodyHop]?
    /// What the verified signature vouches for: the files (or, for an OMS bundle, the model's root digest) its
    /// statement names, with their digests. Absent when no signature verified.
    public var subjects: [SubjectDigest]?
    /// Who signed, one entry per verified signature, when any verified.
    public var signers: [SignerIdentity]?
    /// Which of the policy's waivers (by index) matched a finding of this model, applied or expired. Not part of the
    /// JSON: the report's `waivers` section says the same across the fleet.
    public var waiverMatches: [WaiverMatch] = []
    /// Where the envelope file's parts are, by line, so code-scanning results can point at them. Not part of the
    /// JSON; `nil` when the file was not a DSSE envelope or was not read.
    public var sourceLines: EnvelopeSourceLines?

    /// A waiver of the policy (its index) that matched one of the model's findings.
    public struct WaiverMatch: Sendable, Hashable, Comparable {
        public var waiver: Int
        /// The waiver had expired, so the finding stands.
        public var expired: Bool

        public init(waiver: Int, expired: Bool) {
            self.waiver = waiver
            self.expired = expired
        }

        public static func < (lhs: WaiverMatch, rhs: WaiverMatch) -> Bool {
            (lhs.waiver, lhs.expired ? 1 : 0) < (rhs.waiver, rhs.expired ? 1 : 0)
        }
    }

    enum CodingKeys: String, CodingKey {
        case file, envelopeSHA256, name, version, developer, verdict, findings, lineage, custody, subjects, signers
    }

    public init(
        file: String, envelopeSHA256: String, name: String?, version: String?, developer: String?,
        findings: consuming [Finding], lineage: LineageNode? = nil, custody: [CustodyHop]? = nil,
        subjects: [SubjectDigest]? = nil, waiverMatches: [WaiverMatch] = [], signers: [SignerIdentity] = []
    ) {
        self.init(
            file: file, envelopeSHA256: envelopeSHA256, name: name, version: version, developer: developer,
            findingsInReportOrder: Finding.sorted(consume findings), lineage: lineage, custody: custody,
            subjects: subjects, waiverMatches: waiverMatches, signers: signers)
    }

    /// A model's report from findings already in report order (`Finding.sorted`), as the evaluator sorts them.
    init(
        file: String, envelopeSHA256: String, name: String?, version: String?, developer: String?,
        findingsInReportOrder findings: consuming [Finding], lineage: LineageNode?, custody: [CustodyHop]?,
        subjects: [SubjectDigest]?, waiverMatches: [WaiverMatch], signers: [SignerIdentity]
    ) {
        self.subjects = subjects
        self.signers = signers.isEmpty ? nil : signers
        self.waiverMatches = waiverMatches
        self.file = file
        self.envelopeSHA256 = envelopeSHA256
        self.name = name
        self.version = version
        self.developer = developer
        self.findings = consume findings
        self.lineage = lineage
        self.custody = custody
        self.verdict = ModelReport.verdict(of: self.findings)
    }

    /// Non-compliant when any finding failed; could-not-evaluate when one errored and none failed.
    public static func verdict(of findings: [Finding]) -> Verdict {
        if findings.contains(where: { $0.status == .fail }) { return .nonCompliant }
        if findings.contains(where: { $0.status == .error }) { return .couldNotEvaluate }
        return .compliant
    }

    /// The id of the built-in check that the model's files match the manifest (`IntegrityChecks.artifactsRule`).
    public static let fileIntegrityRule = "integrity.artifacts"

    /// The model's files were not checked: no model directory was given (the file-integrity finding is not
    /// applicable).
    public var filesNotChecked: Bool {
        findings.contains { $0.ruleID == Self.fileIntegrityRule && $0.status == .notApplicable }
    }

    /// A display name: `name version`, or the file.
    public var displayName: String {
        guard let name else { return file }
        return version.map { "\(name) \($0)" } ?? name
    }
}

/// A node of a model's ancestry as reports draw it.
public struct LineageNode: Sendable, Codable, Equatable {
    public var name: String
    public var relation: String?
    public var manifestSHA256: String?
    /// `verified`, `unsigned`, `missing`, `mismatch`, `untrusted`, `invalid`, `cycle`, `too-deep`, `not-resolved`
    /// (see `LineageResolver.Link.Status`).
    public var status: String
    public var developer: String?
    public var parents: [LineageNode]
    /// `true` when the same manifest appears earlier in the tree (depth first): its parents are listed there only.
    public var repeated: Bool?

    public init(
        name: String, relation: String?, manifestSHA256: String?, status: String, developer: String?,
        parents: [LineageNode], repeated: Bool? = nil
    ) {
        self.name = name
        self.relation = relation
        self.manifestSHA256 = manifestSHA256
        self.status = status
        self.developer = developer
        self.parents = parents
        self.repeated = repeated
    }
}

/// One hop of a chain of custody as reports draw it.
public struct CustodyHop: Sendable, Codable, Equatable {
    public var index: Int
    public var action: String
    public var actor: String
    public var country: String
    public var time: String
    /// `verified` or what is wrong with the hop.
    public var status: String

    public init(index: Int, action: String, actor: String, country: String, time: String, status: String) {
        self.index = index
        self.action = action
        self.actor = actor
        self.country = country
        self.time = time
        self.status = status
    }
}

/// A waiver and what became of it in this run.
public struct WaiverReport: Sendable, Codable, Equatable {
    public enum State: String, Sendable, Codable {
        case applied
        case expired
        case unused
    }
    public var rule: String
    /// The model selector as written (name and/or digest).
    public var model: String
    public var justification: String
    public var approver: String
    public var expires: String
    public var state: State
    /// Models the waiver applied to (or would have, if expired).
    public var appliedTo: [String]

    public init(
        rule: String, model: String, justification: String, approver: String, expires: String, state: State,
        appliedTo: [String]
    ) {
        self.rule = rule
        self.model = model
        self.justification = justification
        self.approver = approver
        self.expires = expires
        self.state = state
        self.appliedTo = appliedTo.sorted()
    }
}

/// Counts over a report.
public struct ReportSummary: Sendable, Codable, Equatable {
    public var models: Int
    public var compliant: Int
    public var nonCompliant: Int
    public var couldNotEvaluate: Int
    /// Findings per status, every status present (zero when none).
    public var findings: [String: Int]

    public init(models: [ModelReport]) {
        self.models = models.count
        self.compliant = models.filter { $0.verdict == .compliant }.count
        self.nonCompliant = models.filter { $0.verdict == .nonCompliant }.count
        self.couldNotEvaluate = models.filter { $0.verdict == .couldNotEvaluate }.count
        var counts: [String: Int] = [:]
        for status in FindingStatus.allCases { counts[status.rawValue] = 0 }
        for finding in models.flatMap(\.findings) { counts[finding.status.rawValue, default: 0] += 1 }
        self.findings = counts
    }
}

/// One subject of a verified statement: a name and its digests, as the signed statement gives them.
public struct SubjectDigest: Sendable, Codable, Equatable {
    /// The file's path inside the model directory, or the model's name for a whole-model digest.
    public var name: String
    /// Algorithm name (`sha256`…) → lower-case hex digest.
    public var digest: [String: String]

    public init(name: String, digest: [String: String]) {
        self.name = name
        self.digest = digest
    }
}
