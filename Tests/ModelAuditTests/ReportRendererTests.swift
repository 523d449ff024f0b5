import AuditCrypto
import Foundation
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

@testable import ModelAudit

/// Every report format rendered from one representative report and compared byte for byte with its golden file in
/// `Tests/Fixtures/reports/`. Regenerate the goldens with `UPDATE_GOLDENS=1 swift test --filter ReportRenderer`
/// and review the diff before committing.
@Suite struct ReportRendererTests {
    static let goldens: [(ReportFormat, String)] = [
        (.json, "report.json"), (.sarif, "report.sarif"), (.junit, "report.junit.xml"), (.github, "report.github.txt"),
        (.markdown, "report.md"), (.html, "report.html"), (.text, "report.txt"),
    ]

    @Test("each format matches its golden file", arguments: goldens)
    func golden(_ format: ReportFormat, _ file: String) throws {
        let bytes = try renderer(format).render(try ReportFixture.sample())
        try Goldens.check(bytes, against: file)
    }

    @Test func everyFormatHasARenderer() {
        for format in ReportFormat.allCases {
            #expect(type(of: renderer(format)).format == format)
        }
        #expect(Set(Self.goldens.map(\.0)) == Set(ReportFormat.allCases))
    }

    @Test func jsonIsByteIdenticalAcrossRuns() throws {
        let first = try JSONReportRenderer().render(try ReportFixture.sample())
        let second = try JSONReportRenderer().render(try ReportFixture.sample())
        #expect(first == second)
        let decoded = try JSONDecoder().decode(AuditReport.self, from: Data(first))
        #expect(decoded == (try ReportFixture.sample()))
    }

    @Test func everyFormatIsDeterministic() throws {
        for format in ReportFormat.allCases {
            let chosen = renderer(format, color: true)
            #expect(try chosen.render(try ReportFixture.sample()) == chosen.render(try ReportFixture.sample()))
        }
    }

    @Test func plainTextHasNoEscapeByteEvenWhenInputHasOne() throws {
        let report = try ReportFixture.sample()
        #expect(report.models.flatMap(\.findings).contains { ($0.observed ?? "").contains("\u{1B}") })
        let plain = try TextReportRenderer(color: false).render(report)
        #expect(!plain.contains(0x1B))
        let coloured = try TextReportRenderer(color: true).render(report)
        #expect(coloured.contains(0x1B))
        // Input escape sequences stay visible even in colour: only our own SGR codes are emitted.
        #expect(!String(decoding: coloured, as: UTF8.self).contains("\u{1B}[2J"))
    }

    @Test func textListsPassesWhenVerboseOrWithoutAPolicy() throws {
        let passLine = "✔ signature.threshold — 2 of 2 required trusted signatures verified"
        // One model is shown in full (a fleet shows a compliant model on one line unless verbose).
        var report = try ReportFixture.sample()
        report.models = report.models.filter { $0.verdict == .compliant }
        let terse = String(decoding: try TextReportRenderer().render(report), as: UTF8.self)
        #expect(!terse.contains(passLine))
        #expect(terse.contains("6 passed, 3 not applicable"))
        let verbose = String(decoding: try TextReportRenderer(verbose: true).render(report), as: UTF8.self)
        #expect(verbose.contains(passLine))
        #expect(verbose.contains("keys: acme-ci, acme-release"))
        report.policy = nil
        let signaturesOnly = String(decoding: try TextReportRenderer().render(report), as: UTF8.self)
        #expect(signaturesOnly.contains(passLine))
        #expect(signaturesOnly.contains("policy:    none"))
    }

    @Test func textLinesStayWithin120Columns() throws {
        let bytes = try TextReportRenderer(color: false, width: 120).render(try ReportFixture.sample())
        let text = String(decoding: bytes, as: UTF8.self)
        for line in text.split(separator: "\n") where line.count > 120 {
            // Only a single unbreakable word may overflow.
            #expect(!line.trimmingCharacters(in: .whitespaces).contains(" "), "too long: \(line)")
        }
    }

