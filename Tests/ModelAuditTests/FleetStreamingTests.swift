import Foundation
import Testing

@testable import ModelAudit

/// The fleet path: models written without `JSONEncoder`, the JSON report streamed while the fleet is audited, the
/// ordered hand-off between workers and the writer, and a streamed atomic write.
@Suite struct FleetStreamingTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// A model that uses every field, every optional both present and absent, empty arrays, and strings holding
    /// every character the encoder or `JSONText.terminalSafe` escapes.
    static func oddModel() -> ModelReport {
        var controls = ""
        for value in 0..<0x20 { controls.unicodeScalars.append(Unicode.Scalar(UInt8(value))) }
        let awkward = controls + "\"\\/\u{7F}\u{80}\u{9B}[2J é ✓ 𝔘 \u{202E}rtl\u{2028}##[error]x #[y] ##"
        return ModelReport(
            file: "fleet/\(awkward).json", envelopeSHA256: String(repeating: "ab", count: 32), name: awkward,
            version: nil, developer: "Dev \u{1B}[31m",
            findings: [
                Finding(
                    ruleID: "R-1", title: awkward, status: .fail, severity: .critical, message: "m\nline",
                    expected: "", observed: awkward, pointer: "/a~1b", controls: [], remediation: awkward,
                    path: [], waiver: WaiverNote(justification: awkward, approver: "a@b", expires: "2026-01-01")),
                Finding(ruleID: "R-2", title: "t", status: .notApplicable, severity: .info, message: "", path: ["x"]),
            ],
            lineage: LineageNode(
                name: awkward, relation: nil, manifestSHA256: nil, status: "verified", developer: nil,
                parents: [
                    LineageNode(
                        name: "p", relation: "fine-tune", manifestSHA256: "00", status: "cycle", developer: "d",
                        parents: [], repeated: true),
                    LineageNode(
                        name: "q", relation: "distil", manifestSHA256: nil, status: "missing", developer: nil,
                        parents: [], repeated: false),
                ]),
            custody: [],
            signers: [
                SignerIdentity(
                    kind: .keyless, keyID: "sha256:00", san: awkward, oidcIssuer: "https://issuer.example",
                    logIndex: 9_007_199_254_740_993, integratedTime: "2026-01-01T00:00:00Z",
                    timestampAuthorityTime: "2026-01-01T00:00:01Z"),
                SignerIdentity(kind: .certificate, certificateSubject: awkward, certificateIssuer: "CN=CA"),
                SignerIdentity(kind: .key, keyID: "sha256:01", owner: awkward),
            ])
    }

    @Test("ModelReportJSON writes exactly what the report's JSONEncoder writes")
    func modelWriterMatchesTheEncoder() throws {
        var report = try ReportFixture.sample()
        let odd = Self.oddModel()
        var plain = ModelReport(
            file: "plain.json", envelopeSHA256: "", name: nil, version: nil, developer: nil, findings: [],
            custody: [CustodyHop(index: 12, action: "a", actor: "b", country: "GB", time: "t", status: "s")],
            subjects: [
                SubjectDigest(name: "weights/\u{1B}x.bin", digest: ["sha256": String(repeating: "0f", count: 32)]),
                SubjectDigest(name: "b", digest: ["sha512": "ab", "blake3": "cd", "sha256": "ef"]),
                // Byte order and Swift's `<` disagree here: `e` + U+0301 sorts as `é` for `<`, first by its bytes.
                SubjectDigest(name: "c", digest: ["\u{E9}": "01", "e\u{301}x": "02"]),
            ])
        plain.lineage = nil
        report.models += [odd, plain]
        #expect(try JSONReportRenderer().render(report) == ReportJSON.encode(report))
        for model in report.models {
            var alone = report
            alone.models = [model]
            let whole = String(decoding: try ReportJSON.encode(alone), as: UTF8.self)
            let element = String(decoding: ModelReportJSON.element(model), as: UTF8.self)
            #expect(whole.contains("\"models\" : [\n" + element + "\n  ]"), "\(model.file)")
        }
    }

    @Test("a finding written from its rule's template reads as the encoder writes it, and one that left it as well")
    func templatedFindingsMatchTheEncoder() throws {
        let awkward = Self.oddModel().name ?? ""
        let template = FindingTemplate(
            RuleInfo(
                id: "R-\(awkward)", title: awkward, severity: .high, controls: [awkward, "C-2"], remediation: awkward))
        let bare = FindingTemplate(RuleInfo(id: "R-2", title: "t", severity: .low, controls: [], remediation: nil))
        func finding(
            _ template: FindingTemplate, status: FindingStatus = .fail, remediation: String? = nil,
            change: (inout Finding) -> Void = { _ in }
        ) -> Finding {
            let rule = template.rule
            var finding = Finding(
                ruleID: rule.id, title: rule.title, status: status, severity: rule.severity, message: "m \(awkward)",
                expected: awkward, observed: "o", pointer: "/p", controls: rule.controls, remediation: remediation)
            finding.template = template
            change(&finding)
            return finding
        }
        let findings = [
            finding(template, remediation: template.rule.remediation),  // the rule's remediation: from the template
            finding(template, remediation: "the outcome's own \(awkward)"),
            finding(template, status: .pass),
            finding(template) { $0.path = ["model", awkward] },
            finding(template) {
                $0.status = .waived
                $0.waiver = WaiverNote(justification: awkward, approver: "a@b", expires: "2026-01-01")
            },
            // No longer what the template says: written member by member.
            finding(template) { $0.title = "changed" },
            finding(template) { $0.ruleID = "R-other" },
            finding(template) { $0.severity = .info },
            finding(template) { $0.controls = ["C-9"] },
            finding(bare, remediation: "r"),
            finding(bare, status: .notApplicable) { $0.expected = nil; $0.observed = nil; $0.pointer = nil },
        ]
        #expect(findings.allSatisfy { $0.template != nil })
        var untemplated = findings[0]
        untemplated.template = nil
        #expect(untemplated == findings[0], "a template says how a finding is written, not what it found")
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(try encoder.encode(untemplated) == encoder.encode(findings[0]))
        let model = ModelReport(
            file: "t.json", envelopeSHA256: "", name: nil, version: nil, developer: nil, findings: findings)
        var report = try ReportFixture.sample()
        report.models = [model]
        let whole = String(decoding: try ReportJSON.encode(report), as: UTF8.self)
        let element = String(decoding: ModelReportJSON.element(model), as: UTF8.self)
        #expect(whole.contains("\"models\" : [\n" + element + "\n  ]"))
        // Templates are written for the depth a finding's members have in a model's JSON; were that depth to change,
        // every finding would quietly take the slow path.
        let indentation = String(repeating: " ", count: 2 * FindingTemplate.reportLevel)
        #expect(element.contains("\n" + indentation + "\"ruleID\" : \"R-2\""))
    }

    @Test("the evaluator's and the integrity checks' findings carry their rule's template, and it matches them")
    func findingsCarryTemplates() throws {
        let auditor = try Self.auditor(jobs: 1)
        let files = try Auditor.envelopeFiles([Self.root.appendingPathComponent("manifests").path])
        let findings = auditor.auditFleet(files: files).flatMap(\.findings)
        let ruleIDs = Set((auditor.policy?.rules ?? []).map(\.header.id))
        let fromRules = findings.filter { ruleIDs.contains($0.ruleID) }
        #expect(!fromRules.isEmpty)
        for finding in fromRules {
            let template = try #require(finding.template, "\(finding.ruleID)")
            #expect(template.matches(finding), "\(finding.ruleID)")
        }
        // Every integrity finding the sample fleet gets (signatures, manifest, custody, files) has its rule's usual
        // title, severity and controls.
        let integrity = findings.filter { IntegrityChecks.ruleIDs.contains($0.ruleID) }
        #expect(Set(integrity.map(\.ruleID)) == IntegrityChecks.ruleIDs)
        for finding in integrity {
            let template = try #require(finding.template, "\(finding.ruleID)")
            #expect(template.matches(finding), "\(finding.ruleID) \(finding.status)")
        }
        #expect(findings.filter { !ruleIDs.contains($0.ruleID) && !IntegrityChecks.ruleIDs.contains($0.ruleID) }
            .allSatisfy { $0.template == nil })
    }

    @Test("every byte the writer must escape is found wherever it sits in a string, and deep lines indent right")
    func specialBytesAtEveryPosition() throws {
        // The fast path tests eight bytes at a time, then one: a special byte (or `##[`, which the terminal-safe
        // form escapes) is put at every position of strings of many lengths, and the model is nested deep enough
        // that its indentation runs to dozens of spaces.
        let specials: [String] = [
            "\"", "\\", "##[", "#", "~", "!", "$", "[", "]", " ", "\u{7E}\u{7F}", "\u{FF}", "\u{7F}", "\u{1F}", "\n",
            "\u{0}", "é", "\u{80}", "✓",
        ]
        var strings: [String] = []
        for length in [1, 7, 8, 9, 15, 16, 17, 23, 24, 31, 32, 33, 40] {
            for position in 0..<length {
                for special in specials {
                    var characters = Array(repeating: "a", count: length)
                    characters[position] = special
                    strings.append(characters.joined())
                }
            }
            strings.append(String(repeating: "z", count: length))
        }
        var deep = LineageNode(
            name: "root", relation: nil, manifestSHA256: nil, status: "verified", developer: nil, parents: [])
        for generation in 0..<12 {
            deep = LineageNode(
                name: "g\(generation)", relation: "fine-tune", manifestSHA256: nil, status: "verified",
                developer: nil, parents: [deep])
        }
        let model = ModelReport(
            file: "f.json", envelopeSHA256: "", name: nil, version: nil, developer: nil,
            findings: strings.map {
                Finding(ruleID: "R", title: $0, status: .pass, severity: .info, message: $0, path: [])
            },
            lineage: deep)
        var report = try ReportFixture.sample()
        report.models = [model]
        let whole = String(decoding: try ReportJSON.encode(report), as: UTF8.self)
        let element = String(decoding: ModelReportJSON.element(model), as: UTF8.self)
        #expect(whole.contains("\"models\" : [\n" + element + "\n  ]"))
    }

    /// The sample fleet with the enterprise policy, as `make run` audits it.
    static func auditor(jobs: Int) throws -> Auditor {
        let path = { (name: String) in Self.root.appendingPathComponent(name).path }
        return Auditor(
            policy: try PolicyLoader.load(path: path("policies/enterprise-default.yaml")),
            context: AuditContext(
                time: try #require(RFC3339.parse("2026-10-01T00:00:00Z")),
                trust: AuditContext.Trust(store: try TrustStore.load(directory: path("keys"))),
                store: try ManifestStore.load(directory: path("manifests")), concurrency: jobs))
    }

    @Test("a streamed JSON report equals the report rendered in memory", arguments: [1, 2, 8])
    func streamedEqualsInMemory(jobs: Int) throws {
        let auditor = try Self.auditor(jobs: jobs)
        let files = try Auditor.envelopeFiles([Self.root.appendingPathComponent("manifests").path])
        // Given out of order, and one file twice: the report is in file order either way.
        let given = files.reversed() + [files[0]]
        let report = auditor.report(models: auditor.auditFleet(files: given), mode: .enforce)
        #expect(report.models.count == given.count)
        var streamed: [UInt8] = []
        var writes = 0
        let shell = try auditor.writeJSONReport(files: given, mode: .enforce) { bytes in
            streamed += bytes
            writes += 1
        }
        #expect(writes == given.count + 2, "the head, one write per model, the tail")
        #expect(streamed == (try ReportJSON.encode(report)))
        #expect(streamed == (try JSONReportRenderer().render(report)))
        #expect(shell.models.isEmpty)
        #expect(shell.summary == report.summary)
        #expect(shell.summary.verdict == report.verdict)
        #expect(shell.waivers == report.waivers)
        #expect(report.waivers.contains { $0.state != .unused }, "the fleet exercises the waiver section")
    }

    @Test("a write that fails stops the run and is rethrown")
    func failingWriteStops() throws {
        struct Full: Error {}
        let auditor = try Self.auditor(jobs: 2)
        let files = try Auditor.envelopeFiles([Self.root.appendingPathComponent("manifests").path])
        var writes = 0
        #expect(throws: Full.self) {
            _ = try auditor.writeJSONReport(files: files, mode: .enforce) { _ in
                writes += 1
                if writes == 3 { throw Full() }
            }
        }
        #expect(writes == 3, "nothing is written after the failure")
    }

    @Test("the hand-off delivers every result once, in order, whatever order the workers finish in")
    func handOffKeepsOrder() throws {
        let count = 2_000
        let handOff = OrderedHandOff<Int>(count: count, window: 8)
        // Not locked: the hand-off promises one delivery at a time, and a race here would lose or reorder values.
        final class Received: @unchecked Sendable { var values: [Int] = [] }
        let received = Received()
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            while let index = handOff.take() {
                if (index + worker) % 7 == 0 { usleep(50) }
                handOff.put(index, index * 3) { received.values.append($0) }
            }
        }
        try handOff.finish()
        #expect(received.values == (0..<count).map { $0 * 3 })
    }

    @Test("a streamed atomic write replaces the file only when the producer finishes")
    func streamedAtomicWrite() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("stream-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("report.json").path
        try AtomicFile.write(Array("old\n".utf8), to: path)
        struct Stop: Error {}
        #expect(throws: Stop.self) {
            try AtomicFile.write(to: path) { write in
                try Array("half".utf8).withUnsafeBytes { try write($0) }
                throw Stop()
            }
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "old\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["report.json"])
        try AtomicFile.write(to: path) { write in
            for piece in ["new", " ", "report\n"] { try Array(piece.utf8).withUnsafeBytes { try write($0) } }
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "new report\n")
    }

    @Test("a string of nothing but Unicode white space is still blank, one with any other character is not")
    func blankStrings() throws {
        let blank = " \t\n\r\u{0B}\u{0C}\u{85}\u{A0}\u{1680}\u{2000}\u{200A}\u{2028}\u{2029}\u{202F}\u{205F}\u{3000}"
        for text in [blank, "", " "] {
            #expect(text.unicodeScalars.allSatisfy(\.properties.isWhitespace)
                == text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
        }
        let log = ProblemLog()
        let object = try JSONObject([("name", .string(blank)), ("other", .string(" x "))])
        let reader = ObjectReader(object, pointer: "", log: log)
        #expect(reader.string("name") == nil)
        #expect(reader.string("other") == " x ")
        #expect(log.problems.map(\.message) == ["required, not filled in"])
    }

    /// The fixture's models repeated under new file names until the report has `count` of them.
    static func largeReport(_ count: Int) throws -> AuditReport {
        var report = try ReportFixture.sample()
        let originals = report.models
        report.models = (0..<count).map { index in
            var model = originals[index % originals.count]
            model.file = String(format: "fleet/model-%05d.json", index)
            return model
        }
        report.summary = ReportSummary(models: report.models)
        return report
    }

    @Test("a large fleet's HTML puts the summary first, collapses each model and stays small")
    func fleetHTML() throws {
        let count = HTMLReportRenderer.fullDetailLimit + 10
        let report = try Self.largeReport(count)
        let html = String(decoding: try HTMLReportRenderer().render(report), as: UTF8.self)
        let lower = html.lowercased()
        #expect(!lower.contains("<script") && !lower.contains("<nav"))
        // The verdict chart is the only figure: no lineage or custody drawing per model.
        #expect(lower.components(separatedBy: "<svg").count == 2 && lower.contains("<svg id=\"verdict-chart\""))
        #expect(!lower.contains(" style=\""), "styling is by classes in the one style sheet")
        let order = ["id=\"failures-title\"", "id=\"controls-title\"", "id=\"waivers-title\"", "id=\"rules\"",
            "<table id=\"verdicts\"", "<details class=\"model\""]
        let positions = try order.map { try #require(html.range(of: $0), "\($0) is missing").lowerBound }
        #expect(positions == positions.sorted(), "summary, waivers, rules and verdicts come before the models")
        #expect(!html.contains("<details class=\"model\" id=\"model-1\" open"))
        // Every model that failed has a collapsed block, linked from its verdict row; every link lands.
        let failing = report.models.indices.filter { report.models[$0].verdict != .compliant }
        for index in failing {
            #expect(html.contains("<details class=\"model\" id=\"model-\(index + 1)\">"))
            #expect(html.contains("<a href=\"#model-\(index + 1)\">"))
        }
        for reference in HTMLReferences.values(in: html) {
            #expect(reference.hasPrefix("#"), "non-local reference \(reference)")
            #expect(html.contains("id=\"\(reference.dropFirst())\""), "\(reference) points nowhere")
        }
        // Input is escaped; findings that need attention are there, passing ones only counted.
        #expect(!html.contains("<eu>") && html.contains("&lt;eu&gt;"))
        #expect(html.contains("Globex | Trading"))
        #expect(!html.contains("SOC 2 Type II audit is current"))
        #expect(html.utf8.count / count < 2_500, "\(html.utf8.count / count) bytes a model")

        let small = String(decoding: try HTMLReportRenderer().render(try Self.largeReport(3)), as: UTF8.self)
        #expect(small.contains("<svg") && !small.contains("<details class=\"model\""), "a small report keeps its figures")
    }
}
