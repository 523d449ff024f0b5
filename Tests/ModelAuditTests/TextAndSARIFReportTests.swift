import Foundation
import Testing

@testable import ModelAudit

/// The text report's levels of detail, width and colour; SARIF's rule remediation and source lines; the JSON
/// report's format version; and the `artifacts.required` rule.
@Suite struct TextAndSARIFReportTests {
    static func text(_ report: AuditReport, _ renderer: TextReportRenderer) -> String {
        renderer.text(report)
    }

    static func lines(_ text: String) -> [Substring] {
        text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
    }

    /// The sample with only its non-compliant model: one model is shown in full.
    static func single() throws -> AuditReport {
        var report = try ReportFixture.sample()
        report.models = report.models.filter { $0.verdict != .compliant }
        report.summary = ReportSummary(models: report.models)
        return report
    }

    // MARK: - Text

    @Test("lines wrap to the width given, except a word longer than a line", arguments: [40, 60, 100])
    func wrapsToWidth(width: Int) throws {
        let text = Self.text(try ReportFixture.sample(), TextReportRenderer(width: width))
        for line in Self.lines(text) where line.count > width {
            let words = line.split(separator: " ")
            #expect(words.count <= 3 && words.contains { $0.count > width / 2 }, "\(line.count) > \(width): \(line)")
        }
    }

    @Test("--quiet prints the verdict line only, unwrapped, whatever the width")
    func quietIsOneLine() throws {
        let text = Self.text(try ReportFixture.sample(), TextReportRenderer(width: 30, detail: .quiet))
        #expect(Self.lines(text).count == 1, "\(text)")
        #expect(text.hasPrefix("✘ non-compliant: 2 models (1 compliant, 1 non-compliant) · "), "\(text)")
    }

    @Test("--compact prints one line per failing rule of each model, then the verdict line")
    func compactIsOneLinePerFailingRule() throws {
        let report = try ReportFixture.sample()
        let text = Self.text(report, TextReportRenderer(width: 40, detail: .compact))
        let lines = Self.lines(text)
        let failing = report.models.flatMap { model in
            Set(model.findings.filter { $0.status == .fail || $0.status == .error }.map { "\(model.file) \($0.ruleID)" })
        }
        #expect(lines.count == failing.count + 1, "\(text)")
        #expect(lines.dropLast().allSatisfy { $0.hasPrefix("✘ ") || $0.hasPrefix("? ") }, "\(text)")
        #expect(lines.contains { $0.contains("acme-chat 2.1.0 · screening.denied-parties (critical): ") })
        #expect(lines.last?.hasPrefix("✘ non-compliant: 2 models") == true)
    }

    @Test("a fleet puts the summary first and a compliant model on one line")
    func fleetSummaryFirst() throws {
        let text = Self.text(try ReportFixture.sample(), TextReportRenderer())
        let lines = Self.lines(text)
        let summary = try #require(lines.firstIndex { $0.hasPrefix("summary:") }, "\(text)")
        let firstModel = try #require(lines.firstIndex { $0.hasPrefix("✘ acme-chat") }, "\(text)")
        #expect(summary < firstModel)
        #expect(lines.contains { $0.hasPrefix("rules that block models (") })
        let compliant = lines.filter { $0.hasPrefix("  ✔ ") }
        #expect(compliant.count == 1 && compliant[0].contains("acme-summarizer 1.4.0"), "\(compliant)")
        // The remediation is given once, in the summary, not per model.
        #expect(text.components(separatedBy: "Relicense under an allowed licence").count == 2, "\(text)")
    }

    @Test("one model is shown in full; --verbose shows a fleet in full")
    func singleModelInFull() throws {
        let single = Self.text(try Self.single(), TextReportRenderer())
        #expect(!single.contains("summary:"), "\(single)")
        #expect(single.contains("expected: no match on ofac-sdn"), "\(single)")
        let verbose = Self.text(try ReportFixture.sample(), TextReportRenderer(verbose: true))
        #expect(verbose.contains("summary:") && verbose.contains("expected: no match on ofac-sdn"), "\(verbose)")
    }

