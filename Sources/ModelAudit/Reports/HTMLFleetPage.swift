import Foundation

/// The HTML report of a large fleet: the same page, laid out so 10,000 models stay a file a browser opens at once.
///
/// Above `HTMLReportRenderer.fullDetailLimit` models the full layout grows with models × findings (every finding
/// with its rule's title, remediation and controls, a coverage row per model, a figure per lineage), about
/// 16 KB a model. This layout keeps the same first screen (`overview`: the verdict chart and the blocked models,
/// the first `blockedLineLimit` of them one line each), then failures and coverage per rule and control as counts,
/// waivers, one table of the rules with their remediation, the trust store and run facts, then the verdict table,
/// then each model that needs attention as a collapsed `<details>` holding only what is particular to it: its
/// envelope digest, the findings that failed, errored, warned or were waived (grouped by rule as `FindingGroup`
/// groups them, one line a fact), and its lineage and custody in one line each. Passing and not-applicable findings
/// are counted, and pointers left out; the JSON report has them. Styling is by shared classes in the one style
/// sheet, never per element.
extension HTMLReportRenderer {
    /// Reports with more models than this use the fleet layout.
    public static let fullDetailLimit = 50

    /// What the fleet layout adds to the style sheet.
    static let fleetCSS = """
        #verdicts.fleet td:nth-child(n+7) { text-align: right; font-variant-numeric: tabular-nums; }
        details.model { border-top: 1px solid var(--line); padding: .3rem 0; }
        details.model summary { cursor: pointer; font-weight: 600; } details.model p { margin: .3rem 0; }
        ul.findings { margin: .3rem 0; padding-left: 1.2rem; } ul.findings li { margin: .15rem 0; }

        """

    func fleetBody(_ report: AuditReport) -> String {
        var out = header(report)
        out += "<main>\n"
        out += overview(report)
        out += failuresByRule(report, listModels: false)
        out += fleetCoverage(report)
        out += waivers(report)
        out += fleetRules(report)
        out += trustStore(report)
        out += runFacts(report)
        out += fleetVerdicts(report)
        out += "<section aria-labelledby=\"details-title\">\n<h2 id=\"details-title\">Models that need attention</h2>\n"
        out += "<p class=\"legend\">Each model's failed, errored, warned and waived findings, one line each; expand a"
        out += " model to see them. Rule titles, controls and remediation are in the rules table above; every"
        out += " finding with its JSON pointer, passing ones included, is in the JSON report.</p>\n"
        var any = false
        var stated = StatedFacts()
        for (index, model) in report.models.enumerated() where Self.needsDetail(model) {
            out += fleetDetail(model, number: index + 1, stated: &stated)
            any = true
        }
        if !any { out += "<p>None: every model passed every rule that applies to it.</p>\n" }
        return out + "</section>\n</main>\n"
    }

    /// A model gets a detail block when it has a finding worth reading (a lineage or custody problem is one).
    static func needsDetail(_ model: ModelReport) -> Bool {
        model.findings.contains(where: Self.needsAttention)
    }

    static func needsAttention(_ finding: Finding) -> Bool {
        finding.status != .pass && finding.status != .notApplicable
    }

    /// Coverage per control, as counts of models.
    private func fleetCoverage(_ report: AuditReport) -> String {
        let controls = report.coveredControls
        var coverage: [String: [ControlCoverage: Int]] = [:]
        for model in report.models {
            for control in controls {
                coverage[control, default: [:]][report.controlCoverage(control, for: model), default: 0] += 1
            }
        }
        var out = ""
        guard !controls.isEmpty else { return out }
        out += "<section aria-labelledby=\"controls-title\">\n<h2 id=\"controls-title\">Controls coverage</h2>\n"
        out += "<table id=\"controls\">\n<thead>\n<tr><th scope=\"col\">Control</th>"
        for state in ControlCoverage.allCases { out += "<th scope=\"col\">\(state.mark) \(state.label)</th>" }
        out += "</tr>\n</thead>\n<tbody>\n"
        for control in controls {
            out += "<tr><th scope=\"row\"><code>\(HTMLText.escape(control))</code></th>"
            for state in ControlCoverage.allCases {
                out += "<td class=\"num\">\(coverage[control]?[state] ?? 0)</td>"
            }
            out += "</tr>\n"
        }
        out += "</tbody>\n</table>\n<p class=\"legend\">Models per state. A control is failed for a model when any"
        out += " finding that supports it failed, satisfied when every such finding passed or was waived, not"
        out += " covered when none applies.</p>\n"
        return out + "</section>\n"
    }

