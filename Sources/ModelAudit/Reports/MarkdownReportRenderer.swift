import Foundation

/// GitHub-flavoured Markdown for pull-request comments, job summaries and compliance records.
///
/// Sections: run facts (with every input digest), verdicts, the findings to act on per model, the controls
/// coverage matrix, waivers, and lineage and custody when the report has them. Text from input goes through
/// `MarkdownText`, so it cannot open a link (bare addresses included), an image, HTML or a new table cell.
public struct MarkdownReportRenderer: ReportRenderer {
    public static let format = ReportFormat.markdown

    public init() {}

    public func render(_ report: AuditReport) throws -> [UInt8] {
        Array(markdown(report).utf8)
    }

    /// The document, one trailing newline.
    public func markdown(_ report: AuditReport) -> String {
        var blocks = ["# Model audit report", verdictLine(report), facts(report), verdicts(report)]
        blocks += failures(report)
        blocks += coverage(report)
        blocks += waivers(report)
        blocks += lineage(report)
        blocks += custody(report)
        blocks += signers(report)
        return blocks.joined(separator: "\n\n") + "\n"
    }

    // MARK: - Sections

    private func verdictLine(_ report: AuditReport) -> String {
        let summary = report.summary
        var models = ["\(summary.compliant) compliant", "\(summary.nonCompliant) non-compliant"]
        if summary.couldNotEvaluate > 0 { models.append("\(summary.couldNotEvaluate) could not evaluate") }
        let counts = FindingStatus.allCases.map { "\(summary.findings[$0.rawValue] ?? 0) \($0.rawValue)" }
        return "**Verdict: \(ControlCoverage.mark(report.verdict)) \(report.verdict.rawValue)** — "
            + "\(summary.models) \(summary.models == 1 ? "model" : "models") (\(models.joined(separator: ", "))); "
            + "findings: \(counts.joined(separator: ", "))"
    }

    private func facts(_ report: AuditReport) -> String {
        var rows: [[String]] = [
            ["Evaluated at", Self.cell(report.evaluatedAt)],
            ["Mode", report.mode.rawValue],
            ["Tool", Self.cell("\(report.tool.name) \(report.tool.version)")],
        ]
        if let policy = report.policy {
            rows.append(["Policy", "\(Self.cell(policy.name)) — \(Self.file(policy.file, policy.sha256))"])
            if policy.sources.count > 1 {
                let sources = policy.sources.map { Self.file($0.file, $0.sha256) }
                rows.append(["Policy sources", sources.joined(separator: "<br>")])
            }
        } else {
            rows.append(["Policy", "none (signatures and artifacts only)"])
        }
        let store = report.trustStore
        var trust = Self.file(store.directory, store.sha256)
        if !store.keys.isEmpty { trust += " — keys: " + store.keys.map(Self.code).joined(separator: ", ") }
        rows.append(["Trust store", trust])
        if !report.screeningLists.isEmpty {
            rows.append([
                "Screening lists",
                report.screeningLists.map { "\(Self.cell($0.id)): \(Self.file($0.file, $0.sha256))" }
                    .joined(separator: "<br>"),
            ])
        }
        return Self.table(["Run", "Value"], rows)
    }

    private func verdicts(_ report: AuditReport) -> String {
        let rows = report.models.map { model -> [String] in
            [
                Self.cell(model.name ?? model.file), Self.cell(model.version ?? "—"), Self.cell(model.developer ?? "—"),
                "\(ControlCoverage.mark(model.verdict)) \(model.verdict.rawValue)",
                String(model.findingCount(.fail)), String(model.findingCount(.error)),
                String(model.findingCount(.warn)), String(model.findingCount(.waived)),
            ]
        }
        return "## Verdicts\n\n"
            + Self.table(["Model", "Version", "Developer", "Verdict", "Fail", "Error", "Warn", "Waived"], rows)
    }

