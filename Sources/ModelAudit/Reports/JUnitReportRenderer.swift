import Foundation

/// JUnit XML for CI test-report views: one test suite per model, one test case per finding.
///
/// Test cases are named `<rule id> [<model name>]` with the envelope file as class name, so a CI's history of a
/// test follows one rule on one model across runs. `fail` is a `<failure>` (type = severity), `error` an
/// `<error>`, `waived` and `not-applicable` are `<skipped>`, `warn` passes with its warning in `<system-out>`.
/// The only time in the output is the report's `evaluatedAt`, so identical reports give identical bytes.
public struct JUnitReportRenderer: ReportRenderer {
    public static let format = ReportFormat.junit

    public init() {}

    public func render(_ report: AuditReport) throws -> [UInt8] {
        Array(xml(report).utf8)
    }

    /// The XML document, one trailing newline.
    public func xml(_ report: AuditReport) -> String {
        JUnitWriter.document(
            name: report.tool.name, timestamp: report.evaluatedAt,
            suites: report.models.map { suite($0, report: report) })
    }

    private func suite(_ model: ModelReport, report: AuditReport) -> JUnitWriter.Suite {
        var seen: [String: Int] = [:]
        let modelName = model.name ?? model.file
        let cases = model.findings.map { finding -> JUnitWriter.TestCase in
            var name = "\(finding.ruleID) [\(modelName)]"
            seen[name, default: 0] += 1
            if let occurrence = seen[name], occurrence > 1 { name += " #\(occurrence)" }
            let outcome: JUnitWriter.Outcome
            switch finding.status {
            case .pass:
                outcome = .passed
            case .fail:
                outcome = .failure(message: finding.message, type: finding.severity.rawValue, details: details(finding))
            case .error:
                outcome = .error(message: finding.message, type: finding.severity.rawValue, details: details(finding))
            case .waived:
                var message = "waived: \(finding.message)"
                if let waiver = finding.waiver {
                    message += " — \(waiver.justification) (approved by \(waiver.approver) until \(waiver.expires))"
                }
                outcome = .skipped(message: message)
            case .notApplicable:
                outcome = .skipped(message: "not applicable: \(finding.message)")
            case .warn:
                outcome = .passedWithOutput(["warning: \(finding.message)"] + details(finding))
            }
            return JUnitWriter.TestCase(className: model.file, name: name, outcome: outcome)
        }
        var properties = [
            ("file", model.file), ("envelopeSHA256", model.envelopeSHA256), ("verdict", model.verdict.rawValue),
            ("mode", report.mode.rawValue),
        ]
        if let developer = model.developer { properties.append(("developer", developer)) }
        for (index, signer) in (model.signers ?? []).enumerated() {
            properties += signer.fields.map { ("signer.\(index).\($0.name)", $0.value) }
        }
        if let policy = report.policy {
            properties += [("policy", policy.name), ("policySHA256", policy.sha256)]
        }
        return JUnitWriter.Suite(
            name: model.displayName, timestamp: report.evaluatedAt,
            properties: properties.map { (name: $0.0, value: $0.1) }, cases: cases)
    }

    /// The finding's particulars, one per line, for a failure's or error's body.
    private func details(_ finding: Finding) -> [String] {
        var lines = ["\(finding.title) (\(finding.severity.rawValue))"]
        if let expected = finding.expected { lines.append("expected: \(expected)") }
        if let observed = finding.observed { lines.append("observed: \(observed)") }
        if let pointer = finding.pointer { lines.append("at: \(pointer)") }
        if let path = finding.path { lines.append("path: \(path.joined(separator: " ← "))") }
        if let remediation = finding.remediation { lines.append("fix: \(remediation)") }
        if !finding.controls.isEmpty { lines.append("controls: \(finding.controls.joined(separator: ", "))") }
        return lines
    }
}
