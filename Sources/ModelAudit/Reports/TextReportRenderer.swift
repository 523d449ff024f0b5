import Foundation

/// The human-readable report: a header, each model with its findings by status, the waivers and a summary line.
///
/// Colour is ANSI SGR and only when `color` is set; without it the output holds no ESC byte, even when the
/// manifest's strings do: every string from input goes through `TerminalText`, so its control characters, line
/// breaks and bidi controls are shown as escapes (`\u{1B}`, `\n`) and it cannot start a line.
/// Passes and not-applicable findings are one count line, unless `verbose` is set or the report has no policy:
/// then the few integrity findings are the whole story, so each is listed with its message, and the trusted
/// key ids are listed in the header.
public struct TextReportRenderer: ReportRenderer {
    public static let format = ReportFormat.text
    public var color: Bool
    /// List every passed and not-applicable finding, and the trust store's key ids.
    public var verbose: Bool
    /// Lines are wrapped at word boundaries to this many columns where the words allow it.
    public var width: Int

    public init(color: Bool = false, verbose: Bool = false, width: Int = 120) {
        self.color = color
        self.verbose = verbose
        self.width = width
    }

    public func render(_ report: AuditReport) throws -> [UInt8] {
        Array(text(report).utf8)
    }

    /// The report as text, one trailing newline.
    public func text(_ report: AuditReport) -> String {
        var lines = header(report)
        let listAll = verbose || report.policy == nil
        for model in report.models {
            lines.append("")
            lines += section(model, listAll: listAll)
        }
        if !report.waivers.isEmpty {
            lines.append("")
            lines += waivers(report)
        }
        lines.append("")
        lines += summary(report)
        // Wrapping can move a word from input to the start of a line: no line may start a CI command.
        return lines.map(TerminalText.guardLine).joined(separator: "\n") + "\n"
    }

    // MARK: - Sections

    private func header(_ report: AuditReport) -> [String] {
        let tool = TerminalText.escape("\(report.tool.name) \(report.tool.version)")
        let when = TerminalText.escape(report.evaluatedAt)
        var lines = [paint(tool, .bold) + " — evaluated at \(when), mode \(report.mode.rawValue)"]
        if let policy = report.policy {
            lines += wrap(
                "\(TerminalText.escape(policy.name)) (\(TerminalText.escape(policy.file)), "
                    + "sha256 \(ReportText.shortDigest(policy.sha256)))",
                first: "policy:    ", rest: "           ")
        } else {
            lines.append("policy:    none (signatures and artifacts only)")
        }
        let store = report.trustStore
        var keys = "\(store.keys.count) \(store.keys.count == 1 ? "key" : "keys")"
        if (verbose || report.policy == nil) && !store.keys.isEmpty {
            keys += ": " + store.keys.map(TerminalText.escape).joined(separator: ", ")
        }
        lines += wrap(
            "\(TerminalText.escape(store.directory)) (sha256 \(ReportText.shortDigest(store.sha256)), \(keys))",
            first: "trust:     ", rest: "           ")
        if !report.screeningLists.isEmpty {
            let lists = report.screeningLists.map {
                "\(TerminalText.escape($0.id)) (sha256 \(ReportText.shortDigest($0.sha256)))"
            }
            lines += wrap(lists.joined(separator: ", "), first: "screening: ", rest: "           ")
        }
        return lines
    }

