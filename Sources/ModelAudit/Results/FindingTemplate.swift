/// What every finding of one rule shares — its id, title, severity, controls and remediation — with those members
/// already written as the JSON report writes them inside a model.
///
/// A fleet report writes some thirty findings per model, and the rule's members were half the keys and strings of
/// each: the policy evaluator makes one template per policy rule, `IntegrityChecks` one per integrity check, each
/// sets it on the findings it makes (`Finding.template`), and the report copies the template's text instead
/// (`Finding.writeReportJSON(to:)`). A
/// finding whose rule members no longer match its template, or that is written at another depth, is written member
/// by member as before, so the text is the same either way.
final class FindingTemplate: Sendable {
    let rule: RuleInfo
    /// The indentation level of a finding's members in a model's JSON (`ModelReportJSON`): the model inside the
    /// report's `models` array, its `findings` array, the finding's object.
    static let reportLevel = 5
    /// `controls`, the first member.
    let controlsText: [UInt8]
    /// `ruleID` and `severity`, for a finding without remediation or with another than the rule's.
    let ruleText: [UInt8]
    /// `remediation`, `ruleID` and `severity`, for a finding that carries the rule's remediation.
    let remediationAndRuleText: [UInt8]?
    /// `title`.
    let titleText: [UInt8]

    init(_ rule: RuleInfo) {
        self.rule = rule
        let level = Self.reportLevel
        controlsText = PrettyJSONText.members(level: level, first: true) {
            Finding.writeControls(rule.controls, to: &$0)
        }
        ruleText = PrettyJSONText.members(level: level, first: false) {
            Finding.writeRule(remediation: nil, ruleID: rule.id, severity: rule.severity, to: &$0)
        }
        remediationAndRuleText = rule.remediation.map { remediation in
            PrettyJSONText.members(level: level, first: false) {
                Finding.writeRule(remediation: remediation, ruleID: rule.id, severity: rule.severity, to: &$0)
            }
        }
        titleText = PrettyJSONText.members(level: level, first: false) { Finding.writeTitle(rule.title, to: &$0) }
    }

    /// Whether `finding` still has this template's rule members. The strings and the array were handed to the
    /// finding from this template's rule, so each comparison finds the same storage and costs no more than that.
    func matches(_ finding: Finding) -> Bool {
        finding.ruleID == rule.id && finding.title == rule.title && finding.severity == rule.severity
            && finding.controls == rule.controls
    }
}

extension Finding {
    /// Writes the finding as `writeJSON(to:)` does, copying its rule's members from its template when it has one
    /// that still matches and the writer is at the template's depth.
    func writeReportJSON(to json: inout PrettyJSONText) {
        guard let template, json.indentationLevel + 1 == FindingTemplate.reportLevel, template.matches(self) else {
            writeJSON(to: &json)
            return
        }
        json.beginObject()
        json.members(template.controlsText)
        writeEvidence(to: &json)
        if let remediation {
            if let shared = template.remediationAndRuleText, remediation == template.rule.remediation {
                json.members(shared)
            } else {
                json.member("remediation", remediation)
                json.members(template.ruleText)
            }
        } else {
            json.members(template.ruleText)
        }
        json.member("status", status.rawValue)
        json.members(template.titleText)
        writeWaiver(to: &json)
        json.endObject()
    }
}
