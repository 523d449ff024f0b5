import Foundation
import ModelAudit

/// One decision `audit` made about one model, as the ledger records it: what was decided, under which policy and
/// trust store, from which manifest, where and when.
///
/// The record's content is this value as canonical JSON (sorted keys, no spaces); the chain hash covers those exact
/// bytes, so a field added in a later version changes no earlier record.
public struct LedgerDecision: Sendable, Codable, Equatable {
    /// When the writer appended the decision (UTC, milliseconds), set just before it waits for the chain's lock: of
    /// two writers appending within the same instant, the one recorded later in the chain may show the earlier time.
    public var recordedAt: String
    /// The command that made the decision: `audit verify`, `audit report` or `audit ledger append`.
    public var origin: String
    public var tool: Tool
    /// The evaluation time of the run (`--at`, or when it ran).
    public var evaluatedAt: String
    public var mode: PolicyMode
    /// The envelope file as it was given on the command line.
    public var file: String
    public var model: String?
    public var version: String?
    public var developer: String?
    public var envelopeSHA256: String
    /// The files (or OMS root digest) the verified signature vouches for, with their digests; absent when no
    /// signature verified.
    public var subjects: [SubjectDigest]?
    public var policy: PolicyReference?
    public var trustStoreSHA256: String
    public var trustedKeys: [String]
    public var verdict: Verdict
    /// Findings per status, every status present.
    public var counts: [String: Int]
    /// The findings exactly as `--format json` reports them.
    public var findings: [Finding]
    /// The policy's waivers that matched one of this model's findings, applied or expired.
    public var waivers: [WaiverReport]
    public var context: RunContext

    /// The tool that made the decision.
    public struct Tool: Sendable, Codable, Equatable {
        public var name: String
        public var version: String
    }

    /// The policy a decision was made under, by name and by digest.
    public struct PolicyReference: Sendable, Codable, Equatable {
        public var name: String
        public var sha256: String
    }

    /// Where the decision was made: the host and, in a CI job, the pipeline that ran it.
    public struct RunContext: Sendable, Codable, Equatable {
        public var host: String
        /// CI variables that identify the pipeline (never tokens): GitHub Actions and GitLab CI.
        public var ci: [String: String]

        public init(host: String, ci: [String: String]) {
            self.host = host
            self.ci = ci
        }

        /// The variables worth keeping from a CI environment: which repository, commit, pipeline and actor.
        public static let ciVariables = [
            "GITHUB_ACTIONS", "GITHUB_REPOSITORY", "GITHUB_SHA", "GITHUB_REF", "GITHUB_RUN_ID", "GITHUB_RUN_ATTEMPT",
            "GITHUB_WORKFLOW", "GITHUB_JOB", "GITHUB_ACTOR", "GITHUB_SERVER_URL",
            "GITLAB_CI", "CI_PROJECT_PATH", "CI_COMMIT_SHA", "CI_COMMIT_REF_NAME", "CI_PIPELINE_ID", "CI_JOB_ID",
            "CI_JOB_URL", "CI_SERVER_URL", "GITLAB_USER_LOGIN",
        ]

        /// The context of this process: its host name and the CI variables found in `environment`.
        public static func current(
            environment: [String: String] = ProcessInfo.processInfo.environment,
            host: String = RunContext.hostName()
        ) -> RunContext {
            var ci: [String: String] = [:]
            for name in ciVariables {
                if let value = environment[name], !value.isEmpty { ci[name] = String(value.prefix(512)) }
            }
            return RunContext(host: host, ci: ci)
        }

        /// The machine's own name from gethostname(2): no DNS lookup, which could stall a run on a machine without
        /// a resolver (Foundation's `hostName` resolves it).
        public static func hostName() -> String {
            var buffer = [CChar](repeating: 0, count: 256)
            guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown" }
            let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// One decision per model of `report`; `recordedAt` is left empty for the ledger to set.
    public static func decisions(from report: AuditReport, origin: String, context: RunContext) -> [LedgerDecision] {
        report.models.map { model in
            var counts: [String: Int] = [:]
            for status in FindingStatus.allCases { counts[status.rawValue] = 0 }
            for finding in model.findings { counts[finding.status.rawValue, default: 0] += 1 }
            let names: Set<String> = [model.displayName, model.file, model.name ?? model.file, model.envelopeSHA256]
            let waivers = report.waivers.filter { waiver in
                waiver.state != .unused && waiver.appliedTo.contains { names.contains($0) }
            }
            return LedgerDecision(
                recordedAt: "", origin: origin, tool: Tool(name: report.tool.name, version: report.tool.version),
                evaluatedAt: report.evaluatedAt, mode: report.mode, file: model.file, model: model.name,
                version: model.version, developer: model.developer, envelopeSHA256: model.envelopeSHA256,
                subjects: model.subjects,
                policy: report.policy.map { PolicyReference(name: $0.name, sha256: $0.sha256) },
                trustStoreSHA256: report.trustStore.sha256, trustedKeys: report.trustStore.keys,
                verdict: model.verdict, counts: counts, findings: model.findings, waivers: waivers,
                context: context)
        }
    }

    /// The model's display name: `name version`, or the file when the manifest could not be read.
    public var displayName: String { Self.displayName(model: model, version: version, file: file) }

    /// `name version`, `name` without a version, or the file when the manifest could not be read.
    static func displayName(model: String?, version: String?, file: String) -> String {
        guard let model else { return file }
        return version.map { "\(model) \($0)" } ?? model
    }
}
