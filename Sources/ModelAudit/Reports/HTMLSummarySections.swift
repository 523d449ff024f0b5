import Foundation

/// The sections both HTML layouts (full and large-fleet) share: the first screen — verdict counts as a chart, one
/// line per blocked model with its decisive reasons, failures grouped by rule — the trust store with its owners,
/// the waivers, and findings grouped so one fact is stated once.
extension HTMLReportRenderer {
    /// Blocked models listed one by one on the first screen, at most; the rest are counted and found further down.
    static let blockedLineLimit = 200

    /// The first screen: which models are blocked and why.
    func overview(_ report: AuditReport) -> String {
        var out = "<section id=\"overview\" aria-labelledby=\"overview-title\">\n"
        out += "<h2 id=\"overview-title\">Blocked models and why</h2>\n<div class=\"overview\">\n"
        out += verdictChart(report.summary)
        out += blockedModels(report)
        return out + "</div>\n</section>\n"
    }

    /// The verdict counts as horizontal bars in an inline SVG, each labelled with its count.
    func verdictChart(_ summary: ReportSummary) -> String {
        let bars: [(Verdict, Int)] = [
            (.nonCompliant, summary.nonCompliant), (.couldNotEvaluate, summary.couldNotEvaluate),
            (.compliant, summary.compliant),
        ]
        let label = SVGLabel(fontSize: 13, bold: false)
        let texts = bars.map { bar in
            "\(ControlCoverage.mark(bar.0)) \(bar.0.rawValue.replacingOccurrences(of: "-", with: " "))"
        }
        let labelWidth = Int(texts.map(label.width).max() ?? 0) + 12
        let countWidth = Int(label.width(String(summary.models))) + 8
        let barWidth = 220
        let rowHeight = 26
        let width = labelWidth + barWidth + countWidth
        let height = rowHeight * bars.count
        let scale = Double(barWidth) / Double(max(1, bars.map(\.1).max() ?? 1))
        let description = bars.map { "\($0.1) \($0.0.rawValue)" }.joined(separator: ", ")
        var out = "<figure class=\"chart\">\n<figcaption id=\"verdict-chart-title\">Verdicts of \(summary.models) "
        out += "\(summary.models == 1 ? "model" : "models")</figcaption>\n"
        out += LineageGraph.svgOpen(id: "verdict-chart", width: width, height: height)
        out += "<desc id=\"verdict-chart-desc\">\(description)</desc>\n"
        for (row, (verdict, count)) in bars.enumerated() {
            let top = row * rowHeight
            let length = count == 0 ? 0 : max(2, Int((Double(count) * scale).rounded()))
            out += "<g class=\"bar \(Self.slug(verdict))\">"
            out += "<text x=\"0\" y=\"\(top + 17)\">\(texts[row])</text>"
            out += "<rect x=\"\(labelWidth)\" y=\"\(top + 4)\" width=\"\(length)\" "
            out += "height=\"\(rowHeight - 8)\" rx=\"3\"/>"
            out += "<text class=\"count\" x=\"\(labelWidth + length + 6)\" y=\"\(top + 17)\">\(count)</text></g>\n"
        }
        return out + "</svg>\n</figure>\n"
    }

    /// One line per blocked model (non-compliant, or could not be evaluated): its decisive rules, each with a short
    /// message and how many more findings of that rule there are.
    func blockedModels(_ report: AuditReport) -> String {
        let blocked = report.models.indices.filter { report.models[$0].verdict != .compliant }
        guard !blocked.isEmpty else {
            return "<p class=\"blocked none\">No model is blocked: every model passed every enforced rule that"
                + " applies to it.</p>\n"
        }
        // Non-compliant first, then could not evaluate; the report's order within each.
        let ordered = blocked.sorted { (report.models[$0].verdict, $0) < (report.models[$1].verdict, $1) }
        var out = "<ul class=\"blocked\">\n"
        for index in ordered.prefix(Self.blockedLineLimit) {
            let model = report.models[index]
            let decisive: FindingStatus = model.verdict == .nonCompliant ? .fail : .error
            out += "<li>\(Self.verdictBadge(model.verdict)) <a href=\"#model-\(index + 1)\">"
            out += "\(HTMLText.escape(model.displayName))</a>: "
            let groups = FindingGroup.groups(model.findings.filter { $0.status == decisive })
                .sorted { ($0.severity, $0.ruleID) < ($1.severity, $1.ruleID) }
            out += groups.map { group in
                var reason = "<span class=\"reason\"><code>\(HTMLText.escape(group.ruleID))</code> "
                reason += HTMLText.escape(Self.shortened(group.facts[0].message, to: 80))
                if group.count > 1 { reason += " <span class=\"more\">(+\(group.count - 1) more)</span>" }
                return reason + "</span>"
            }.joined(separator: "; ")
            out += "</li>\n"
        }
        out += "</ul>\n"
        if ordered.count > Self.blockedLineLimit {
            out += "<p class=\"legend\">… and \(ordered.count - Self.blockedLineLimit) more blocked models; the verdict"
            out += " table lists every one.</p>\n"
        }
        return out
    }

