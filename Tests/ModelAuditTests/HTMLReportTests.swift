import Foundation
import Testing

@testable import ModelAudit

/// What the HTML report promises a compliance reader, checked on the page's text: the blocked models and their
/// decisive rules first, passes collapsed, one fact stated once, the trust store with its owners, graph labels that
/// fit their boxes without a cut word, and a large fleet that stays small.
@Suite struct HTMLReportTests {
    static func html(_ report: AuditReport) throws -> String {
        String(decoding: try HTMLReportRenderer().render(report), as: UTF8.self)
    }

    @Test("the first screen names each blocked model with its failing rules, before anything else")
    func blockedModelsFirst() throws {
        let html = try Self.html(try ReportFixture.sample())
        let overview = try #require(html.range(of: "<section id=\"overview\""))
        let verdicts = try #require(html.range(of: "<table id=\"verdicts\">"))
        let failures = try #require(html.range(of: "id=\"failures-title\""))
        #expect(overview.lowerBound < failures.lowerBound && failures.lowerBound < verdicts.lowerBound)
        #expect(html.contains("<svg id=\"verdict-chart\""))
        #expect(html.contains("<desc id=\"verdict-chart-desc\">1 non-compliant, 0 could-not-evaluate, 1 compliant"))
        let list = try #require(html.range(of: "<ul class=\"blocked\">"))
        let end = try #require(html.range(of: "</ul>", range: list.upperBound..<html.endIndex))
        let lines = html[list.upperBound..<end.lowerBound].split(separator: "\n")
        #expect(lines.count == 1, "one line per blocked model: \(lines)")
        let line = try #require(lines.first)
        #expect(line.contains("acme-chat 2.1.0") && !line.contains("acme-summarizer"))
        // Its decisive rules are the failed ones, critical first; the warned and errored ones are not decisive.
        let screening = try #require(line.range(of: "<code>screening.denied-parties</code>"))
        let license = try #require(line.range(of: "<code>license.allowed</code>"))
        #expect(screening.lowerBound < license.lowerBound)
        #expect(!line.contains("retention.max-days") && !line.contains("lineage.verified"))
        #expect(line.contains("Training data supplier &quot;Globex | Trading&quot; matches ofac-sdn entry SDN-1234"))
    }

    @Test("no blocked model says so instead of an empty list")
    func nothingBlocked() throws {
        var report = try ReportFixture.sample()
        report.models = report.models.filter { $0.verdict == .compliant }
        report.summary = ReportSummary(models: report.models)
        let html = try Self.html(report)
        #expect(html.contains("No model is blocked"))
        #expect(!html.contains("<ul class=\"blocked\">"))
    }

    @Test("passes and not-applicable findings are collapsed under their count; what needs attention is open")
    func passesCollapsed() throws {
        let html = try Self.html(try ReportFixture.sample())
        #expect(html.contains("<details class=\"settled\"><summary>2 passed, 1 not applicable</summary>"))
        #expect(html.contains("<details class=\"settled\"><summary>6 passed, 3 not applicable</summary>"))
        let chat = try #require(html.range(of: "<section class=\"model\" id=\"model-1\""))
        let rest = chat.upperBound..<html.endIndex
        let attention = try #require(html.range(of: "What needs attention in acme-chat", range: rest))
        let settled = try #require(html.range(of: "<details class=\"settled\">", range: rest))
        #expect(attention.lowerBound < settled.lowerBound)
        let passLine = try #require(html.range(of: "2 of 2 required trusted signatures verified", range: rest))
        #expect(settled.lowerBound < passLine.lowerBound, "a pass is shown outside the collapsed block")
    }