    @Test func htmlIsSelfContained() throws {
        let html = String(decoding: try HTMLReportRenderer().render(try ReportFixture.sample()), as: UTF8.self)
        let lower = html.lowercased()
        #expect(!lower.contains("<script"))
        #expect(!lower.contains("<link"))
        #expect(!lower.contains("@import"))
        for reference in HTMLReferences.values(in: lower) {
            #expect(!reference.hasPrefix("http:") && !reference.hasPrefix("https:") && !reference.hasPrefix("//"))
            #expect(reference.hasPrefix("#"), "non-local reference \(reference)")
        }
        #expect(lower.contains("<html lang=\"en\">"))
        #expect(lower.contains("<table id=\"verdicts\">"))
        #expect(lower.contains("<svg id=\"model-1-lineage\""))
        #expect(lower.contains("<svg id=\"model-1-custody\""))
        // Input markup is escaped, never interpreted.
        #expect(!html.contains("<eu>"))
        #expect(html.contains("&lt;eu&gt;"))
    }

    @Test func sarifReportsEveryFindingThatNeedsAttentionWithALocation() throws {
        let report = try ReportFixture.sample()
        let log = try SARIFReportRenderer().log(report)
        let run = try #require(log.runs.first)
        let expected = report.models.flatMap(\.findings).filter { [.fail, .error, .warn, .waived].contains($0.status) }
        #expect(run.results.count == expected.count)
        for result in run.results {
            #expect(result.locations.count == 1)
            #expect(result.locations.first?.physicalLocation.region.startLine == 1)
            #expect(run.tool.driver.rules[result.ruleIndex].id == result.ruleId)
        }
        let waived = run.results.filter { $0.suppressions != nil }
        #expect(waived.count == 1)
        #expect(waived.first?.suppressions?.first?.status == "accepted")
        #expect(waived.first?.suppressions?.first?.kind == "external")
        #expect(run.results.first?.locations.first?.physicalLocation.artifactLocation.uri
            == "models/acme%20chat/chat.envelope.json")
        #expect(Set(run.results.flatMap { $0.partialFingerprints.values }).count == run.results.count)
        let levels = Dictionary(run.results.map { ($0.properties.status, $0.level) }, uniquingKeysWith: { a, _ in a })
        #expect(levels == ["fail": "error", "error": "error", "warn": "warning", "waived": "error"])
    }

    @Test func junitIsWellFormedAndCountsMatch() throws {
        let bytes = try JUnitReportRenderer().render(try ReportFixture.sample())
        let counter = JUnitCounter()
        let parser = XMLParser(data: Data(bytes))
        parser.delegate = counter
        #expect(parser.parse(), "\(String(describing: parser.parserError))")
        #expect(counter.suites.count == 2)
        for suite in counter.suites {
            #expect(suite.declared == suite.counted, "suite \(suite.name)")
        }
        #expect(counter.total.declared == counter.total.counted)
        #expect(counter.total.counted == JUnitCounter.Counts(tests: 18, failures: 2, errors: 1, skipped: 5))
    }

    @Test func githubCommandsEscapeInput() {
        #expect(GitHubCommandText.data("50% a\r\nb") == "50%25 a%0D%0Ab")
        #expect(GitHubCommandText.property("a:b,c%") == "a%3Ab%2Cc%25")
        #expect(GitHubCommandText.data("x\n::error::injected") == "x%0A::error::injected")
    }

    @Test func githubOutputIsOneCommandPerLine() throws {
        let text = String(decoding: try GitHubReportRenderer().render(try ReportFixture.sample()), as: UTF8.self)
        let lines = text.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("::error ") }.count == 3)
        #expect(lines.filter { $0.hasPrefix("::warning ") }.count == 2)
        #expect(lines.filter { $0.hasPrefix("::notice ") }.count == 1)
        #expect(lines.count == 7)
        let summary = GitHubReportRenderer().summaryMarkdown(try ReportFixture.sample())
        #expect(summary.hasPrefix("# Model audit report"))
    }

    @Test func markdownCellsCannotBreakTables() {
        #expect(MarkdownText.inline("a | b\nc") == "a \\| b<br>c")
        #expect(MarkdownText.inline("![x](https://t.example/p.png)") == "!\\[x\\](https\\[:\\]//t.example/p.png)")
        #expect(MarkdownText.code("a`b|c") == "``a`b\\|c``")
    }

    @Test func controlCoverageFollowsTheWorstFinding() throws {
        let report = try ReportFixture.sample()
        let chat = try #require(report.models.first { $0.name == "acme-chat" })
        let summarizer = try #require(report.models.first { $0.name == "acme-summarizer" })
        #expect(report.controlCoverage("EU-AI-Act:Art.53(1)(b)", for: chat) == .failed)
        #expect(report.controlCoverage("EU-AI-Act:Art.53(1)(a)", for: chat) == .couldNotEvaluate)
        #expect(report.controlCoverage("NIST-AI-RMF:MAP-4.1", for: chat) == .warned)
        #expect(report.controlCoverage("GDPR:Art.44", for: chat) == .satisfied)
        #expect(report.controlCoverage("GDPR:Art.28", for: chat) == .notCovered)
        #expect(report.controlCoverage("EU-AI-Act:Art.53(1)(b)", for: summarizer) == .satisfied)
    }

    @Test func emptyReportRendersInEveryFormat() throws {
        let report = AuditReport(
            evaluatedAt: Date(timeIntervalSince1970: 0), mode: .audit, policy: nil,
            trustStore: TrustStoreInfo(directory: "keys", sha256: String(repeating: "0", count: 64), keys: []),
            screeningLists: [], models: [], waivers: [])
        for format in ReportFormat.allCases {
            #expect(!(try renderer(format).render(report)).isEmpty)
        }
        let parser = XMLParser(data: Data(try JUnitReportRenderer().render(report)))
        #expect(parser.parse())
    }
}

