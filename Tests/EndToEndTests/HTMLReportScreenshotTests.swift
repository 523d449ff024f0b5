import Foundation
import Testing

/// The fleet's HTML report as a person sees it: rendered by headless Chromium into a screenshot that must show a
/// page, not a blank one; laid out at 1400 and 800 px wide without the page scrolling sideways or a figure label
/// leaving its box; and printed to PDF in at most 30 pages.
///
/// `scripts/screenshot-report.sh` does the browser work of the first test (and installs Debian's `chromium` when it
/// is missing and it can); it exits 77 when no browser can be had, which cancels that test with its message instead
/// of failing it. The layout and print test needs `chromium` and poppler's `pdfinfo` and `pdftoppm`
/// (`.ci/run` installs both); without them it prints SKIPPED with the reason and is cancelled, never passed.
@Suite("the HTML fleet report in a browser")
struct HTMLReportScreenshotTests {
    /// Pages the 13-sample report may take on A4.
    static let pageLimit = 30

    /// The 13-sample report rendered into `ws` as `report.html`, checked to name every sample.
    static func sampleReport(in ws: Workspace) throws -> String {
        let report = ws.path("report.html")
        // As `make run` does: the samples with their model files written beside them, checked (--model-dirs).
        let fleet = try SampleFleet.withModelFiles()
        let manifests = fleet.path("manifests")
        let result = try AuditBinary.run(
            ["report", manifests, "--trust", "keys", "--policy", "policies/enterprise-default.yaml", "--store",
                manifests, "--model-dirs", "--at", SampleFleetEndToEndTests.at, "--format", "html", "-o", report],
            in: AuditBinary.packageRoot)
        #expect(result.exitCode == 1, "\(result)")
        let html = try String(contentsOfFile: report, encoding: .utf8)
        #expect(html.contains("id=\"verdicts\""))
        for sample in SampleFleetEndToEndTests.expectations.keys {
            #expect(html.contains("manifests/\(sample).json"), "\(sample) is missing from the HTML report")
        }
        return report
    }