    private func section(_ model: ModelReport, listAll: Bool) -> [String] {
        let (mark, tone) = model.verdict == .compliant ? ("✔", Tone.green) : ("✘", Tone.red)
        var lines = [
            paint(mark, tone) + " " + paint(TerminalText.escape(model.displayName), .bold) + " — "
                + paint(model.verdict.rawValue, tone)
        ]
        var facts = [
            "file \(TerminalText.escape(model.file))", "sha256 \(ReportText.shortDigest(model.envelopeSHA256))",
        ]
        if let developer = model.developer { facts.append("developer \(TerminalText.escape(developer))") }
        lines += wrap(facts.joined(separator: ", "), first: "  ", rest: "    ")
        for signer in model.signers ?? [] {
            lines += wrap("signed by " + TerminalText.escape(signer.summary), first: "  ", rest: "    ")
        }
        if let lineage = model.lineage {
            lines.append("  " + paint("lineage", .bold))
            // The tree is already escaped line by line; its lines are the renderer's own.
            lines += LineageRendering.text(lineage).split(separator: "\n").map { "    " + $0 }
        }
        if let custody = model.custody, !custody.isEmpty {
            lines.append("  " + paint("chain of custody", .bold))
            for hop in custody {
                let ok = hop.status == "verified"
                let text = "\(hop.index). \(hop.action) by \(hop.actor) in \(hop.country) at \(hop.time)"
                    + (ok ? "" : " — \(hop.status)")
                lines += wrap(
                    TerminalText.escape(text),
                    first: "    " + paint(ok ? "✔" : "✘", ok ? .green : .red) + " ", firstWidth: 6, rest: "        ")
            }
        }

        for status in [FindingStatus.fail, .error, .warn, .waived] {
            let findings = model.findings.filter { $0.status == status }
            guard !findings.isEmpty else { continue }
            lines.append("  " + paint("\(Self.groupTitle(status)) (\(findings.count))", .bold))
            for finding in findings { lines += describe(finding) }
        }
        if listAll {
            for status in [FindingStatus.pass, .notApplicable] {
                let findings = model.findings.filter { $0.status == status }
                guard !findings.isEmpty else { continue }
                lines.append("  " + paint("\(Self.groupTitle(status)) (\(findings.count))", .bold))
                for finding in findings {
                    let (mark, tone) = Self.mark(status)
                    let text = "\(TerminalText.escape(finding.ruleID)) — \(TerminalText.escape(finding.message))"
                    lines += wrap(text, first: "    " + paint(mark, tone) + " ", firstWidth: 6, rest: "      ")
                }
            }
            return lines
        }
        let passed = model.findings.filter { $0.status == .pass }.count
        let notApplicable = model.findings.filter { $0.status == .notApplicable }.count
        lines.append(
            "  " + paint("\(passed) passed", passed > 0 ? .green : .plain) + ", \(notApplicable) not applicable")
        return lines
    }

    private func describe(_ finding: Finding) -> [String] {
        let (mark, tone) = Self.mark(finding.status)
        let head = "\(TerminalText.escape(finding.ruleID)) (\(finding.severity.rawValue)) — "
            + TerminalText.escape(finding.title)
        var lines = wrap(head, first: "    " + paint(mark, tone) + " ", firstWidth: 6, rest: "      ")
        lines += wrap(TerminalText.escape(finding.message), first: "      ", rest: "      ")
        let indent = "                "
        func field(_ label: String, _ value: String?) {
            guard let value else { return }
            let padded = ("      " + label + ":").padding(toLength: indent.count, withPad: " ", startingAt: 0)
            lines += wrap(TerminalText.escape(value), first: padded, rest: indent)
        }
        field("expected", finding.expected)
        field("observed", finding.observed)
        field("at", finding.pointer.map { $0.isEmpty ? "(document root)" : $0 })
        field("path", finding.path.map { $0.joined(separator: " ← ") })
        if let waiver = finding.waiver {
            field(
                "waiver",
                "approved by \(waiver.approver) until \(waiver.expires) — \(waiver.justification)")
        }
        field("fix", finding.remediation)
        field("controls", finding.controls.isEmpty ? nil : finding.controls.joined(separator: ", "))
        return lines
    }