    private func failures(_ report: AuditReport) -> [String] {
        var blocks = ["## Failures and warnings"]
        for model in report.models {
            let findings = model.findings.filter { [.fail, .error, .warn].contains($0.status) }
            var block = "### \(Self.cell(model.displayName))\n\n"
            if findings.isEmpty {
                block += "No failures, errors or warnings."
            } else {
                let rows = findings.map { finding -> [String] in
                    [
                        "\(ControlCoverage.mark(finding.status)) \(finding.status.rawValue)", Self.code(finding.ruleID),
                        finding.severity.rawValue, Self.cell(finding.message), Self.cell(finding.expected ?? ""),
                        Self.cell(finding.observed ?? ""), finding.pointer.map(Self.code) ?? "",
                        Self.cell(finding.remediation ?? ""),
                    ]
                }
                block += Self.table(
                    ["Status", "Rule", "Severity", "Message", "Expected", "Observed", "Pointer", "Remediation"], rows)
            }
            blocks.append(block)
        }
        return blocks
    }

    private func coverage(_ report: AuditReport) -> [String] {
        let controls = report.coveredControls
        guard !controls.isEmpty else { return [] }
        let rows = controls.map { control in
            [Self.cell(control)] + report.models.map { report.controlCoverage(control, for: $0).mark }
        }
        let legend = ControlCoverage.allCases.map { "\($0.mark) \($0.label)" }.joined(separator: " · ")
        return [
            "## Controls coverage\n\n" + Self.table(["Control"] + report.models.map { Self.cell($0.displayName) }, rows)
                + "\n\n" + legend
        ]
    }

    private func waivers(_ report: AuditReport) -> [String] {
        guard !report.waivers.isEmpty else { return [] }
        let rows = report.waivers.map { waiver -> [String] in
            [
                Self.code(waiver.rule), Self.cell(waiver.model), waiver.state.rawValue, Self.cell(waiver.expires),
                Self.cell(waiver.approver), Self.cell(waiver.justification),
                waiver.appliedTo.isEmpty
                    ? "—" : waiver.appliedTo.map { Self.cell(report.modelLabel($0)) }.joined(separator: "<br>"),
            ]
        }
        return [
            "## Waivers\n\n"
                + Self.table(["Rule", "Model", "State", "Expires", "Approver", "Justification", "Applies to"], rows)
        ]
    }

    private func lineage(_ report: AuditReport) -> [String] {
        let models = report.models.filter { $0.lineage != nil }
        guard !models.isEmpty else { return [] }
        var blocks = ["## Lineage"]
        for model in models {
            guard let root = model.lineage else { continue }
            var lines: [String] = []
            func walk(_ node: LineageNode, depth: Int) {
                var line = String(repeating: "  ", count: depth) + "- "
                if let relation = node.relation { line += Self.cell(relation) + " " }
                line += "**\(Self.cell(node.name))** — \(Self.cell(node.status))"
                if let developer = node.developer { line += ", \(Self.cell(developer))" }
                if let digest = node.manifestSHA256 { line += ", sha256 \(Self.code(ReportText.shortDigest(digest)))" }
                lines.append(line)
                for parent in node.parents { walk(parent, depth: depth + 1) }
            }
            walk(root, depth: 0)
            blocks.append("### \(Self.cell(model.displayName))\n\n" + lines.joined(separator: "\n"))
        }
        return blocks
    }

    private func custody(_ report: AuditReport) -> [String] {
        let models = report.models.filter { $0.custody != nil }
        guard !models.isEmpty else { return [] }
        var blocks = ["## Custody"]
        for model in models {
            let rows = (model.custody ?? []).map { hop -> [String] in
                [
                    String(hop.index), Self.cell(hop.action), Self.cell(hop.actor), Self.cell(hop.country),
                    Self.cell(hop.time), (hop.status == "verified" ? "✔ " : "✘ ") + Self.cell(hop.status),
                ]
            }
            blocks.append(
                "### \(Self.cell(model.displayName))\n\n"
                    + Self.table(["#", "Action", "Actor", "Country", "Time", "Status"], rows))
        }
        return blocks
    }