    @Test("the sample fleet's HTML report renders with its verdict table")
    func screenshot() throws {
        let ws = try Workspace()
        let report = try Self.sampleReport(in: ws)
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

    @Test("the sample fleet's HTML report fits 1400 and 800 px screens and prints in at most 30 pages")
    func layoutAndPrint() throws {
        let browser = Tool.find(["chromium", "chromium-browser", "google-chrome-stable", "google-chrome"])
        let pdfinfo = Tool.find(["pdfinfo"])
        let pdftoppm = Tool.find(["pdftoppm"])
        var missing: [String] = []
        if browser == nil { missing.append("chromium") }
        if pdfinfo == nil || pdftoppm == nil { missing.append("poppler-utils (pdfinfo, pdftoppm)") }
        if let browser, let pdfinfo, let pdftoppm {
            try checkLayoutAndPrint(browser: browser, pdfinfo: pdfinfo, pdftoppm: pdftoppm)
        } else {
            let reason = "SKIPPED: the HTML layout and print check needs \(missing.joined(separator: " and ")); "
                + "install with `apt-get install -y chromium poppler-utils`"
            print("HTMLReportScreenshotTests: \(reason)")
            try Test.cancel(Comment(rawValue: reason))
        }
    }

    private func checkLayoutAndPrint(browser: String, pdfinfo: String, pdftoppm: String) throws {
        let ws = try Workspace()
        let report = try Self.sampleReport(in: ws)
        let html = try String(contentsOfFile: report, encoding: .utf8)
        // The probe is a copy of the report with a script that measures the laid-out page and writes the figures
        // into the DOM Chromium dumps; the report's own policy forbids scripts, so the copy drops it.
        let probe = try Self.probe(html)
        try ws.write("probe.html", probe)

        for width in [1400, 800] {
            let profile = ws.path("profile-\(width)")
            let common = [
                "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
                "--disable-extensions", "--user-data-dir=\(profile)", "--window-size=\(width),1200",
            ]
            let dump = try Tool.run(browser, common + ["--dump-dom", "file://" + ws.path("probe.html")])
            #expect(dump.exitCode == 0, "\(dump)")
            let figures = try #require(Self.figures(in: dump.stdout), "no measurement in the dumped DOM: \(dump)")
            print("HTMLReportScreenshotTests: at \(width) px: \(figures)")
            #expect(figures["viewport"] == width, "the window is \(figures["viewport"] ?? -1) px, not \(width)")
            #expect(figures["overflow"] == 0, "the page scrolls sideways at \(width) px: \(figures)")
            #expect(figures["labels"] ?? 0 > 10, "no figure labels were measured: \(figures)")
            #expect(figures["labelOverflow"] == 0, "a figure label leaves its box at \(width) px: \(figures)")
            #expect(figures["blocked"] == 5, "the first screen does not list the 5 blocked models: \(figures)")
            #expect(
                (figures["blockedBottom"] ?? .max) <= 1200,
                "the blocked models do not fit the first screen at \(width) px: \(figures)")

            let png = ws.path("report-\(width).png")
            let shot = try Tool.run(browser, common + ["--screenshot=\(png)", "file://" + report])
            #expect(shot.exitCode == 0, "\(shot)")
            let bytes = try Data(contentsOf: URL(fileURLWithPath: png))
            let size = Self.pngSize(bytes)
            print(
                "HTMLReportScreenshotTests: screenshot at \(width) px: \(size.width)x\(size.height), "
                    + "\(bytes.count) bytes")
            #expect(size.width == width && size.height == 1200, "screenshot is \(size.width)x\(size.height)")
            #expect(bytes.count > 20_000, "the \(width) px screenshot is \(bytes.count) bytes: a blank page")
        }

        let pdf = ws.path("report.pdf")
        let printed = try Tool.run(
            browser,
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                "--user-data-dir=\(ws.path("profile-print"))", "--no-pdf-header-footer", "--print-to-pdf=\(pdf)",
                "file://" + report,
            ])
        #expect(printed.exitCode == 0, "\(printed)")
        let info = try Tool.run(pdfinfo, [pdf])
        #expect(info.exitCode == 0, "\(info)")
        let pages = info.stdout.split(separator: "\n").first { $0.hasPrefix("Pages:") }
            .flatMap { Int($0.dropFirst("Pages:".count).trimmingCharacters(in: .whitespaces)) }
        let count = try #require(pages, "pdfinfo printed no page count: \(info)")
        print("HTMLReportScreenshotTests: printed to A4 in \(count) pages")
        #expect(count >= 13, "\(count) pages cannot hold 13 models, each starting a page")
        #expect(count <= Self.pageLimit, "the 13-sample report prints in \(count) pages, more than \(Self.pageLimit)")
        // Every page rasterises (pdftoppm names them page-01.png …); the first holds the overview, not a blank.
        let raster = try Tool.run(pdftoppm, ["-r", "40", "-png", pdf, ws.path("page")])
        #expect(raster.exitCode == 0, "\(raster)")
        let rendered = try FileManager.default.contentsOfDirectory(atPath: ws.url.path)
            .filter { $0.hasPrefix("page-") && $0.hasSuffix(".png") }.sorted()
        #expect(rendered.count == count, "pdftoppm rendered \(rendered.count) of \(count) pages")
        let first = try Data(contentsOf: ws.url.appendingPathComponent(try #require(rendered.first)))
        #expect(first.count > 5_000, "the first printed page is \(first.count) bytes: blank")
    }

    /// The report with its Content Security Policy removed and a measuring script added before `</body>`.
    static func probe(_ html: String) throws -> String {
        let policy = try #require(
            html.range(of: "<meta http-equiv=\"Content-Security-Policy\"[^>]*>\n", options: .regularExpression),
            "the report has no Content Security Policy")
        var probe = html
        probe.removeSubrange(policy)
        let script = """
            <pre id="probe-figures"></pre>
            <script>
            (() => {
              const root = document.documentElement;
              let labels = 0, labelOverflow = 0;
              for (const node of document.querySelectorAll("svg g.node")) {
                const box = node.querySelector("rect").getBBox();
                for (const text of node.querySelectorAll("text")) {
                  labels += 1;
                  const b = text.getBBox();
                  const over = Math.max(box.x - b.x, b.x + b.width - (box.x + box.width), 0);
                  labelOverflow = Math.max(labelOverflow, Math.ceil(over));
                }
              }
              const blocked = document.querySelectorAll("ul.blocked > li");
              const last = blocked.length ? blocked[blocked.length - 1].getBoundingClientRect().bottom : 0;
              document.getElementById("probe-figures").textContent = JSON.stringify({
                viewport: root.clientWidth, overflow: Math.max(0, root.scrollWidth - root.clientWidth),
                labels, labelOverflow, blocked: blocked.length, blockedBottom: Math.ceil(last)
              });
            })();
            </script>

            """
        let end = try #require(probe.range(of: "</body>"), "the report has no </body>")
        probe.insert(contentsOf: script, at: end.lowerBound)
        return probe
    }

    /// The measurements the probe script left in the dumped DOM.
    static func figures(in dom: String) -> [String: Int]? {
        guard let start = dom.range(of: "<pre id=\"probe-figures\">"),
            let end = dom.range(of: "</pre>", range: start.upperBound..<dom.endIndex)
        else { return nil }
        let json = String(dom[start.upperBound..<end.lowerBound]).replacingOccurrences(of: "&quot;", with: "\"")
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else {
            return nil
        }
        return object.compactMapValues { ($0 as? NSNumber)?.intValue }
    }

    /// Width and height from a PNG's IHDR chunk (0 × 0 when it is not a PNG).
    static func pngSize(_ bytes: Data) -> (width: Int, height: Int) {
        let data = [UInt8](bytes.prefix(24))
        guard data.count == 24, data.starts(with: [0x89, 0x50, 0x4E, 0x47]) else { return (0, 0) }
        func integer(_ offset: Int) -> Int { data[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) } }
        return (integer(16), integer(20))
    }
}

/// An external program the browser test drives.
private enum Tool {
    /// The first of `names` on `PATH`.
    static func find(_ names: [String]) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for name in names {
            for directory in path.split(separator: ":") {
                let candidate = "\(directory)/\(name)"
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            }
        }
        return nil
    }

    /// Runs `executable` to completion, or stops it after `timeout` seconds (a hung browser fails the test).
    static func run(_ executable: String, _ arguments: [String], timeout: Double = 240) throws -> AuditBinary.Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let errData = LockedData()
        let reader = Thread { errData.set(err.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        let timer = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: timer)
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        timer.cancel()
        return AuditBinary.Result(
            exitCode: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData.value, as: UTF8.self))
    }
}
