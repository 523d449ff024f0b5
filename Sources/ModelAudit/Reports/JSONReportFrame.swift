/// The JSON report around its models: what comes before the first model and what follows the last, so the
/// models can be written one by one between them — in memory by `JSONReportRenderer`, or straight to a file
/// while a fleet is still being audited.
///
/// Both parts are cut from `ReportJSON.encode` of the report without its models, so they are byte for byte what
/// the whole-report encoding writes; each model is `ModelReportJSON.element`, separated by `,` and a line break.
public struct JSONReportFrame: Sendable {
    /// Everything up to and including `"models" : [`. Only `evaluatedAt`, `formatVersion` and `mode` sort before
    /// `models`, so the head is known before any model is.
    public let head: [UInt8]

    /// The head of the report `shell` (its models are ignored).
    public init(shell: AuditReport) throws {
        head = try Self.cut(shell).head
    }

    /// What follows `count` models: the closing bracket and the members after `models`, from `shell` (which by now
    /// carries the summary and waivers of the whole run; its models are ignored).
    public func tail(_ shell: AuditReport, after count: Int) throws -> [UInt8] {
        let parts = try Self.cut(shell)
        // An empty array keeps the encoder's blank line; a filled one closes on a line of its own.
        return count == 0 ? parts.emptyTail : Array("\n  ".utf8) + parts.closing
    }

    /// Goes between models: nothing before the first model's line break, a comma before every other's.
    public static func separator(before index: Int) -> [UInt8] {
        index == 0 ? [0x0A] : [UInt8(ascii: ","), 0x0A]
    }

    /// The encoded report has no `models` array to write the models into: a defect, reported as a failed write.
    public struct OutlineError: AuditError {
        public var code: AuditErrorCode { .writeFailed }
        public var description: String { "cannot write the JSON report: its outline has no models array" }
    }

    /// The outline without models, cut after `"models" : [` (head), after it (empty tail) and at its `]` (closing).
    private static func cut(_ shell: AuditReport) throws -> (head: [UInt8], emptyTail: [UInt8], closing: [UInt8]) {
        var outline = shell
        outline.models = []
        let bytes = try ReportJSON.encode(outline)
        let key = Array("\n  \"models\" : [".utf8)
        guard let start = find(key, in: bytes) else { throw OutlineError() }
        let afterKey = start + key.count
        var close = afterKey
        while close < bytes.count, bytes[close] == 0x0A || bytes[close] == 0x20 { close += 1 }
        guard close < bytes.count, bytes[close] == UInt8(ascii: "]") else { throw OutlineError() }
        return (Array(bytes[..<afterKey]), Array(bytes[afterKey...]), Array(bytes[close...]))
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if haystack[start..<(start + needle.count)].elementsEqual(needle) { return start }
        }
        return nil
    }
}

extension ReportSummary {
    /// Adds one model to the counts, for a run that does not keep its models.
    public mutating func count(_ model: ModelReport) {
        models += 1
        switch model.verdict {
        case .compliant: compliant += 1
        case .nonCompliant: nonCompliant += 1
        case .couldNotEvaluate: couldNotEvaluate += 1
        }
        // Tallied per status first: one dictionary update per status present, not one per finding.
        let statuses = FindingStatus.allCases
        var tally = [Int](repeating: 0, count: statuses.count)
        // By position: a `for … in` loop copies every finding (a dozen strings) to read its status.
        for index in model.findings.indices {
            if let position = statuses.firstIndex(of: model.findings[index].status) { tally[position] += 1 }
        }
        for (position, status) in statuses.enumerated() where tally[position] > 0 {
            findings[status.rawValue, default: 0] += tally[position]
        }
    }

    /// The run's verdict from the counts: the worst model verdict, as `AuditReport.verdict` says it.
    public var verdict: Verdict {
        if nonCompliant > 0 { return .nonCompliant }
        if couldNotEvaluate > 0 { return .couldNotEvaluate }
        return .compliant
    }
}