    /// Who signed each model: the keyless identity with its log entry, the certificate, or the key.
    private func signers(_ report: AuditReport) -> [String] {
        let rows = report.models.flatMap { model in
            (model.signers ?? []).map { signer -> [String] in
                let who: String
                let issuer: String
                switch signer.kind {
                case .keyless:
                    who = signer.san ?? "—"
                    issuer = signer.oidcIssuer ?? "—"
                case .certificate:
                    who = signer.certificateSubject ?? "—"
                    issuer = signer.certificateIssuer ?? "—"
                case .key:
                    who = signer.owner.map { "\($0) (\(signer.keyID ?? "?"))" } ?? signer.keyID ?? "—"
                    issuer = "—"
                }
                return [
                    Self.cell(model.displayName), signer.kind.rawValue, Self.cell(who), Self.cell(issuer),
                    signer.logIndex.map(String.init) ?? "—", Self.cell(signer.integratedTime ?? "—"),
                    Self.cell(signer.timestampAuthorityTime ?? "—"),
                ]
            }
        }
        guard !rows.isEmpty else { return [] }
        return [
            "## Signers",
            Self.table(
                ["Model", "Kind", "Signer", "Issuer", "Rekor log index", "Integrated time", "TSA time"], rows),
        ]
    }

    // MARK: - Markdown building

    private static func table(_ header: [String], _ rows: [[String]]) -> String {
        var lines = ["| " + header.joined(separator: " | ") + " |"]
        lines.append("|" + String(repeating: " --- |", count: header.count))
        for row in rows {
            lines.append("| " + row.map { $0.isEmpty ? " " : $0 }.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }

    /// Inline text from input (`MarkdownText.inline`).
    private static func cell(_ text: String) -> String { MarkdownText.inline(text) }

    /// A code span from input (`MarkdownText.code`).
    private static func code(_ text: String) -> String { MarkdownText.code(text) }

    /// A file with its full digest: `path` sha256 `hex`.
    private static func file(_ path: String, _ sha256: String) -> String {
        "\(Self.code(path)) sha256 \(Self.code(sha256))"
    }
}

/// What one control's findings add up to for one model, as the coverage matrices show it.
///
/// Failed when any finding with the control failed; could not evaluate when one errored (and none failed);
/// warned when one only warned; satisfied when every finding passed or was waived (at least one); not covered
/// when the model has no finding for the control, or only not-applicable ones.
enum ControlCoverage: CaseIterable {
    case failed
    case couldNotEvaluate
    case warned
    case satisfied
    case notCovered

    var mark: String {
        switch self {
        case .failed: return "✘"
        case .couldNotEvaluate: return "?"
        case .warned: return "!"
        case .satisfied: return "✔"
        case .notCovered: return "–"
        }
    }

    var label: String {
        switch self {
        case .failed: return "failed"
        case .couldNotEvaluate: return "could not evaluate"
        case .warned: return "warning"
        case .satisfied: return "satisfied"
        case .notCovered: return "not covered"
        }
    }

    /// A CSS-safe name.
    var slug: String {
        switch self {
        case .failed: return "failed"
        case .couldNotEvaluate: return "error"
        case .warned: return "warned"
        case .satisfied: return "satisfied"
        case .notCovered: return "not-covered"
        }
    }

    static func mark(_ verdict: Verdict) -> String {
        switch verdict {
        case .compliant: return "✔"
        case .nonCompliant: return "✘"
        case .couldNotEvaluate: return "?"
        }
    }

    static func mark(_ status: FindingStatus) -> String {
        switch status {
        case .fail: return "✘"
        case .error: return "?"
        case .warn: return "!"
        case .waived: return "~"
        case .pass: return "✔"
        case .notApplicable: return "–"
        }
    }
}

extension AuditReport {
    /// How a waiver's `appliedTo` entry (a model's envelope file) is shown: the model's display name when the
    /// report has that model, else the entry as written.
    func modelLabel(_ reference: String) -> String {
        models.first { $0.file == reference }?.displayName ?? reference
    }

    /// Every control named by any finding, sorted: the rows of a coverage matrix.
    var coveredControls: [String] {
        Set(models.flatMap(\.findings).flatMap(\.controls)).sorted()
    }

    /// How `control` stands for `model`.
    func controlCoverage(_ control: String, for model: ModelReport) -> ControlCoverage {
        let statuses = Set(model.findings.filter { $0.controls.contains(control) }.map(\.status))
        if statuses.contains(.fail) { return .failed }
        if statuses.contains(.error) { return .couldNotEvaluate }
        if statuses.contains(.warn) { return .warned }
        if statuses.contains(.pass) || statuses.contains(.waived) { return .satisfied }
        return .notCovered
    }
}

extension ModelReport {
    /// How many of the model's findings have `status`.
    func findingCount(_ status: FindingStatus) -> Int {
        findings.filter { $0.status == status }.count
    }
}
