import Foundation

/// The human-readable report, in one of three levels of detail (`Detail`).
///
/// `full` (the default): a header; for a fleet (more than one model) an overview first — the counts and every
/// failing rule with the number of models it blocks and its remediation, given once — then the blocked models
/// with one line per finding that needs attention, and the compliant models on one line each; a single model
/// (or any report with `verbose`) gets every finding in full. Then the waivers and the verdict line. `compact`:
/// one line per failing rule of each model and the verdict line. `quiet`: the verdict line only.
///
/// The verdict line says when model files were not checked (no model directory was given), so a manifest that
/// verified is never read as "the model verified".
///
/// Colour is ANSI SGR and only when `color` is set; without it the output holds no ESC byte, even when the
/// manifest's strings do: every string from input goes through `TerminalText`, so its control characters, line
/// breaks and bidi controls are shown as escapes (`\u{1B}`, `\n`) and it cannot start a line.
/// Passes and not-applicable findings are one count line, unless `verbose` is set or the report has no policy:
/// then the few integrity findings are the whole story, so each is listed with its message, and the trusted
/// key ids are listed in the header. The renderer reads no environment: the command line decides the width and
/// whether to colour, and passes them in.
public struct TextReportRenderer: ReportRenderer {
    public static let format = ReportFormat.text

    /// How much of the report to print.
    public enum Detail: String, Sendable, CaseIterable {
        /// Everything a reader needs, summary first.
        case full
        /// One line per failing rule of each model, then the verdict line; no line is wrapped.
        case compact
        /// The verdict line only, never wrapped.
        case quiet
    }

    public var color: Bool
    /// List every passed and not-applicable finding, and the trust store's key ids; in a fleet, every model in full.
    public var verbose: Bool
    /// Lines are wrapped at word boundaries to this many columns where the words allow it.
    public var width: Int
    public var detail: Detail

    /// How many models a fleet report names after a waiver before it says how many more.
    static let waiverModelsShown = 5

    public init(color: Bool = false, verbose: Bool = false, width: Int = 100, detail: Detail = .full) {
        self.color = color
        self.verbose = verbose
        self.width = max(width, 20)
        self.detail = detail
    }

    public func render(_ report: AuditReport) throws -> [UInt8] {
        Array(text(report).utf8)
    }

    /// The report as text, one trailing newline.
    public func text(_ report: AuditReport) -> String {
        var lines: [String]
        switch detail {
        case .quiet:
            lines = [verdictLine(report)]
        case .compact:
            lines = compact(report) + [verdictLine(report)]
        case .full:
            lines = full(report)
        }
        // Wrapping can move a word from input to the start of a line: no line may start a CI command.
        return lines.map(TerminalText.guardLine).joined(separator: "\n") + "\n"
    }

    private func full(_ report: AuditReport) -> [String] {
        var lines = header(report)
        let listAll = verbose || report.policy == nil
        let fleet = report.models.count > 1
        if fleet {
            lines.append("")
            lines += overview(report)
        }
        if fleet && !verbose {
            let blocked = report.models.filter { $0.verdict != .compliant }
            let compliant = report.models.filter { $0.verdict == .compliant }
            for model in blocked {
                lines.append("")
                lines += brief(model)
            }
            if !compliant.isEmpty {
                lines.append("")
                lines.append(paint("compliant (\(compliant.count))", .bold))
                for model in compliant { lines += oneLine(model) }
            }
        } else {
            for model in report.models {
                lines.append("")
                lines += section(model, listAll: listAll)
            }
        }
        if !report.waivers.isEmpty {
            lines.append("")
            lines += waivers(report, shortened: fleet && !verbose)
        }
        lines.append("")
        lines += wrap(verdictText(report), first: verdictMark(report), firstWidth: 2, rest: "  ")
        return lines
    }

    // MARK: - Fleet overview and brief model lines

