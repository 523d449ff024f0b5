import AuditLedger
import Foundation
import ModelAudit
import Testing

/// `audit report --from-ledger`: the latest decision per model, and verdicts per day.
@Suite("Ledger fleet view")
struct LedgerFleetTests {
    @Test("the latest decision of each model, with its findings and verdict", arguments: Backend.available)
    func latestPerModel(backend: Backend) throws {
        let scratch = try ScratchLedger(backend)
        let store = try scratch.open()
        defer { store.close() }
        _ = try store.append(Sample.decisions(Sample.fleet(3)), signer: nil)
        // model-0 fixed since: compliant now.
        _ = try store.append(Sample.decisions(Sample.report(models: [
            (name: "model-0", version: "1.0.0", developer: "Acme",
             findings: [Sample.finding("signature.valid", .pass)]),
        ], policy: "eu-gdpr")), signer: nil)
        let latest = try store.latestPerModel()
        #expect(latest.map(\.sequence) == [2, 3, 4])
        let report = try LedgerFleet.report(latest: latest)
        #expect(report.models.count == 3)
        #expect(report.models.first { $0.name == "model-0" }?.verdict == .compliant)
        #expect(report.policy?.name == "eu-gdpr")
        #expect(report.summary.compliant == 3)
        let trend = LedgerTrend(rows: try store.verdictsByDay())
        #expect(trend.days.count == 1)
        #expect(trend.days[0].compliant == 3)
        #expect(trend.days[0].nonCompliant == 1)
    }

    @Test("the trend renders as text, Markdown and an SVG section, oldest day first")
    func trendRendering() {
        let trend = LedgerTrend(rows: [
            (day: "2026-03-02", verdict: "non-compliant", count: 2),
            (day: "2026-03-01", verdict: "compliant", count: 4),
            (day: "2026-03-02", verdict: "compliant", count: 1), (day: "2026-03-02", verdict: "bogus", count: 1),
        ])
        #expect(trend.days.map(\.date) == ["2026-03-01", "2026-03-02"])
        #expect(trend.days[1].couldNotEvaluate == 1)
        let text = trend.text(width: 8)
        #expect(text.contains("2026-03-01  ########  4/0/0"))
        #expect(text.contains("2026-03-02  ##xxxx??  1/2/1"))
        #expect(trend.markdown().contains("| 2026-03-02 | 1 | 2 | 1 |"))
        let html = trend.htmlSection()
        #expect(html.hasPrefix("<section id=\"trend\">"))
        #expect(html.contains("<title>2026-03-02: 2 non-compliant</title>"))
    }
}