    @Test("ANSI colour only when asked, and colour codes do not count towards the width")
    func colourOnlyWhenAsked() throws {
        let report = try ReportFixture.sample()
        #expect(!Self.text(report, TextReportRenderer(color: false)).contains("\u{1B}"))
        let coloured = Self.text(report, TextReportRenderer(color: true, width: 60))
        #expect(coloured.contains("\u{1B}[31m✘\u{1B}[0m"), "\(coloured)")
        let plain = Self.text(report, TextReportRenderer(color: false, width: 60))
        let stripped = coloured.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
        #expect(stripped == plain)
    }

    @Test("the verdict line says when model files were not checked")
    func verdictLineSaysFilesNotChecked() throws {
        var report = try Self.single()
        #expect(!TextReportRenderer(detail: .quiet).text(report).contains("not checked"))
        report.models[0].findings.append(
            Finding(
                ruleID: IntegrityChecks.artifactsRule, title: "Model files match the manifest", status: .notApplicable,
                severity: .critical, message: "no model directory given (--model-dir): files not checked"))
        #expect(report.modelsWithUncheckedFiles == 1)
        let line = TextReportRenderer(detail: .quiet).text(report)
        #expect(line.contains(" · model files not checked (no model directory given) · "), "\(line)")
        var fleet = try ReportFixture.sample()
        fleet.models[0].findings = report.models[0].findings
        let partial = TextReportRenderer(detail: .quiet).text(fleet)
        #expect(partial.contains("model files not checked for 1 of 2 models"), "\(partial)")
    }

    @Test("input cannot inject escape codes into the compact and quiet lines")
    func compactEscapesInput() throws {
        var report = try Self.single()
        report.models[0].name = "evil\u{1B}[2J\n::error::x"
        let text = TextReportRenderer(detail: .compact).text(report)
        #expect(!text.contains("\u{1B}"))
        #expect(Self.lines(text).allSatisfy { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("::") })
    }

    // MARK: - SARIF

    @Test("every rule carries the policy's remediation, also where every model passed it")
    func sarifRuleRemediation() throws {
        var report = try ReportFixture.sample()
        let passing = Finding(
            ruleID: "vendor.pass-only", title: "A rule every model passes", status: .pass, severity: .low,
            message: "ok")
        report.models[0].findings.insert(passing, at: 0)
        // A failure found after a pass of the same rule: the first finding must not decide.
        let pass = Finding(
            ruleID: "license.allowed", title: "Licence on the allow list", status: .pass, severity: .high,
            message: "ok", controls: ["ISO-42001:A.10.3"])
        report.models.insert(
            ModelReport(
                file: "a-first.json", envelopeSHA256: "", name: "first", version: nil, developer: nil,
                findings: [pass]),
            at: 0)
        report.policyRules = [
            RuleInfo(
                id: "vendor.pass-only", title: "A rule every model passes", severity: .low, controls: [],
                remediation: "Keep passing.")
        ]
        let log = try SARIFReportRenderer().log(report)
        let rules = try #require(log.runs.first?.tool.driver.rules)
        let byID = Dictionary(uniqueKeysWithValues: rules.map { ($0.id, $0) })
        #expect(byID["vendor.pass-only"]?.help.text == "Keep passing.")
        #expect(byID["license.allowed"]?.help.text.hasPrefix("Relicense under an allowed licence") == true)
    }

