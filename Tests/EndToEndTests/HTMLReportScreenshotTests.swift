import Foundation
import Testing

/// The fleet's HTML report as a person sees it: rendered by headless Chromium into a screenshot that must show a
/// page, not a blank one.
///
/// `scripts/screenshot-report.sh` does the browser work (and installs Debian's `chromium` when it is missing and
/// it can); it exits 77 when no browser can be had, which cancels this test with its message instead of failing
/// it.
@Suite("the HTML fleet report in a browser")
struct HTMLReportScreenshotTests {
    @Test("the sample fleet's HTML report renders with its verdict table")
    func screenshot() throws {
        let ws = try Workspace()
        let report = ws.path("report.html")
        let result = try AuditBinary.run(
            ["report", "manifests", "--trust", "keys", "--policy", "policies/enterprise-default.yaml", "--store",
                "manifests", "--at", SampleFleetEndToEndTests.at, "--format", "html", "-o", report],
            in: AuditBinary.packageRoot)
        #expect(result.exitCode == 1, "\(result)")
        let html = try String(contentsOfFile: report, encoding: .utf8)
        #expect(html.contains("id=\"verdicts\""))
        for sample in SampleFleetEndToEndTests.expectations.keys {
            #expect(html.contains("manifests/\(sample).json"), "\(sample) is missing from the HTML report")
        }

        let png = ws.path("report.png")
        let shot = try RepositoryScript.run("screenshot-report.sh", [report, png])
        if shot.exitCode == 77 {
            try Test.cancel("no headless browser could be found or installed: \(shot.output)")
        }
        #expect(shot.exitCode == 0, "\(shot)")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: png))
        #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), "not a PNG")
        #expect(bytes.count > 20_000, "the screenshot is \(bytes.count) bytes: a blank page")
    }
}