    @Test("findings that state the same fact are one item with every place it was found")
    func repeatedFactsGrouped() throws {
        let rule = (id: "ENT-SCREENING", title: "No denied parties", severity: Severity.critical)
        func finding(_ message: String, _ pointer: String, observed: String = "\"Sinoridge\" matches") -> Finding {
            Finding(
                ruleID: rule.id, title: rule.title, status: .fail, severity: rule.severity, message: message,
                expected: "no match", observed: observed, pointer: pointer)
        }
        let same = "recipient Sinoridge matches screening list entry Sinoridge Telecom"
        let findings = [
            finding(same, "/predicate/hosting/dataFlows/0/recipient"),
            finding(same, "/predicate/hosting/dataFlows/1/recipient"),
            finding(same, "/predicate/hosting/dataFlows/2/recipient"),
            finding("sub-processor Sinoridge matches", "/predicate/hosting/subProcessors/0/entity"),
        ]
        let groups = FindingGroup.groups(findings)
        #expect(groups.count == 1)
        let group = try #require(groups.first)
        #expect(group.count == 4 && group.facts.count == 2)
        #expect(group.facts[0].count == 3 && group.facts[0].pointers.count == 3)
        #expect(group.sharedExpected == "no match")

        var model = try ReportFixture.sample().models[0]
        model.findings = findings
        var report = try ReportFixture.sample()
        report.models = [model]
        report.summary = ReportSummary(models: report.models)
        let html = try Self.html(report)
        #expect(html.components(separatedBy: same).count == 2 + 1, "the fact once in the model, once on the overview")
        #expect(html.contains("<span class=\"times\">×3</span>"))
        // The expected and observed values all four share are said once, above the facts.
        #expect(html.contains("<p class=\"expected\">expected no match; observed &quot;Sinoridge&quot; matches</p>"))
        for index in 0..<3 { #expect(html.contains("<code>/predicate/hosting/dataFlows/\(index)/recipient</code>")) }
        #expect(html.contains("(+3 more)"), "the blocked line counts the rule's other findings")
    }

    @Test("the trust store is listed with each key's owner, roles and validity, escaped")
    func trustStoreOwners() throws {
        var report = try ReportFixture.sample()
        report.trustStore = TrustStoreInfo(
            directory: "keys", sha256: report.trustStore.sha256, keys: ["sha256:bb", "sha256:aa"],
            entries: [
                TrustStoreEntry(
                    keyID: "sha256:bb", file: "ci.pub", owner: "Acme <CI> & Build", roles: ["publisher"],
                    notBefore: "2026-01-01T00:00:00Z", notAfter: "2027-12-31T23:59:59Z"),
                TrustStoreEntry(
                    keyID: "sha256:aa", file: "old.pub", owner: "Acme Legacy", roles: ["developer", "publisher"],
                    revoked: true),
            ])
        let html = try Self.html(report)
        let table = try #require(html.range(of: "<table id=\"trust\">"))
        let rows = html[table.upperBound...]
        #expect(rows.contains("<th scope=\"row\">Acme &lt;CI&gt; &amp; Build</th><td>publisher</td>"))
        #expect(rows.contains("2026-01-01 to 2027-12-31"))
        #expect(rows.contains("<th scope=\"row\">Acme Legacy</th><td>developer, publisher</td>"))
        #expect(rows.contains("<span class=\"badge fail\">revoked</span>"))
        #expect(!html.contains("<CI>"))
        // The owners are the HTML report's: the JSON report keeps its schema's key ids only.
        let json = String(decoding: try JSONReportRenderer().render(report), as: UTF8.self)
        #expect(!json.contains("Acme Legacy") && json.contains("sha256:aa"))
    }

    @Test("a trust store loaded from disk carries its owners into the report")
    func trustStoreInfoFromDisk() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let store = try TrustStore.load(directory: root.appendingPathComponent("keys").path)
        let info = store.info
        #expect(info.entries.count == info.keys.count && !info.entries.isEmpty)
        #expect(info.entries.contains { $0.owner == "Halden & Rowe Assurance LLP" && $0.roles == ["auditor"] })
        #expect(info.entries.map(\.keyID) == info.keys)
    }