    @Test("results point at the envelope's lines: a signature, the signatures, the payload")
    func sarifSourceLines() throws {
        let envelope = """
            {
              "payload" : "eyJ9",
              "payloadType" : "application/vnd.in-toto+json",
              "signatures" : [
                {
                  "keyid" : "k1",
                  "sig" : "c2ln"
                },
                {
                  "keyid" : "k2", "sig" : "c2ln"
                }
              ]
            }
            """
        let lines = EnvelopeSourceLines(scanning: Array(envelope.utf8))
        #expect(lines == EnvelopeSourceLines(payload: 2, signatures: 4, signatureEntries: [5, 9]))
        #expect(lines.line(for: "/predicate/hosting/0/country") == 2)
        #expect(lines.line(for: "") == 2)
        #expect(lines.line(for: "/signatures/1") == 9)
        #expect(lines.line(for: "/signatures") == 4)
        #expect(lines.line(for: "/custody/3") == nil)
        // A key named "payload" inside a signature is not the envelope's payload.
        let tricky = EnvelopeSourceLines(scanning: Array("{\"signatures\":[{\"payload\":1}],\n\"payload\":\"x\"}".utf8))
        #expect(tricky.payload == 2 && tricky.signatureEntries == [1])

        var report = try Self.single()
        report.models[0].sourceLines = lines
        let results = try #require(try SARIFReportRenderer().log(report).runs.first?.results)
        for result in results {
            let pointer = result.locations[0].logicalLocations?.first?.fullyQualifiedName
            let line = result.locations[0].physicalLocation.region.startLine
            #expect(line == (lines.line(for: pointer) ?? 1), "\(result.ruleId) \(pointer ?? "-")")
        }
        #expect(results.contains { $0.locations[0].physicalLocation.region.startLine == 2 })
    }

    // MARK: - JSON format version

    @Test("the JSON report carries formatVersion; a report without it is version 1, a newer one is refused")
    func formatVersion() throws {
        let report = try ReportFixture.sample()
        let json = String(decoding: try JSONReportRenderer().render(report), as: UTF8.self)
        #expect(json.contains("\n  \"formatVersion\" : 1,\n"), "\(json.prefix(300))")
        var object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        object.removeValue(forKey: "formatVersion")
        let old = try JSONDecoder().decode(AuditReport.self, from: try JSONSerialization.data(withJSONObject: object))
        #expect(old.formatVersion == 1)
        object["formatVersion"] = 2
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(AuditReport.self, from: try JSONSerialization.data(withJSONObject: object))
        }
    }

    @Test("the streamed fleet JSON carries formatVersion too")
    func streamedFormatVersion() throws {
        let auditor = try FleetStreamingTests.auditor(jobs: 2)
        let files = try Auditor.envelopeFiles([FleetStreamingTests.root.appendingPathComponent("manifests").path])
        var streamed: [UInt8] = []
        _ = try auditor.writeJSONReport(files: files, mode: .enforce) { streamed += $0 }
        let object = try #require(try JSONSerialization.jsonObject(with: Data(streamed)) as? [String: Any])
        #expect(object["formatVersion"] as? Int == AuditReport.currentFormatVersion)
    }

    // MARK: - artifacts.required

    static func subject(artifacts: ArtifactCheckResult?) throws -> EvaluationSubject {
        let statement = try ManifestText().statement()
        return EvaluationSubject(
            file: "m.json", envelopeSHA256: "", signatures: EnvelopeVerification(
                payloadType: DSSEEnvelope.inTotoPayloadType, threshold: 1, signatures: [], time: PolicyFixture.time),
            statement: statement, time: PolicyFixture.time, screeningLists: [:], artifacts: artifacts)
    }

    @Test("artifacts.required fails when the files were not checked, differ or are none, and passes when they match")
    func artifactsRequired() throws {
        let check = try #require(
            ArtifactsRequired(
                parameters: ObjectReader(JSONObject(), pointer: "", log: ProblemLog()),
                context: PolicyParseContext(screeningListIDs: [])))
        let unchecked = check.evaluate(try Self.subject(artifacts: nil))
        #expect(unchecked.map(\.status) == [.fail])
        #expect(unchecked.first?.message.contains("not checked") == true)
        let file = ArtifactDigest(path: "w.bin", digest: String(repeating: "0", count: 64), size: 1)
        let matched = ArtifactCheckResult(verified: [file], problems: [], warnings: [])
        #expect(check.evaluate(try Self.subject(artifacts: matched)).map(\.status) == [.pass])
        let none = ArtifactCheckResult(verified: [], problems: [], warnings: [])
        #expect(check.evaluate(try Self.subject(artifacts: none)).map(\.status) == [.fail])
        let differing = ArtifactCheckResult(
            verified: [], problems: [ArtifactProblem(path: "w.bin", kind: .missing)], warnings: [])
        #expect(check.evaluate(try Self.subject(artifacts: differing)).map(\.status) == [.fail])
    }
}