    /// Each rule once: what model details leave out.
    private func fleetRules(_ report: AuditReport) -> String {
        let rules = report.rules
        guard !rules.isEmpty else { return "" }
        var out = "<section aria-labelledby=\"rules-title\">\n<h2 id=\"rules-title\">Rules</h2>\n<table id=\"rules\">\n"
        out += "<thead>\n<tr><th scope=\"col\">Rule</th><th scope=\"col\">Severity</th><th scope=\"col\">Controls</th>"
        out += "<th scope=\"col\">Remediation</th></tr>\n</thead>\n<tbody>\n"
        for rule in rules {
            out += "<tr id=\"rule-\(Self.anchor(rule.id))\"><th scope=\"row\"><code>\(HTMLText.escape(rule.id))</code>"
            out += "<br>\(HTMLText.escape(rule.title))</th><td>\(HTMLText.escape(rule.severity.rawValue))</td>"
            out += "<td>\(rule.controls.map { "<code>\(HTMLText.escape($0))</code>" }.joined(separator: "<br>"))</td>"
            out += "<td>\(HTMLText.multiline(rule.remediation ?? ""))</td></tr>\n"
        }
        return out + "</tbody>\n</table>\n</section>\n"
    }

    /// One row a model; the name links to its detail block when it has one.
    private func fleetVerdicts(_ report: AuditReport) -> String {
        var out = "<section aria-labelledby=\"verdicts-title\">\n<h2 id=\"verdicts-title\">Verdicts</h2>\n"
        out += "<table id=\"verdicts\" class=\"fleet\">\n<thead>\n<tr>"
        let titles = [
            "Model", "Version", "Developer", "Signed by", "File", "Verdict", "Fail", "Error", "Warn", "Waived", "Pass",
        ]
        for title in titles {
            out += "<th scope=\"col\">\(title)</th>"
        }
        out += "</tr>\n</thead>\n<tbody>\n"
        for (index, model) in report.models.enumerated() {
            let name = HTMLText.escape(model.name ?? model.file)
            out += "<tr><th scope=\"row\">"
            out += Self.needsDetail(model) ? "<a href=\"#model-\(index + 1)\">\(name)</a>" : name
            out += "</th><td>\(HTMLText.escape(model.version ?? "—"))</td>"
            out += "<td>\(HTMLText.escape(model.developer ?? "—"))</td>"
            let signers = (model.signers ?? []).map(Self.signerBrief)
            out += "<td>\(signers.isEmpty ? "—" : signers.joined(separator: "<br>"))</td>"
            out += "<td><code>\(HTMLText.escape(model.file))</code></td>"
            out += "<td class=\"\(Self.slug(model.verdict))\">\(ControlCoverage.mark(model.verdict)) "
            out += "\(model.verdict.rawValue)</td>"
            var counts: [FindingStatus: Int] = [:]
            for finding in model.findings { counts[finding.status, default: 0] += 1 }
            for status in [FindingStatus.fail, .error, .warn, .waived, .pass] {
                out += "<td>\(counts[status] ?? 0)</td>"
            }
            out += "</tr>\n"
        }
        return out + "</tbody>\n</table>\n</section>\n"
    }