    @Test(
        "graph labels wrap between words, never cut one, and fit their box",
        arguments: [
            "aldercrest-instruct-7b 1.1.0",
            "a very long model name that needs more than two lines of its box to be written out in full",
            "Nimbarra Cloud Services, LLC, us-east-1 and us-west-2 and eu-central-1 deployment",
            "supercalifragilisticexpialidocious-model-with-an-unbreakable-name-v2",
            "中文模型名称 很长的名字 需要换行",
        ])
    func labelsFit(_ text: String) throws {
        let label = SVGLabel(fontSize: 13, bold: true)
        let style = SVGTextStyle(label: label, attributes: "", lineHeight: 17, maxLines: 2)
        let inner = SVGBoxText.innerWidth([[(text, style)]], minimum: 170, maximum: 280)
        let lines = label.lines(text, maxWidth: Double(inner), maxLines: 2)
        #expect(!lines.isEmpty && lines.count <= 2)
        let words = Set(text.split(separator: " ").map(String.init))
        for line in lines {
            #expect(label.width(line) <= Double(inner), "\(line) is wider than its box (\(inner) px)")
            for word in line.split(separator: " ") where word != "…" {
                #expect(words.contains(String(word)), "\(word) is not a whole word of \(text)")
            }
        }
        let shown = lines.joined(separator: " ").replacingOccurrences(of: " …", with: "")
        #expect(text.hasPrefix(shown), "the label does not start with the text: \(lines)")
        #expect(lines.last?.hasSuffix(" …") == (shown != text), "a shortened label ends in an ellipsis: \(lines)")
    }

