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
    public var tool: ToolInfo
    public var evaluatedAt: String
    public var mode: PolicyMode
    public var policy: PolicyInfo?
    public var trustStore: TrustStoreInfo
    public var screeningLists: [InputFileInfo]
    public var models: [ModelReport]
    public var waivers: [WaiverReport]
    public var summary: ReportSummary

    public init(
        evaluatedAt: Date, mode: PolicyMode, policy: PolicyInfo?, trustStore: TrustStoreInfo,
        screeningLists: [InputFileInfo], models: [ModelReport], waivers: [WaiverReport]
    ) {
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

    /// The run's verdict: the worst model verdict.
    public var verdict: Verdict { models.map(\.verdict).min() ?? .compliant }

    /// Every distinct rule that produced a finding, sorted by id (for SARIF rule tables and coverage matrices).
    public var rules: [RuleInfo] {
        var byID: [String: RuleInfo] = [:]
        for finding in models.flatMap(\.findings) where byID[finding.ruleID] == nil {
            byID[finding.ruleID] = RuleInfo(
                id: finding.ruleID, title: finding.title, severity: finding.severity, controls: finding.controls,
                remediation: finding.remediation)
        }
        return byID.values.sorted { $0.id < $1.id }
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

    public init(directory: String, sha256: String, keys: [String]) {
        self.directory = directory
        self.sha256 = sha256
        self.keys = keys.sorted()
    }
}

/// One rule as renderers describe it.
public struct RuleInfo: Sendable, Codable, Equatable {
    public var id: String
    public var title: String
    public var severity: Severity
    public var controls: [String]
    public var remediation: String?
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
    /// Which of the policy's waivers (by index) matched a finding of this model, applied or expired. Not part of the
    /// JSON: the report's `waivers` section says the same across the fleet.
    public var waiverMatches: [WaiverMatch] = []

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
        case file, envelopeSHA256, name, version, developer, verdict, findings, lineage, custody, subjects
    }

    public init(
        file: String, envelopeSHA256: String, name: String?, version: String?, developer: String?,
        findings: [Finding], lineage: LineageNode? = nil, custody: [CustodyHop]? = nil,
        subjects: [SubjectDigest]? = nil, waiverMatches: [WaiverMatch] = []
    ) {
        self.subjects = subjects
        self.waiverMatches = waiverMatches
        self.file = file
        self.envelopeSHA256 = envelopeSHA256
        self.name = name
        self.version = version
        self.developer = developer
        self.findings = Finding.sorted(findings)
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