    /// Failures, errors and warnings per rule, worst severity first. With `listModels`, the models under each
    /// rule are named (and linked); otherwise counted, and the rule links to its row of the rules table.
    func failuresByRule(_ report: AuditReport, listModels: Bool) -> String {
        var out = "<section aria-labelledby=\"failures-title\">\n<h2 id=\"failures-title\">Failures by rule</h2>\n"
        let counted: [FindingStatus] = listModels ? [.fail, .error, .warn] : [.fail, .error, .warn, .waived]
        var modelsPerRule: [String: [FindingStatus: [Int]]] = [:]
        for (index, model) in report.models.enumerated() {
            var seen: Set<String> = []
            for finding in model.findings where counted.contains(finding.status) {
                if seen.insert("\(finding.ruleID)\u{0}\(finding.status.rawValue)").inserted {
                    modelsPerRule[finding.ruleID, default: [:]][finding.status, default: []].append(index)
                }
            }
        }
        let rules = report.rules.filter { modelsPerRule[$0.id] != nil }
            .sorted { ($0.severity, $0.id) < ($1.severity, $1.id) }
        guard !rules.isEmpty else { return out + "<p>No rule failed, errored or warned.</p>\n</section>\n" }
        // A column no rule has anything in is left out: the table is read on the first screen.
        let statuses = counted.filter { status in rules.contains { modelsPerRule[$0.id]?[status] != nil } }
        let titles: [FindingStatus: String] = listModels
            ? [.fail: "Failed in", .error: "Could not evaluate in", .warn: "Warned in"]
            : [.fail: "Models failed", .error: "Could not evaluate", .warn: "Warned", .waived: "Waived"]
        out += "<table id=\"failures\">\n<thead>\n<tr><th scope=\"col\">Rule</th><th scope=\"col\">Severity</th>"
        for status in statuses { out += "<th scope=\"col\">\(titles[status] ?? status.rawValue)</th>" }
        out += "</tr>\n</thead>\n<tbody>\n"
        for rule in rules {
            let id = "<code>\(HTMLText.escape(rule.id))</code>"
            out += "<tr><th scope=\"row\">\(listModels ? id : "<a href=\"#rule-\(Self.anchor(rule.id))\">\(id)</a>")"
            out += "<br>\(HTMLText.escape(rule.title))"
            if listModels, let remediation = rule.remediation, !remediation.isEmpty {
                out += "<br><span class=\"remedy\">Fix: \(HTMLText.multiline(remediation))</span>"
            }
            out += "</th><td>\(HTMLText.escape(rule.severity.rawValue))</td>"
            for status in statuses {
                let indices = modelsPerRule[rule.id]?[status] ?? []
                if listModels {
                    let links = indices.map {
                        "<a href=\"#model-\($0 + 1)\">\(HTMLText.escape(report.models[$0].displayName))</a>"
                    }
                    out += "<td><ul class=\"models\">" + links.map { "<li>\($0)</li>" }.joined() + "</ul></td>"
                } else {
                    out += "<td class=\"num\">\(indices.count)</td>"
                }
            }
            out += "</tr>\n"
        }
        return out + "</tbody>\n</table>\n</section>\n"
    }

    /// The trust store: its digest and every key with its owner, roles and validity (key ids alone when the
    /// report does not carry owners).
    func trustStore(_ report: AuditReport) -> String {
        let store = report.trustStore
        var out = "<section aria-labelledby=\"trust-title\">\n<h2 id=\"trust-title\">Trust store</h2>\n"
        out += "<p>\(Self.file(store.directory + "/" + "trust.json", store.sha256)): \(store.keys.count) "
        out += "\(store.keys.count == 1 ? "key" : "keys").</p>\n"
        if store.entries.isEmpty {
            guard !store.keys.isEmpty else { return out + "</section>\n" }
            out += "<ul class=\"keys\">\n"
            out += store.keys.map { "<li><code class=\"digest\">\(HTMLText.escape($0))</code></li>\n" }.joined()
            return out + "</ul>\n</section>\n"
        }
        out += "<table id=\"trust\">\n<thead>\n<tr><th scope=\"col\">Owner</th><th scope=\"col\">Roles</th>"
        out += "<th scope=\"col\">Valid</th><th scope=\"col\">Key</th></tr>\n</thead>\n<tbody>\n"
        for entry in store.entries.sorted(by: { ($0.owner, $0.keyID) < ($1.owner, $1.keyID) }) {
            out += "<tr><th scope=\"row\">\(HTMLText.escape(entry.owner))</th>"
            out += "<td>\(HTMLText.escape(entry.roles.joined(separator: ", ")))</td>"
            var validity = "\(entry.notBefore.map(Self.day) ?? "…") to \(entry.notAfter.map(Self.day) ?? "…")"
            if entry.notBefore == nil && entry.notAfter == nil { validity = "no limit" }
            if entry.revoked { validity = "<span class=\"badge fail\">revoked</span>" }
            out += "<td class=\"when\">\(validity)</td>"
            out += "<td><code>\(HTMLText.escape(entry.file))</code><br>"
            out += "<code class=\"digest\">\(HTMLText.escape(entry.keyID))</code></td></tr>\n"
        }
        return out + "</tbody>\n</table>\n</section>\n"
    }

    /// The date part of an RFC 3339 time, escaped.
    static func day(_ time: String) -> String {
        HTMLText.escape(String(time.prefix { $0 != "T" }))
    }

    /// `text` on one line, at most about `limit` characters, cut after a whole word with `…`.
    static func shortened(_ text: String, to limit: Int) -> String {
        let line = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        guard line.count > limit else { return line }
        var out = ""
        for word in line.split(separator: " ") {
            if !out.isEmpty, out.count + 1 + word.count > limit - 1 { break }
            out += out.isEmpty ? String(word) : " " + word
        }
        return out + " …"
    }
}

