import AuditCrypto
import Foundation

/// SARIF 2.1.0 for code-scanning tools (GitHub code scanning, Azure DevOps, SARIF viewers): one run, one rule per
/// policy rule, one result per finding that needs attention.
///
/// Levels:
/// - a rule's `defaultConfiguration.level` follows its severity: critical/high → `error`, medium/low → `warning`,
///   info → `note`;
/// - `fail` (an enforced failure) → `error`, `error` (could not evaluate) → `error`, `warn` → `warning`;
/// - `waived` → the rule's default level, with an accepted external suppression carrying the waiver's
///   justification, approver and expiry, so code scanning shows it as dismissed rather than open;
/// - `pass` and `not-applicable` are not results.
///
/// Every result has a physical location in the model's envelope file: the line of the signature a finding names
/// (`/signatures/N`), of the `signatures` member, or of the signed `payload` for a finding about the statement —
/// its pointer leads into the base64 payload, which has no lines of its own, so the payload's line is as close as
/// the file allows (`EnvelopeSourceLines`); line 1 when the lines are not known (a report read back from JSON, an
/// OpenSSF bundle, a custody record). When the finding has a pointer, a logical location's fully qualified name is
/// the RFC 6901 pointer into the in-toto statement. `partialFingerprints` hash the rule, file and pointer so an
/// alert keeps its identity across runs.
///
/// Every rule in the run's rule table carries the policy's remediation as its help, whether or not a model failed
/// it (`AuditReport.rules`).
public struct SARIFReportRenderer: ReportRenderer {
    public static let format = ReportFormat.sarif
    /// The official schema location; code-scanning services key on it.
    public static let schemaURI = "https://json.schemastore.org/sarif-2.1.0.json"
    /// Prefixed to relative model paths (e.g. the directory the audit ran in, relative to the repository root).
    public var artifactBase: String?

    public init(artifactBase: String? = nil) {
        self.artifactBase = artifactBase
    }

    public func render(_ report: AuditReport) throws -> [UInt8] {
        try ReportJSON.encode(try log(report))
    }

    /// The SARIF log as values, for callers that post-process it.
    public func log(_ report: AuditReport) throws -> SARIFLog {
        let rules = report.rules
        var ruleIndex: [String: Int] = [:]
        for (index, rule) in rules.enumerated() { ruleIndex[rule.id] = index }

        var results: [SARIFLog.Result] = []
        var occurrences: [String: Int] = [:]
        for model in report.models {
            let uri = Self.uri(for: model.file, base: artifactBase)
            for finding in model.findings {
                guard let level = Self.level(of: finding) else { continue }
                let identity = [finding.ruleID, model.file, finding.pointer ?? ""].joined(separator: "\u{0}")
                let hash = try Digests.sha256Hex(Array(identity.utf8))
                occurrences[hash, default: 0] += 1
                results.append(
                    SARIFLog.Result(
                        ruleId: finding.ruleID,
                        ruleIndex: ruleIndex[finding.ruleID] ?? 0,
                        level: level,
                        message: .init(text: Self.message(finding, model: model)),
                        locations: [
                            SARIFLog.Location(
                                physicalLocation: .init(
                                    artifactLocation: .init(uri: uri),
                                    region: .init(startLine: model.sourceLines?.line(for: finding.pointer) ?? 1)),
                                logicalLocations: finding.pointer.map {
                                    [SARIFLog.LogicalLocation(fullyQualifiedName: $0, kind: "member")]
                                })
                        ],
                        partialFingerprints: ["modelAuditFinding/v1": "\(hash):\(occurrences[hash] ?? 1)"],
                        suppressions: finding.waiver.map {
                            [
                                SARIFLog.Suppression(
                                    kind: "external", status: "accepted", justification: $0.justification,
                                    properties: .init(approver: $0.approver, expires: $0.expires))
                            ]
                        },
                        properties: .init(
                            model: model.displayName, modelFile: model.file, verdict: model.verdict.rawValue,
                            status: finding.status.rawValue, severity: finding.severity.rawValue,
                            controls: finding.controls.isEmpty ? nil : finding.controls, signers: model.signers)))
            }
        }

        let driver = SARIFLog.Driver(
            name: report.tool.name, version: report.tool.version, semanticVersion: report.tool.version,
            informationUri: report.tool.informationURI, rules: rules.map(Self.descriptor))
        let properties = SARIFLog.RunProperties(
            mode: report.mode.rawValue, verdict: report.verdict.rawValue, policy: report.policy?.name,
            policyFile: report.policy?.file, policySHA256: report.policy?.sha256,
            trustStoreSHA256: report.trustStore.sha256,
            signers: Self.signers(report))
        let run = SARIFLog.Run(
            tool: .init(driver: driver),
            invocations: [.init(executionSuccessful: true, endTimeUtc: report.evaluatedAt)],
            results: results, properties: properties)
        return SARIFLog(schema: Self.schemaURI, version: "2.1.0", runs: [run])
    }

