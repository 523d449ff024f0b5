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
        let suites = report.models.map { suite($0, report: report) }
        var out = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        out += "<testsuites"
        out += attributes([
            ("name", report.tool.name),
            ("tests", String(suites.map(\.counts.tests).reduce(0, +))),
            ("failures", String(suites.map(\.counts.failures).reduce(0, +))),
            ("errors", String(suites.map(\.counts.errors).reduce(0, +))),
            ("skipped", String(suites.map(\.counts.skipped).reduce(0, +))),
            ("timestamp", report.evaluatedAt),
        ])
        out += ">\n"
        for suite in suites { out += suite.xml }
        out += "</testsuites>\n"
        return out
    }

    private struct Counts {
        var tests = 0
        var failures = 0
        var errors = 0
        var skipped = 0
    }

    private func suite(_ model: ModelReport, report: AuditReport) -> (xml: String, counts: Counts) {
        var counts = Counts()
        var cases = ""
        var seen: [String: Int] = [:]
        let modelName = model.name ?? model.file
        for finding in model.findings {
            counts.tests += 1
            var name = "\(finding.ruleID) [\(modelName)]"
            seen[name, default: 0] += 1
            if let occurrence = seen[name], occurrence > 1 { name += " #\(occurrence)" }
            cases += "    <testcase" + attributes([("classname", model.file), ("name", name)])
            switch finding.status {
            case .pass:
                cases += "/>\n"
                continue
            case .fail:
                counts.failures += 1
                cases += ">\n      <failure"
                    + attributes([("message", finding.message), ("type", finding.severity.rawValue)]) + ">"
                    + details(finding) + "</failure>\n"
            case .error:
                counts.errors += 1
                cases += ">\n      <error"
                    + attributes([("message", finding.message), ("type", finding.severity.rawValue)]) + ">"
                    + details(finding) + "</error>\n"
            case .waived:
                counts.skipped += 1
                var message = "waived: \(finding.message)"
                if let waiver = finding.waiver {
                    message += " — \(waiver.justification) (approved by \(waiver.approver) until \(waiver.expires))"
                }
                cases += ">\n      <skipped" + attributes([("message", message)]) + "/>\n"
            case .notApplicable:
                counts.skipped += 1
                cases += ">\n      <skipped" + attributes([("message", "not applicable: \(finding.message)")]) + "/>\n"
            case .warn:
                cases += ">\n      <system-out>" + XMLText.text("warning: \(finding.message)") + "\n" + details(finding)
                    + "</system-out>\n"
            }
            cases += "    </testcase>\n"
        }

        var out = "  <testsuite"
        out += attributes([
            ("name", model.displayName),
            ("tests", String(counts.tests)),
            ("failures", String(counts.failures)),
            ("errors", String(counts.errors)),
            ("skipped", String(counts.skipped)),
            ("timestamp", report.evaluatedAt),
        ])
        out += ">\n    <properties>\n"
        var properties = [
            ("file", model.file), ("envelopeSHA256", model.envelopeSHA256), ("verdict", model.verdict.rawValue),
            ("mode", report.mode.rawValue),
        ]
        if let developer = model.developer { properties.append(("developer", developer)) }
        if let policy = report.policy {
            properties += [("policy", policy.name), ("policySHA256", policy.sha256)]
        }
        for (name, value) in properties {
            out += "      <property" + attributes([("name", name), ("value", value)]) + "/>\n"
        }
        out += "    </properties>\n" + cases + "  </testsuite>\n"
        return (out, counts)
    }

    /// The finding's particulars as escaped character data, one per line, for a failure's or error's body. Each line
    /// is escaped on its own, so a line break from input stays a reference and never starts a line of the file.
    private func details(_ finding: Finding) -> String {
        var lines = ["\(finding.title) (\(finding.severity.rawValue))"]
        if let expected = finding.expected { lines.append("expected: \(expected)") }
        if let observed = finding.observed { lines.append("observed: \(observed)") }
        if let pointer = finding.pointer { lines.append("at: \(pointer)") }
        if let path = finding.path { lines.append("path: \(path.joined(separator: " ← "))") }
        if let remediation = finding.remediation { lines.append("fix: \(remediation)") }
        if !finding.controls.isEmpty { lines.append("controls: \(finding.controls.joined(separator: ", "))") }
        return lines.map(XMLText.text).joined(separator: "\n")
    }

    // MARK: - XML

    private func attributes(_ pairs: [(String, String)]) -> String {
        pairs.map { " \($0.0)=\"\(XMLText.attribute($0.1))\"" }.joined()
    }
}