/// Findings of one rule with one status, with findings that state the same fact (same message, expected and observed
/// value, and waiver) merged into one `Fact` listing every place it was found.
struct FindingGroup {
    struct Fact {
        var message: String
        var expected: String?
        var observed: String?
        var pointers: [String]
        var paths: [[String]]
        var waiver: WaiverNote?
        /// How many findings state this fact.
        var count: Int
    }

    let status: FindingStatus
    let ruleID: String
    let title: String
    let severity: Severity
    let controls: [String]
    let remediation: String?
    var facts: [Fact]

    /// How many findings the group holds.
    var count: Int { facts.reduce(0) { $0 + $1.count } }

    /// The expected value every fact shares, said once for the group.
    var sharedExpected: String? { shared(\.expected) }

    /// The observed value every fact shares, said once for the group.
    var sharedObserved: String? { shared(\.observed) }

    private func shared(_ value: KeyPath<Fact, String?>) -> String? {
        guard facts.count > 1, let first = facts[0][keyPath: value], !first.isEmpty else { return nil }
        return facts.allSatisfy { $0[keyPath: value] == first } ? first : nil
    }

    /// The findings grouped by status and rule, in the order each group first appears.
    static func groups(_ findings: [Finding]) -> [FindingGroup] {
        var groups: [FindingGroup] = []
        var position: [String: Int] = [:]
        for finding in findings {
            let key = "\(finding.status.rawValue)\u{0}\(finding.ruleID)"
            let fact = Fact(
                message: finding.message, expected: finding.expected, observed: finding.observed,
                pointers: finding.pointer.map { [$0] } ?? [], paths: finding.path.map { [$0] } ?? [],
                waiver: finding.waiver, count: 1)
            guard let index = position[key] else {
                position[key] = groups.count
                groups.append(
                    FindingGroup(
                        status: finding.status, ruleID: finding.ruleID, title: finding.title,
                        severity: finding.severity, controls: finding.controls, remediation: finding.remediation,
                        facts: [fact]))
                continue
            }
            if let same = groups[index].facts.firstIndex(where: {
                $0.message == fact.message && $0.expected == fact.expected && $0.observed == fact.observed
                    && $0.waiver == fact.waiver
            }) {
                groups[index].facts[same].pointers += fact.pointers
                groups[index].facts[same].paths += fact.paths
                groups[index].facts[same].count += 1
            } else {
                groups[index].facts.append(fact)
            }
        }
        return groups
    }
}