    /// The counts, then every rule that blocks a model: how many it blocks, and its remediation once.
    private func overview(_ report: AuditReport) -> [String] {
        let summary = report.summary
        var counts = ["\(summary.compliant) compliant"]
        if summary.nonCompliant > 0 { counts.append("\(summary.nonCompliant) non-compliant") }
        if summary.couldNotEvaluate > 0 { counts.append("\(summary.couldNotEvaluate) could not evaluate") }
        var lines = wrap(
            "\(summary.models) models: \(counts.joined(separator: ", "))", first: paint("summary:", .bold) + "   ",
            firstWidth: 11, rest: "           ")
        var blocked: [String: Set<String>] = [:]
        var failing: [String: Finding] = [:]
        for model in report.models {
            for finding in model.findings where finding.status == .fail || finding.status == .error {
                blocked[finding.ruleID, default: []].insert(model.file)
                if failing[finding.ruleID] == nil { failing[finding.ruleID] = finding }
            }
        }
        guard !blocked.isEmpty else { return lines }
        let remediation = Dictionary(report.rules.map { ($0.id, $0.remediation) }, uniquingKeysWith: { a, _ in a })
        let order = blocked.keys.sorted {
            let (left, right) = (blocked[$0]?.count ?? 0, blocked[$1]?.count ?? 0)
            return left != right ? left > right : $0 < $1
        }
        lines.append(paint("rules that block models (\(order.count))", .bold))
        for rule in order {
            guard let finding = failing[rule] else { continue }
            let count = blocked[rule]?.count ?? 0
            let (mark, tone) = Self.mark(finding.status)
            let head = "\(TerminalText.escape(rule)) (\(finding.severity.rawValue)) — "
                + "\(TerminalText.escape(finding.title)): \(count) \(count == 1 ? "model" : "models")"
            lines += wrap(head, first: "  " + paint(mark, tone) + " ", firstWidth: 4, rest: "    ")
            if let fix = remediation[rule] ?? nil {
                lines += wrap(TerminalText.escape(fix), first: "    fix: ", rest: "         ")
            }
        }
        return lines
    }

    /// A blocked model in a fleet: its verdict, file and developer, and one line per finding that needs attention.
    private func brief(_ model: ModelReport) -> [String] {
        let (mark, tone) = model.verdict == .compliant ? ("✔", Tone.green) : ("✘", Tone.red)
        var text = "\(paint(TerminalText.escape(model.displayName), .bold)) — \(paint(model.verdict.rawValue, tone))"
            + " · \(TerminalText.escape(model.file))"
        if let developer = model.developer { text += " · \(TerminalText.escape(developer))" }
        var lines = wrap(text, first: paint(mark, tone) + " ", firstWidth: 2, rest: "    ")
        // The same fact found several times (one screening hit per data flow) is one line with a count.
        var entries: [(status: FindingStatus, text: String, count: Int)] = []
        for finding in model.findings where finding.status != .pass && finding.status != .notApplicable {
            var line = "\(TerminalText.escape(finding.ruleID)) — \(TerminalText.escape(finding.message))"
            if let waiver = finding.waiver {
                line += " (waived until \(TerminalText.escape(waiver.expires)))"
            }
            if let index = entries.firstIndex(where: { $0.status == finding.status && $0.text == line }) {
                entries[index].count += 1
            } else {
                entries.append((finding.status, line, 1))
            }
        }
        for entry in entries {
            let (mark, tone) = Self.mark(entry.status)
            let text = entry.count > 1 ? entry.text + " (×\(entry.count))" : entry.text
            lines += wrap(text, first: "    " + paint(mark, tone) + " ", firstWidth: 6, rest: "      ")
        }
        return lines
    }

    /// A compliant model in a fleet, on one line (two when the width is small): name, file, and what is not clean.
    private func oneLine(_ model: ModelReport) -> [String] {
        var text = "\(TerminalText.escape(model.displayName)) · \(TerminalText.escape(model.file))"
        let warned = model.findings.filter { $0.status == .warn }.count
        let waived = model.findings.filter { $0.status == .waived }.count
        if warned > 0 { text += " · \(warned) \(warned == 1 ? "warning" : "warnings")" }
        if waived > 0 { text += " · \(waived) waived" }
        if model.filesNotChecked { text += " · files not checked" }
        return wrap(text, first: "  " + paint("✔", .green) + " ", firstWidth: 4, rest: "      ")
    }

    // MARK: - Compact and quiet

