import Foundation

/// GitHub Actions workflow commands: one annotation per finding that needs attention, on the model's envelope file,
/// and a `::notice` naming each signer identified by a certificate (keyless identity and Rekor entry, or subject).
///
/// `fail` and `error` are `::error`, `warn` is `::warning`, `waived` is `::notice`; passes and not-applicable
/// findings are not annotated. Every value from input is escaped as the runner expects (`GitHubCommandText`:
/// `%` → `%25`, CR → `%0D`, LF → `%0A`, and in properties also `:` → `%3A`, `,` → `%2C`), so no manifest string can
/// end a command early or start a new one. The job summary is `summaryMarkdown(_:)`, for `$GITHUB_STEP_SUMMARY`.
public struct GitHubReportRenderer: ReportRenderer {
    public static let format = ReportFormat.github
    /// Prefixed to relative model paths, so annotations land on the file in the repository.
    public var artifactBase: String?

    public init(artifactBase: String? = nil) {
        self.artifactBase = artifactBase
    }

    public func render(_ report: AuditReport) throws -> [UInt8] {
        Array(commands(report).utf8)
    }

    /// The workflow commands, one per line, and a closing plain line with the verdict.
    public func commands(_ report: AuditReport) -> String {
        var lines: [String] = []
        for model in report.models {
            let file = Self.path(model.file, base: artifactBase)
            // Signers named by a certificate are worth a notice; a trust-store key's owner is known to the reader.
            for signer in model.signers ?? [] where signer.kind != .key {
                lines.append(
                    "::notice file=\(GitHubCommandText.property(file)),title=signer::"
                        + GitHubCommandText.data("\(model.displayName): signed by \(signer.summary)"))
            }
            for finding in model.findings {
                let command: String
                var message = "\(model.displayName): "
                switch finding.status {
                case .fail:
                    command = "error"
                case .error:
                    command = "error"
                    message += "could not evaluate: "
                case .warn:
                    command = "warning"
                case .waived:
                    command = "notice"
                    if let waiver = finding.waiver {
                        message += "waived until \(waiver.expires) by \(waiver.approver) (\(waiver.justification)): "
                    } else {
                        message += "waived: "
                    }
                case .pass, .notApplicable:
                    continue
                }
                message += finding.message
                var details: [String] = []
                if let expected = finding.expected { details.append("expected: \(expected)") }
                if let observed = finding.observed { details.append("observed: \(observed)") }
                if let pointer = finding.pointer { details.append("at: \(pointer)") }
                if let remediation = finding.remediation { details.append("fix: \(remediation)") }
                if !finding.controls.isEmpty { details.append("controls: \(finding.controls.joined(separator: ", "))") }
                let body = ([message] + details).joined(separator: "\n")
                lines.append(
                    "::\(command) file=\(GitHubCommandText.property(file)),"
                        + "title=\(GitHubCommandText.property(finding.ruleID))::" + GitHubCommandText.data(body))
            }
        }
        let summary = report.summary
        let noun = summary.models == 1 ? "model" : "models"
        lines.append(
            "\(TerminalText.escape(report.tool.name)): \(report.verdict.rawValue) — \(summary.models) \(noun): "
                + "\(summary.compliant) compliant, \(summary.nonCompliant) non-compliant, "
                + "\(summary.couldNotEvaluate) could not evaluate")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The job summary in GitHub-flavoured Markdown: the Markdown report.
    public func summaryMarkdown(_ report: AuditReport) -> String {
        MarkdownReportRenderer().markdown(report)
    }

    // MARK: - Locations

    /// The model's path as annotations name it: `./` dropped, joined to `base` when given.
    static func path(_ file: String, base: String?) -> String {
        var path = file
        while path.hasPrefix("./") { path.removeFirst(2) }
        guard let base, !base.isEmpty, base != ".", !path.hasPrefix("/") else { return path }
        return base.hasSuffix("/") ? base + path : base + "/" + path
    }
}