    // MARK: - Mapping

    /// Who signed each model that has a verified signature, in report order; `nil` when none has.
    static func signers(_ report: AuditReport) -> [SARIFLog.ModelSigners]? {
        let signed = report.models.compactMap { model in
            model.signers.map { SARIFLog.ModelSigners(modelFile: model.file, signers: $0) }
        }
        return signed.isEmpty ? nil : signed
    }

    /// The result level for a finding, or `nil` when the finding is not reported (pass, not-applicable).
    static func level(of finding: Finding) -> String? {
        switch finding.status {
        case .fail, .error: return "error"
        case .warn: return "warning"
        case .waived: return level(of: finding.severity)
        case .pass, .notApplicable: return nil
        }
    }

    /// A rule's default level.
    static func level(of severity: Severity) -> String {
        switch severity {
        case .critical, .high: return "error"
        case .medium, .low: return "warning"
        case .info: return "note"
        }
    }

    /// GitHub code scanning's numeric `security-severity` (CVSS-like bands: ≥9 critical, ≥7 high, ≥4 medium).
    static func securitySeverity(_ severity: Severity) -> String {
        switch severity {
        case .critical: return "9.5"
        case .high: return "8.0"
        case .medium: return "5.5"
        case .low: return "2.0"
        case .info: return "0.0"
        }
    }

    /// The result's message: hidden characters from input shown as escapes, as a code-scanning view displays text.
    static func message(_ finding: Finding, model: ModelReport) -> String {
        var text = "\(model.displayName): \(finding.message)"
        var details: [String] = []
        if let expected = finding.expected { details.append("expected: \(expected)") }
        if let observed = finding.observed { details.append("observed: \(observed)") }
        if !details.isEmpty { text += " (\(details.joined(separator: "; ")))" }
        return VisibleEscape.apply(text, keep: { $0 == "\n" })
    }

    static func descriptor(_ rule: RuleInfo) -> SARIFLog.ReportingDescriptor {
        var help = rule.remediation ?? "No remediation is given for this rule."
        var markdown = rule.remediation.map { "**Remediation:** \(MarkdownText.inline($0))" }
            ?? "_No remediation is given for this rule._"
        if !rule.controls.isEmpty {
            help += "\nControls: " + rule.controls.joined(separator: ", ")
            markdown += "\n\n**Controls:** " + rule.controls.map(MarkdownText.code).joined(separator: ", ")
        }
        var full = "\(rule.title) (severity \(rule.severity.rawValue)"
        if !rule.controls.isEmpty { full += "; controls \(rule.controls.joined(separator: ", "))" }
        full += ")."
        return SARIFLog.ReportingDescriptor(
            id: rule.id, name: pascalCase(rule.id), shortDescription: .init(text: rule.title),
            fullDescription: .init(text: full), help: .init(text: help, markdown: markdown),
            defaultConfiguration: .init(level: level(of: rule.severity)),
            properties: .init(
                controls: rule.controls, severity: rule.severity.rawValue,
                securitySeverity: securitySeverity(rule.severity), tags: ["compliance", "security"]))
    }

    /// `screening.denied-parties` → `ScreeningDeniedParties`: SARIF's `name` is an identifier-like form of the id.
    static func pascalCase(_ id: String) -> String {
        id.split(whereSeparator: { !($0.isLetter || $0.isNumber) })
            .map { $0.prefix(1).uppercased() + $0.dropFirst() }
            .joined()
    }

    /// The model's file as a relative URI reference: `./` dropped, joined to `base` when given, and every byte
    /// outside RFC 3986's unreserved set and `/` percent-encoded (a `:` in a relative path would read as a scheme).
    static func uri(for file: String, base: String?) -> String {
        var path = file
        while path.hasPrefix("./") { path.removeFirst(2) }
        if let base, !base.isEmpty, !path.hasPrefix("/") {
            var prefix = base
            while prefix.hasPrefix("./") { prefix.removeFirst(2) }
            if prefix == "." { prefix = "" }
            if !prefix.isEmpty { path = prefix.hasSuffix("/") ? prefix + path : prefix + "/" + path }
        }
        var encoded = ""
        for byte in path.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"), UInt8(ascii: "/"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                encoded += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return encoded
    }
}