/// The renderer the library's factory picks for `format`.
func renderer(_ format: ReportFormat, color: Bool = false) -> any ReportRenderer {
    format.renderer(options: RenderOptions(color: color))
}

// MARK: - The sample report

/// A representative report: a compliant model and a non-compliant one with every finding status, controls,
/// pointers, a three-generation lineage, a three-hop custody chain and an applied, an expired and an unused waiver.
/// Its strings carry the characters each format must escape (`| < > & % , :`, a newline, ESC and BEL).
enum ReportFixture {
    static func sha(_ seed: String) throws -> String {
        try Digests.sha256Hex(Array(seed.utf8))
    }

    static func sample() throws -> AuditReport {
        let evaluatedAt = try #require(RFC3339.parse("2026-03-02T09:30:00Z"))
        let chatFile = "models/acme chat/chat.envelope.json"
        let chatDigest = try sha(chatFile)

        let signature = (id: "signature.threshold", title: "Signed by enough trusted keys", severity: Severity.critical,
            controls: ["NIST-AI-RMF:GOVERN-6.1"])
        let screening = (id: "screening.denied-parties", title: "No denied parties in the supply chain",
            severity: Severity.critical, controls: ["EU-AI-Act:Art.53(1)(b)", "NIST-AI-RMF:GOVERN-6.1"])
        let license = (id: "license.allowed", title: "Licence on the allow list", severity: Severity.high,
            controls: ["ISO-42001:A.10.3"])
        let jurisdictions = (id: "jurisdictions.countries", title: "Hosted in approved countries",
            severity: Severity.high, controls: ["GDPR:Art.44"])
        let audits = (id: "audits.required", title: "Required audits are current", severity: Severity.medium,
            controls: ["ISO-42001:A.6.2.6"])
        let retention = (id: "retention.max-days", title: "Prompt retention within limits", severity: Severity.medium,
            controls: ["NIST-AI-RMF:MAP-4.1"])
        let lineage = (id: "lineage.verified", title: "Every ancestor is verified", severity: Severity.high,
            controls: ["EU-AI-Act:Art.53(1)(a)"])
        let custody = (id: "custody.verified", title: "Chain of custody is complete", severity: Severity.low,
            controls: ["ISO-42001:A.10.2"])
        let vendor = (id: "vendor.dpa", title: "Vendors have a data processing agreement", severity: Severity.low,
            controls: ["GDPR:Art.28"])

        let remediations = [
            screening.id: "Remove the supplier from the training data supply chain, or obtain a licence; re-sign the "
                + "manifest.",
            license.id: "Relicense under an allowed licence or request a waiver from legal.",
            retention.id: "Shorten retention to 365 days or fewer: 100% of prompts, all regions.",
            lineage.id: "Publish a signed manifest for every ancestor and add it to the lineage store.",
        ]

        typealias Rule = (id: String, title: String, severity: Severity, controls: [String])
        func finding(
            _ rule: Rule, _ status: FindingStatus, _ message: String, expected: String? = nil,
            observed: String? = nil, pointer: String? = nil, path: [String]? = nil, waiver: WaiverNote? = nil
        ) -> Finding {
            Finding(
                ruleID: rule.id, title: rule.title, status: status, severity: rule.severity, message: message,
                expected: expected, observed: observed, pointer: pointer, controls: rule.controls,
                remediation: remediations[rule.id], path: path, waiver: waiver)
        }

        let chat = ModelReport(
            file: chatFile, envelopeSHA256: chatDigest, name: "acme-chat", version: "2.1.0",
            developer: "Acme AI Ltd & Partners <eu>",
            findings: [
                finding(
                    screening, .fail, "Training data supplier \"Globex | Trading\" matches ofac-sdn entry SDN-1234",
                    expected: "no match on ofac-sdn", observed: "Globex | Trading (SDN-1234)",
                    pointer: "/predicate/supplyChain/suppliers/2/name"),
                finding(
                    license, .fail, "Licence proprietary-x is not on the allow list",
                    expected: "one of: apache-2.0, mit", observed: "proprietary-x\u{1B}[2J\u{07}",
                    pointer: "/predicate/model/license"),
                finding(
                    lineage, .error, "Ancestor web-crawl-2024 could not be verified: its manifest is missing",
                    expected: "a verified manifest", observed: "missing",
                    pointer: "/predicate/lineage/parents/0/parents/0",
                    path: ["acme-chat 2.1.0", "acme-base 7b", "web-crawl-2024"]),
                finding(
                    retention, .warn, "Prompts are retained for 400 days,\nlonger than the 365 recommended",
                    expected: "at most 365 days", observed: "400 days",
                    pointer: "/predicate/dataRetention/prompts/days"),
                finding(custody, .warn, "Hop 2 was recorded without a timestamp authority"),
                finding(
                    jurisdictions, .waived, "Hosted in a country outside the allow list: CN",
                    expected: "one of: DE, FR, GB, IE, US", observed: "CN", pointer: "/predicate/hosting/1/country",
                    waiver: WaiverNote(
                        justification: "Legacy contract <2026>; migration tracked in SEC-42",
                        approver: "ciso@acme.example", expires: "2026-06-30")),
                finding(signature, .pass, "2 of 2 required trusted signatures verified"),
                finding(audits, .pass, "SOC 2 Type II audit is current", pointer: "/predicate/audits/0"),
                finding(vendor, .notApplicable, "No vendors are declared"),
            ],
            lineage: LineageNode(
                name: "acme-chat 2.1.0", relation: nil, manifestSHA256: chatDigest, status: "verified",
                developer: "Acme AI Ltd & Partners <eu>",
                parents: [
                    LineageNode(
                        name: "acme-base 7b", relation: "fine-tuned from", manifestSHA256: try sha("acme-base"),
                        status: "verified", developer: "Acme AI Ltd",
                        parents: [
                            LineageNode(
                                name: "web-crawl-2024", relation: "trained on", manifestSHA256: nil, status: "missing",
                                developer: nil, parents: []),
                            LineageNode(
                                name: "teacher-70b", relation: "distilled from", manifestSHA256: try sha("teacher"),
                                status: "untrusted", developer: "Initech", parents: []),
                        ])
                ]),
            custody: [
                CustodyHop(
                    index: 1, action: "build", actor: "Acme CI", country: "GB", time: "2026-02-01T10:00:00Z",
                    status: "verified"),
                CustodyHop(
                    index: 2, action: "transfer", actor: "Globex Hosting GmbH", country: "DE",
                    time: "2026-02-03T08:15:00Z", status: "verified"),
                CustodyHop(
                    index: 3, action: "deploy", actor: "Acme Ops", country: "US", time: "2026-02-04T17:45:00Z",
                    status: "signature does not verify"),
            ],
            signers: [
                SignerIdentity(
                    kind: .keyless, keyID: "sha256:" + String(repeating: "c3", count: 32),
                    san: "https://github.com/acme/chat/.github/workflows/release.yml@refs/tags/v2.1.0",
                    oidcIssuer: "https://token.actions.githubusercontent.com", logIndex: 31_821_305,
                    integratedTime: "2026-02-01T10:00:05Z", timestampAuthorityTime: "2026-02-01T10:00:04Z"),
                SignerIdentity(
                    kind: .certificate, keyID: "sha256:" + String(repeating: "d4", count: 32),
                    certificateSubject: "CN=Release | Signing, O=Acme AI Ltd", certificateIssuer: "CN=Acme <Root> CA"),
            ])

        let summarizer = ModelReport(
            file: "models/summarizer.envelope.json", envelopeSHA256: try sha("summarizer"), name: "acme-summarizer",
            version: "1.4.0", developer: "Acme AI Ltd",
            findings: [
                finding(signature, .pass, "2 of 2 required trusted signatures verified"),
                finding(screening, .pass, "No supplier matches a screening list", pointer: "/predicate/supplyChain"),
                finding(license, .pass, "Licence apache-2.0 is allowed", pointer: "/predicate/model/license"),
                finding(jurisdictions, .pass, "Hosted in allowed countries: DE, IE", pointer: "/predicate/hosting"),
                finding(audits, .pass, "SOC 2 Type II audit is current", pointer: "/predicate/audits/0"),
                finding(retention, .pass, "Prompts are retained for 30 days", pointer: "/predicate/dataRetention"),
                finding(lineage, .notApplicable, "No parents are declared"),
                finding(custody, .notApplicable, "No custody bundle was given"),
                finding(vendor, .notApplicable, "No vendors are declared"),
            ],
            signers: [
                SignerIdentity(kind: .key, keyID: "sha256:" + String(repeating: "a1", count: 32), owner: "Acme AI Ltd"),
            ])

        return AuditReport(
            evaluatedAt: evaluatedAt, mode: .enforce,
            policy: PolicyInfo(
                name: "acme-release", file: "policies/release.yaml", sha256: try sha("release.yaml"),
                sources: [
                    InputFileInfo(
                        id: "policies/release.yaml", file: "policies/release.yaml", sha256: try sha("release.yaml")),
                    InputFileInfo(id: "policies/base.yaml", file: "policies/base.yaml", sha256: try sha("base.yaml")),
                ]),
            trustStore: TrustStoreInfo(
                directory: "keys", sha256: try sha("trust.json"), keys: ["acme-release", "acme-ci"]),
            screeningLists: [InputFileInfo(id: "ofac-sdn", file: "lists/ofac-sdn.json", sha256: try sha("ofac"))],
            models: [summarizer, chat],
            waivers: [
                WaiverReport(
                    rule: jurisdictions.id, model: "name=acme-chat",
                    justification: "Legacy contract <2026>; migration tracked in SEC-42", approver: "ciso@acme.example",
                    expires: "2026-06-30", state: .applied, appliedTo: [chatFile]),
                WaiverReport(
                    rule: license.id, model: "sha256=\(chatDigest)", justification: "Pending relicensing, see LEGAL-7",
                    approver: "legal@acme.example", expires: "2026-01-31", state: .expired, appliedTo: [chatFile]),
                WaiverReport(
                    rule: vendor.id, model: "name=acme-summarizer", justification: "Vendor onboarding in progress",
                    approver: "privacy@acme.example", expires: "2026-12-31", state: .unused, appliedTo: []),
            ]
        ).pinnedToolVersion()
    }
}