    /// What is particular to one model: its digest (the verdict table has its file), its findings that need
    /// attention grouped by rule, one line each, and its lineage and custody. An observed value the message
    /// already states is not repeated; pointers are left to the JSON report.
    private func fleetDetail(_ model: ModelReport, number: Int, stated: inout StatedFacts) -> String {
        var out = "<details class=\"model\" id=\"model-\(number)\"><summary>\(ControlCoverage.mark(model.verdict)) "
        out += "\(number). \(HTMLText.escape(model.displayName))</summary>\n"
        out += "<p>sha256 <code class=\"digest\">\(HTMLText.escape(model.envelopeSHA256))</code></p>\n"
        let groups = FindingGroup.groups(model.findings.filter(Self.needsAttention))
        if !groups.isEmpty {
            out += "<ul class=\"findings\">\n"
            for group in groups {
                let facts = group.facts.map(Self.factLine).joined(separator: "<br>")
                let opening = "<li class=\"\(Self.slug(group.status))\""
                let rule = "\(ControlCoverage.mark(group.status)) <code>\(HTMLText.escape(group.ruleID))</code> "
                // A fleet repeats the same finding across many models: it is written out once, and later models
                // link to it, which keeps a 10,000-model page a size a browser opens.
                let key = group.ruleID + "\u{0}" + facts
                if facts.utf8.count > StatedFacts.worthLinking, let first = stated.first[key] {
                    out += "\(opening)>\(rule)<a href=\"#fact-\(first.id)\">as for model \(first.model)</a></li>\n"
                } else {
                    var id = ""
                    if facts.utf8.count > StatedFacts.worthLinking {
                        stated.first[key] = (stated.first.count + 1, number)
                        id = " id=\"fact-\(stated.first.count)\""
                    }
                    out += "\(opening)\(id)>\(rule)\(facts)</li>\n"
                }
            }
            out += "</ul>\n"
        }
        if let lineage = model.lineage, !lineage.parents.isEmpty {
            out += "<p class=\"legend\">Lineage: \(Self.lineageLine(lineage))</p>\n"
        }
        if let custody = model.custody, !custody.isEmpty {
            let hops = custody.map { hop in
                "\(hop.index). \(HTMLText.escape(hop.action)) by \(HTMLText.escape(hop.actor)) "
                    + "(\(HTMLText.escape(hop.country))) — \(HTMLText.escape(hop.status))"
            }
            out += "<p class=\"legend\">Custody: \(hops.joined(separator: " → "))</p>\n"
        }
        return out + "</details>\n"
    }

    /// The finding lines already written out in full, by rule and text: where later models link to.
    struct StatedFacts {
        /// Lines shorter than this are repeated: a link would save nothing.
        static let worthLinking = 48
        /// The line's anchor number and the number of the model it was written for.
        var first: [String: (id: Int, model: Int)] = [:]
    }

    /// One fact in a line: message (and how often it was found), expected, observed (unless the message says it),
    /// path and waiver.
    static func factLine(_ fact: FindingGroup.Fact) -> String {
        var out = HTMLText.multiline(fact.message)
        if fact.count > 1 { out += " ×\(fact.count)" }
        if let expected = fact.expected, !expected.isEmpty { out += "; expected \(HTMLText.multiline(expected))" }
        if let observed = fact.observed, !observed.isEmpty, !fact.message.contains(observed) {
            out += "; observed \(HTMLText.multiline(observed))"
        }
        for path in fact.paths {
            out += " <span class=\"path\">(path: \(HTMLText.escape(path.joined(separator: " ← "))))</span>"
        }
        if let waiver = fact.waiver {
            out += " <span class=\"waiver\">(waived by \(HTMLText.escape(waiver.approver)) until "
            out += "<time>\(HTMLText.escape(waiver.expires))</time>: "
            out += "\(HTMLText.multiline(waiver.justification)))</span>"
        }
        return out
    }

    /// The ancestry as nested text: `parent (relation, status) ← grandparent …`, parents of a node in brackets.
    static func lineageLine(_ node: LineageNode) -> String {
        node.parents.map { parent in
            var text = "\(HTMLText.escape(parent.name)) (\(HTMLText.escape(parent.relation ?? "parent")), "
            text += "\(HTMLText.escape(parent.status)))"
            if !parent.parents.isEmpty && parent.repeated != true { text += " ← [\(lineageLine(parent))]" }
            return text
        }.joined(separator: "; ")
    }

    /// A rule id as an `id` fragment: ASCII letters, digits, `-` and `.` kept, anything else as `_HEX_`, so two
    /// rules never share an anchor.
    static func anchor(_ ruleID: String) -> String {
        var out = ""
        for scalar in ruleID.unicodeScalars {
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", "-", ".": out.unicodeScalars.append(scalar)
            default: out += "_" + String(scalar.value, radix: 16) + "_"
            }
        }
        return out
    }
}