/// A SARIF 2.1.0 log: only the parts this tool writes, as `Codable` values.
public struct SARIFLog: Sendable, Codable, Equatable {
    public var schema: String
    public var version: String
    public var runs: [Run]

    enum CodingKeys: String, CodingKey {
        case schema = "$schema"
        case version
        case runs
    }

    /// One invocation of the tool.
    public struct Run: Sendable, Codable, Equatable {
        public var tool: Tool
        public var invocations: [Invocation]
        public var results: [Result]
        public var properties: RunProperties
    }

    /// The tool that produced the run.
    public struct Tool: Sendable, Codable, Equatable {
        public var driver: Driver
    }

    /// The tool's name, version and rule table.
    public struct Driver: Sendable, Codable, Equatable {
        public var name: String
        public var version: String
        public var semanticVersion: String
        public var informationUri: String
        public var rules: [ReportingDescriptor]
    }

    /// When the run ended and whether it ran to completion.
    public struct Invocation: Sendable, Codable, Equatable {
        public var executionSuccessful: Bool
        public var endTimeUtc: String
    }

    /// The run's verdict and the inputs that decided it.
    public struct RunProperties: Sendable, Codable, Equatable {
        public var mode: String
        public var verdict: String
        public var policy: String?
        public var policyFile: String?
        public var policySHA256: String?
        public var trustStoreSHA256: String
        public var signers: [ModelSigners]?
    }

    /// The verified signers of one model (`ModelReport.signers`).
    public struct ModelSigners: Sendable, Codable, Equatable {
        public var modelFile: String
        public var signers: [SignerIdentity]
    }

    /// One rule.
    public struct ReportingDescriptor: Sendable, Codable, Equatable {
        public var id: String
        public var name: String
        public var shortDescription: Message
        public var fullDescription: Message
        public var help: Help
        public var defaultConfiguration: Configuration
        public var properties: RuleProperties
    }

    /// Plain text (SARIF `message` / `multiformatMessageString` without markdown).
    public struct Message: Sendable, Codable, Equatable {
        public var text: String
    }

    /// A rule's help in plain text and GitHub-flavoured Markdown.
    public struct Help: Sendable, Codable, Equatable {
        public var text: String
        public var markdown: String
    }

    /// A rule's default level.
    public struct Configuration: Sendable, Codable, Equatable {
        public var level: String
    }

    /// What a rule supports and how much it matters.
    public struct RuleProperties: Sendable, Codable, Equatable {
        public var controls: [String]
        public var severity: String
        public var securitySeverity: String
        public var tags: [String]

        enum CodingKeys: String, CodingKey {
            case controls
            case severity
            case securitySeverity = "security-severity"
            case tags
        }
    }

    /// One finding.
    public struct Result: Sendable, Codable, Equatable {
        public var ruleId: String
        public var ruleIndex: Int
        public var level: String
        public var message: Message
        public var locations: [Location]
        public var partialFingerprints: [String: String]
        public var suppressions: [Suppression]?
        public var properties: ResultProperties
    }

    /// Where a finding is: the envelope file and, when known, the pointer into its statement.
    public struct Location: Sendable, Codable, Equatable {
        public var physicalLocation: PhysicalLocation
        public var logicalLocations: [LogicalLocation]?
    }

    /// A file and a region in it.
    public struct PhysicalLocation: Sendable, Codable, Equatable {
        public var artifactLocation: ArtifactLocation
        public var region: Region
    }

    /// A file by URI reference.
    public struct ArtifactLocation: Sendable, Codable, Equatable {
        public var uri: String
    }

    /// A line range.
    public struct Region: Sendable, Codable, Equatable {
        public var startLine: Int
    }

    /// A JSON pointer as a SARIF logical location.
    public struct LogicalLocation: Sendable, Codable, Equatable {
        public var fullyQualifiedName: String
        public var kind: String
    }

    /// A waiver, as SARIF says "reviewed and accepted elsewhere".
    public struct Suppression: Sendable, Codable, Equatable {
        public var kind: String
        public var status: String
        public var justification: String
        public var properties: SuppressionProperties
    }

    /// Who approved a waiver and until when.
    public struct SuppressionProperties: Sendable, Codable, Equatable {
        public var approver: String
        public var expires: String
    }

    /// The model a result belongs to, its verdict and the finding's own status.
    public struct ResultProperties: Sendable, Codable, Equatable {
        public var model: String
        public var modelFile: String
        public var verdict: String
        public var status: String
        public var severity: String
        public var controls: [String]?
        /// Who signed the model the result belongs to.
        public var signers: [SignerIdentity]?
    }
}

extension String {
    fileprivate func leftPadded(to length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}