    private func waivers(_ report: AuditReport) -> [String] {
        let waivers = report.waivers
        var lines = [paint("waivers (\(waivers.count))", .bold)]
        for waiver in waivers {
            let tone: Tone
            let expiry: String
            switch waiver.state {
            case .applied:
                tone = .cyan
                expiry = "expires"
            case .expired:
                tone = .red
                expiry = "expired"
            case .unused:
                tone = .yellow
                expiry = "expires"
            }
            let state = waiver.state.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)
            let head = TerminalText.escape(
                "\(waiver.rule) for \(waiver.model), \(expiry) \(waiver.expires), approved by \(waiver.approver)")
            lines += wrap(head, first: "  " + paint(state, tone) + " ", firstWidth: 11, rest: "           ")
            lines += wrap(TerminalText.escape(waiver.justification), first: "           ", rest: "           ")
            if !waiver.appliedTo.isEmpty {
                let label = waiver.state == .expired ? "would apply to: " : "applied to: "
                let models = waiver.appliedTo.map { TerminalText.escape(report.modelLabel($0)) }
                lines += wrap(label + models.joined(separator: ", "), first: "           ", rest: "           ")
            }
        }
        return lines
    }

    private func summary(_ report: AuditReport) -> [String] {
        let summary = report.summary
        let verdict = report.verdict
        let (mark, tone) = verdict == .compliant ? ("✔", Tone.green) : ("✘", Tone.red)
        var models = ["\(summary.compliant) compliant"]
        if summary.nonCompliant > 0 { models.append("\(summary.nonCompliant) non-compliant") }
        if summary.couldNotEvaluate > 0 { models.append("\(summary.couldNotEvaluate) could not evaluate") }
        let counts = FindingStatus.allCases.map { status in
            let label = status == .notApplicable ? "not applicable" : status.rawValue
            return "\(summary.findings[status.rawValue] ?? 0) \(label)"
        }
        let noun = summary.models == 1 ? "model" : "models"
        let text = "\(verdict.rawValue): \(summary.models) \(noun) (\(models.joined(separator: ", "))) · "
            + counts.joined(separator: ", ")
        return wrap(text, first: paint(mark, tone) + " ", firstWidth: 2, rest: "  ")
    }

    // MARK: - Styling and layout

    private enum Tone: String {
        case plain = ""
        case bold = "1"
        case red = "31"
        case green = "32"
        case yellow = "33"
        case cyan = "36"
    }

    private func paint(_ text: String, _ tone: Tone) -> String {
        guard color, tone != .plain else { return text }
        return "\u{1B}[\(tone.rawValue)m\(text)\u{1B}[0m"
    }

    private static func mark(_ status: FindingStatus) -> (String, Tone) {
        switch status {
        case .fail: return ("✘", .red)
        case .error: return ("?", .red)
        case .warn: return ("!", .yellow)
        case .waived: return ("~", .cyan)
        case .pass: return ("✔", .green)
        case .notApplicable: return ("–", .plain)
        }
    }

    private static func groupTitle(_ status: FindingStatus) -> String {
        switch status {
        case .fail: return "failed"
        case .error: return "could not evaluate"
        case .warn: return "warnings"
        case .waived: return "waived"
        case .pass: return "passed"
        case .notApplicable: return "not applicable"
        }
    }

    /// Word-wraps `text` after the prefix `first` (whose visible width is `firstWidth`, or its length when it holds
    /// no escape codes); continuation lines start with `rest`. A word longer than a line stays whole.
    private func wrap(_ text: String, first: String, firstWidth: Int? = nil, rest: String) -> [String] {
        var lines: [String] = []
        var line = first
        var used = firstWidth ?? first.count
        var empty = true
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            if !empty && used + 1 + word.count > width {
                lines.append(line)
                line = rest
                used = rest.count
                empty = true
            }
            if !empty {
                line += " "
                used += 1
            }
            line += word
            used += word.count
            empty = false
        }
        lines.append(line)
        return lines
    }
}

/// How reports abbreviate a digest from input.
enum ReportText {
    /// The first 12 hex digits of a SHA-256, enough to tell files apart at a glance.
    static func shortDigest(_ hex: String) -> String {
        String(TerminalText.escape(hex).prefix(12))
    }
}
