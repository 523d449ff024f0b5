extension Auditor {
    /// Audits `files` and writes the JSON report to `write` while doing so, model by model in report order, keeping
    /// only counts and waiver matches: memory stays flat however large the fleet. The bytes are those of
    /// `JSONReportRenderer` on the report `report(models:mode:)` would give. Each piece is lent to `write` for the
    /// call only (a model's bytes stay where its encoder wrote them); a caller that keeps them copies them.
    ///
    /// 1. The files are put in report order (`AuditReport` sorts models by file), and the head of the report —
    ///    everything before the first model — is written.
    /// 2. Each worker audits a model and encodes it (`ModelReportJSON`); the encoded models are written in order
    ///    as soon as each and every one before it are ready (`auditFleet(files:prepare:deliver:)`).
    /// 3. The summary and the waivers are computed from what was kept, and the rest of the report is written.
    ///
    /// Returns the report without its models, carrying the summary (and so the verdict) of the whole run.
    public func writeJSONReport(
        files: [String], mode: PolicyMode, to write: (UnsafeRawBufferPointer) throws -> Void
    ) throws -> AuditReport {
        let frame = try JSONReportFrame(shell: report(models: [], mode: mode))
        try frame.head.withUnsafeBytes(write)
        var summary = ReportSummary(models: [])
        var waiverMatches: [ModelReport] = []
        var written = 0
        // The JSON report has no use for where members sit in each envelope (only SARIF does).
        var auditor = self
        auditor.recordsSourceLines = false
        try auditor.auditFleet(
            files: files.sorted(),
            prepare: { model in StreamedModel(model) },
            deliver: { model in
                // Encoded behind the separator every model after the first takes; the first drops its comma.
                try model.json.withUnsafeBytes(from: written == 0 ? StreamedModel.separator.count - 1 : 0, write)
                written += 1
                summary.add(model.summary)
                if let matches = model.waiverMatches { waiverMatches.append(matches) }
            })
        var shell = report(models: waiverMatches, mode: mode)
        shell.models = []
        shell.summary = summary
        try frame.tail(shell, after: written).withUnsafeBytes(write)
        return shell
    }
}

/// What a streamed run keeps of one model once it is encoded: its JSON, its counts, and — only when a waiver
/// matched — the file and matches the report's waiver section needs.
private struct StreamedModel: Sendable {
    let json: WrittenJSON
    let summary: ReportSummary
    let waiverMatches: ModelReport?
    /// What goes before every model but the first (`JSONReportFrame.separator`); the first takes its last byte.
    static let separator = JSONReportFrame.separator(before: 1)

    init(_ model: ModelReport) {
        json = ModelReportJSON.elementText(model, prefix: StreamedModel.separator)
        var one = ReportSummary(models: [])
        one.count(model)
        summary = one
        waiverMatches = model.waiverMatches.isEmpty ? nil : ModelReport(
            file: model.file, envelopeSHA256: model.envelopeSHA256, name: model.name, version: model.version,
            developer: model.developer, findings: [], waiverMatches: model.waiverMatches)
    }
}

extension ReportSummary {
    /// Adds the counts of `other` to these.
    mutating func add(_ other: ReportSummary) {
        models += other.models
        compliant += other.compliant
        nonCompliant += other.nonCompliant
        couldNotEvaluate += other.couldNotEvaluate
        for (status, count) in other.findings { findings[status, default: 0] += count }
    }
}