    @Test("a lineage figure's boxes hold their longest word, wrap the rest, and keep every name in a tooltip")
    func lineageBoxesFitNames() throws {
        let long = "tamarisk-coder-15b-instruct-quantized-q4km 1.3.0"
        let root = LineageNode(
            name: long, relation: nil, manifestSHA256: nil, status: "verified",
            developer: "Tamarisk Code Labs, Inc.",
            parents: [
                LineageNode(
                    name: "base", relation: "quantized from a very long relation name that cannot fit one column",
                    manifestSHA256: nil, status: "unsigned", developer: nil, parents: [])
            ])
        let svg = LineageGraph(root: root, id: "x").figure()
        let width = try #require(
            svg.range(of: "width=\"[0-9]+\" height=\"[0-9]+\" rx=\"6\"", options: .regularExpression)
                .map { svg[$0].split(separator: "\"")[1] }.flatMap { Int($0) })
        let label = SVGLabel(fontSize: 13, bold: true)
        #expect(Double(width - 2 * SVGBoxText.padding) >= label.narrowest(long), "the box is narrower than a word")
        // The name is wider than the widest box, so it wraps after its long first word.
        #expect(svg.contains(">tamarisk-coder-15b-instruct-quantized-q4km</text>"))
        #expect(svg.contains(">1.3.0</text>"))
        #expect(svg.contains("<title>\(long) — verified, Tamarisk Code Labs, Inc.</title>"))
        // The relation is shortened after a whole word, with its full text as the label's tooltip.
        #expect(svg.contains("<title>quantized from a very long relation name that cannot fit one column</title>"))
        #expect(svg.contains(" …</text>"))
    }

    @Test("each model section names its signers: identity, issuer, Rekor log index, integrated and TSA times")
    func signersInModelSection() throws {
        let html = try Self.html(try ReportFixture.sample())
        let chat = try #require(html.range(of: "<section class=\"model\" id=\"model-1\""))
        let table = try #require(html.range(of: "<table class=\"signers\">", range: chat.upperBound..<html.endIndex))
        let end = try #require(html.range(of: "</table>", range: table.upperBound..<html.endIndex))
        let rows = html[table.upperBound..<end.lowerBound].split(separator: "\n").filter { $0.hasPrefix("<tr><td>") }
        #expect(rows.count == 2)
        let keyless: String = "<tr><td>keyless</td><th scope=\"row\">"
            + "https://github.com/acme/chat/.github/workflows/release.yml@refs/tags/v2.1.0</th>"
            + "<td>https://token.actions.githubusercontent.com</td><td class=\"num\">31821305</td>"
            + "<td>2026-02-01T10:00:05Z</td><td>2026-02-01T10:00:04Z</td></tr>"
        #expect(rows.first.map(String.init) == keyless)
        // Certificate names are escaped like every other value.
        let certificate = "<th scope=\"row\">CN=Release | Signing, O=Acme AI Ltd</th><td>CN=Acme &lt;Root&gt; CA</td>"
        #expect(rows.last?.contains(certificate) == true)
        #expect(html.contains("<tr><td>key</td><th scope=\"row\">Acme AI Ltd <code>sha256:a1a1"))
        // A model without a verified signature has no table.
        var report = try ReportFixture.sample()
        for index in report.models.indices { report.models[index].signers = nil }
        #expect(!(try Self.html(report)).contains("<table class=\"signers\">"))
    }

    @Test("the fleet verdict table names each model's signers in brief, the full line as a tooltip")
    func signersInFleet() throws {
        let sample = try ReportFixture.sample()
        var report = sample
        report.models = (0..<(HTMLReportRenderer.fullDetailLimit + 1)).map { index in
            var model = sample.models[index % sample.models.count]
            model.file = "fleet/model-\(index).json"
            return model
        }
        report.summary = ReportSummary(models: report.models)
        let html = try Self.html(report)
        #expect(html.contains("<th scope=\"col\">Signed by</th>"))
        let row = try #require(html.split(separator: "\n").first { $0.contains("<code>fleet/model-0.json</code>") })
        let san = "https://github.com/acme/chat/.github/workflows/release.yml@refs/tags/v2.1.0"
        let brief: String = "<span title=\"keyless \(san) (issuer https://token.actions.githubusercontent.com), "
            + "Rekor log index 31821305, integrated 2026-02-01T10:00:05Z, timestamped 2026-02-01T10:00:04Z\">"
            + "\(san)</span> <small>(keyless #31821305)</small><br>"
        #expect(row.contains(brief), "\(row)")
        #expect(row.contains(">CN=Release | Signing, O=Acme AI Ltd</span> <small>(certificate)</small>"), "\(row)")
        let keyRow = try #require(html.split(separator: "\n").first { $0.contains("<code>fleet/model-1.json</code>") })
        #expect(keyRow.contains("<td>Acme AI Ltd</td><td><code>fleet/model-1.json</code>"), "\(keyRow)")
    }

    @Test("a fleet of 10,000 models makes an HTML page of at most 10 MB")
    func fleetOfTenThousand() throws {
        // The 13 samples audited under the enterprise policy, repeated under new names as `make bench-fleet`'s
        // fleet is (scripts/make-fleet.py).
        let auditor = try FleetStreamingTests.auditor(jobs: 2)
        let files = try Auditor.envelopeFiles([FleetStreamingTests.root.appendingPathComponent("manifests").path])
        let samples = auditor.report(models: auditor.auditFleet(files: files), mode: .enforce)
        var report = samples
        report.models = (0..<10_000).map { index in
            var model = samples.models[index % samples.models.count]
            model.file = String(format: "fleet/model-%05d.json", index)
            model.name = (model.name ?? "model") + String(format: "-%05d", index)
            return model
        }
        report.summary = ReportSummary(models: report.models)
        let bytes = try HTMLReportRenderer().render(report)
        #expect(bytes.count <= 10_000_000, "\(bytes.count) bytes")
        let html = String(decoding: bytes, as: UTF8.self)
        #expect(html.contains("more blocked models; the verdict table lists every one."))
        #expect(html.components(separatedBy: "<li><span class=\"badge fail\">").count - 1
            == HTMLReportRenderer.blockedLineLimit)
        #expect(html.contains("<table id=\"trust\">"), "the trust store's owners are listed")
    }
}