extension AuditReport {
    /// The tool version is pinned so the goldens do not change with every release.
    fileprivate func pinnedToolVersion() -> AuditReport {
        var report = self
        report.tool.version = "0.0.0-test"
        return report
    }
}

// MARK: - Golden files

/// The golden files in `<root>/Tests/Fixtures/reports`.
enum Goldens {
    /// This file is `<root>/Tests/ModelAuditTests/ReportRendererTests.swift`.
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/reports", isDirectory: true)

    static var updating: Bool { ProcessInfo.processInfo.environment["UPDATE_GOLDENS"] == "1" }

    /// Compares `actual` with the golden file `name`, or rewrites the file when `UPDATE_GOLDENS=1`.
    static func check(_ actual: [UInt8], against name: String, sourceLocation: SourceLocation = #_sourceLocation)
        throws
    {
        let url = directory.appendingPathComponent(name)
        if updating {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Data(actual).write(to: url)
            return
        }
        guard let expected = FileManager.default.contents(atPath: url.path) else {
            Issue.record(
                "missing golden file \(url.path); run with UPDATE_GOLDENS=1 to create it",
                sourceLocation: sourceLocation)
            return
        }
        guard [UInt8](expected) != actual else { return }
        let difference = diff(
            expected: String(decoding: expected, as: UTF8.self), actual: String(decoding: actual, as: UTF8.self))
        Issue.record(
            "\(url.path) differs from the rendered output (UPDATE_GOLDENS=1 regenerates it):\n\(difference)",
            sourceLocation: sourceLocation)
    }

    /// The first differing lines with a little context, `-` expected and `+` actual.
    static func diff(expected: String, actual: String, context: Int = 3, limit: Int = 12) -> String {
        let old = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let new = actual.split(separator: "\n", omittingEmptySubsequences: false)
        var first = 0
        while first < old.count, first < new.count, old[first] == new[first] { first += 1 }
        var oldEnd = old.count
        var newEnd = new.count
        while oldEnd > first, newEnd > first, old[oldEnd - 1] == new[newEnd - 1] {
            oldEnd -= 1
            newEnd -= 1
        }
        let start = max(0, first - context)
        var lines = ["@@ line \(first + 1) @@"]
        lines += old[start..<first].map { "  \($0)" }
        lines += old[first..<min(oldEnd, first + limit)].map { "- \($0)" }
        if oldEnd - first > limit { lines.append("- … \(oldEnd - first - limit) more") }
        lines += new[first..<min(newEnd, first + limit)].map { "+ \($0)" }
        if newEnd - first > limit { lines.append("+ … \(newEnd - first - limit) more") }
        lines += old[oldEnd..<min(old.count, oldEnd + context)].map { "  \($0)" }
        return lines.joined(separator: "\n")
    }
}

// MARK: - Helpers

/// The values of `src=`, `href=` and `url(` in an HTML document.
enum HTMLReferences {
    static func values(in html: String) -> [String] {
        var values: [String] = []
        for marker in ["src=", "href=", "url("] {
            var rest = Substring(html)
            while let range = rest.range(of: marker) {
                rest = rest[range.upperBound...]
                let trimmed = rest.drop { $0 == "\"" || $0 == "'" || $0 == " " }
                values.append(String(trimmed.prefix { !"\"' )>".contains($0) }))
            }
        }
        return values
    }
}

/// Counts a JUnit document's declared and actual test cases, failures, errors and skips.
final class JUnitCounter: NSObject, XMLParserDelegate {
    struct Counts: Equatable {
        var tests = 0
        var failures = 0
        var errors = 0
        var skipped = 0
    }

    struct Suite {
        var name: String
        var declared: Counts
        var counted = Counts()
    }

    var suites: [Suite] = []
    var total = (declared: Counts(), counted: Counts())

    private static func counts(_ attributes: [String: String]) -> Counts {
        Counts(
            tests: Int(attributes["tests"] ?? "") ?? -1, failures: Int(attributes["failures"] ?? "") ?? -1,
            errors: Int(attributes["errors"] ?? "") ?? -1, skipped: Int(attributes["skipped"] ?? "") ?? -1)
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        switch elementName {
        case "testsuites": total.declared = Self.counts(attributes)
        case "testsuite": suites.append(Suite(name: attributes["name"] ?? "", declared: Self.counts(attributes)))
        case "testcase" where !suites.isEmpty:
            suites[suites.count - 1].counted.tests += 1
            total.counted.tests += 1
        case "failure" where !suites.isEmpty:
            suites[suites.count - 1].counted.failures += 1
            total.counted.failures += 1
        case "error" where !suites.isEmpty:
            suites[suites.count - 1].counted.errors += 1
            total.counted.errors += 1
        case "skipped" where !suites.isEmpty:
            suites[suites.count - 1].counted.skipped += 1
            total.counted.skipped += 1
        default: break
        }
    }
}