    /// One line per rule with a failure or error, per model: the rule, the first message and how many more.
    private func compact(_ report: AuditReport) -> [String] {
        var lines: [String] = []
        for model in report.models {
            var seen: [String] = []
            var byRule: [String: [Finding]] = [:]
            for finding in model.findings where finding.status == .fail || finding.status == .error {
                if byRule[finding.ruleID] == nil { seen.append(finding.ruleID) }
                byRule[finding.ruleID, default: []].append(finding)
            }
            for rule in seen {
                guard let findings = byRule[rule], let first = findings.first else { continue }
                let (mark, tone) = Self.mark(first.status)
                var line = paint(mark, tone) + " " + TerminalText.escape(model.displayName) + " · "
                    + paint(TerminalText.escape(rule), .bold) + " (\(first.severity.rawValue)): "
                    + TerminalText.escape(first.message)
                if findings.count > 1 { line += " (+\(findings.count - 1) more)" }
                lines.append(line)
            }
        }
        return lines
    }

    private func verdictMark(_ report: AuditReport) -> String {
        report.verdict == .compliant ? paint("✔", .green) + " " : paint("✘", .red) + " "
    }

    /// The verdict line, unwrapped: what `quiet` prints and `compact` ends with.
    private func verdictLine(_ report: AuditReport) -> String {
        verdictMark(report) + verdictText(report)
    }

    /// The run's verdict, the models by verdict, the findings by status, and whether files went unchecked.
    private func verdictText(_ report: AuditReport) -> String {
        let summary = report.summary
        var models = ["\(summary.compliant) compliant"]
        if summary.nonCompliant > 0 { models.append("\(summary.nonCompliant) non-compliant") }
        if summary.couldNotEvaluate > 0 { models.append("\(summary.couldNotEvaluate) could not evaluate") }
        let counts = FindingStatus.allCases.map { status in
            let label = status == .notApplicable ? "not applicable" : status.rawValue
            return "\(summary.findings[status.rawValue] ?? 0) \(label)"
        }
        let noun = summary.models == 1 ? "model" : "models"
        var text = "\(report.verdict.rawValue): \(summary.models) \(noun) (\(models.joined(separator: ", ")))"
        let unchecked = report.modelsWithUncheckedFiles
        if unchecked > 0 {
            let scope = unchecked == summary.models ? "" : " for \(unchecked) of \(summary.models) models"
            text += " · " + paint("model files not checked\(scope) (no model directory given)", .yellow)
        }
        return text + " · " + counts.joined(separator: ", ")
    }

    // MARK: - Sections

    private func header(_ report: AuditReport) -> [String] {
        let tool = TerminalText.escape("\(report.tool.name) \(report.tool.version)")
        let when = TerminalText.escape(report.evaluatedAt)
        var lines = wrap(
            paint(tool, .bold) + " — evaluated at \(when), mode \(report.mode.rawValue)", first: "", rest: "  ")
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

    private func waivers(_ report: AuditReport, shortened: Bool) -> [String] {
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
                let shown = shortened ? Array(waiver.appliedTo.prefix(Self.waiverModelsShown)) : waiver.appliedTo
                var models = shown.map { TerminalText.escape(report.modelLabel($0)) }
                if shown.count < waiver.appliedTo.count {
                    models.append("and \(waiver.appliedTo.count - shown.count) more")
                }
                lines += wrap(label + models.joined(separator: ", "), first: "           ", rest: "           ")
            }
        }
        return lines
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
            let wordWidth = visibleWidth(word)
            if !empty && used + 1 + wordWidth > width {
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
            used += wordWidth
            empty = false
        }
        lines.append(line)
        return lines
    }

    /// Columns `word` takes on a terminal: its characters without this renderer's SGR codes (input holds no ESC:
    /// `TerminalText` escaped it).
    private func visibleWidth(_ word: Substring) -> Int {
        guard color, word.contains("\u{1B}") else { return word.count }
        var count = 0
        var inCode = false
        for character in word {
            if inCode {
                if character == "m" { inCode = false }
            } else if character == "\u{1B}" {
                inCode = true
            } else {
                count += 1
            }
        }
        return count
    }
}

/// How reports abbreviate a digest from input.
enum ReportText {
    /// The first 12 hex digits of a SHA-256, enough to tell files apart at a glance.
    static func shortDigest(_ hex: String) -> String {
        String(TerminalText.escape(hex).prefix(12))
    }
}
