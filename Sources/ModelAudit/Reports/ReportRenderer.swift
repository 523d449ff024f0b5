import Foundation

/// The output formats a report can be rendered in.
public enum ReportFormat: String, Sendable, CaseIterable {
    case text
    case json
    case sarif
    case junit
    case github
    case markdown
    case html
}

/// Turns an `AuditReport` into bytes in one format. One renderer per file, each a small value type.
public protocol ReportRenderer: Sendable {
    static var format: ReportFormat { get }
    func render(_ report: AuditReport) throws -> [UInt8]
}

/// Options the renderers share.
public struct RenderOptions: Sendable {
    /// ANSI colour in the text renderer (the CLI sets this only for a terminal without `NO_COLOR`).
    public var color: Bool
    /// Path of each model's envelope as SARIF/GitHub locations should name it (defaults to the file as given).
    public var artifactBase: String?
    /// List passing and not-applicable findings one by one in the text report.
    public var verbose: Bool
    /// The text report's line width (the CLI takes it from `COLUMNS` or the terminal).
    public var width: Int
    /// How much of the text report to print.
    public var textDetail: TextReportRenderer.Detail

    public init(
        color: Bool = false, artifactBase: String? = nil, verbose: Bool = false, width: Int = 100,
        textDetail: TextReportRenderer.Detail = .full
    ) {
        self.color = color
        self.artifactBase = artifactBase
        self.verbose = verbose
        self.width = width
        self.textDetail = textDetail
    }
}

extension ReportFormat {
    /// The renderer for this format.
    public func renderer(options: RenderOptions = RenderOptions()) -> any ReportRenderer {
        switch self {
        case .text:
            return TextReportRenderer(
                color: options.color, verbose: options.verbose, width: options.width, detail: options.textDetail)
        case .json: return JSONReportRenderer()
        case .sarif: return SARIFReportRenderer(artifactBase: options.artifactBase)
        case .junit: return JUnitReportRenderer()
        case .github: return GitHubReportRenderer(artifactBase: options.artifactBase)
        case .markdown: return MarkdownReportRenderer()
        case .html: return HTMLReportRenderer()
        }
    }
}

/// The JSON report: the `AuditReport` itself, sorted keys, pretty-printed (`schemas/report.schema.json`).
public struct JSONReportRenderer: ReportRenderer {
    public static let format = ReportFormat.json
    public init() {}

    /// The models are written by `ModelReportJSON`, concurrently, into the report's frame (`JSONReportFrame`): the
    /// bytes are the same as `ReportJSON.encode(report)`, the way a streamed fleet run writes them too.
    public func render(_ report: AuditReport) throws -> [UInt8] {
        guard report.models.count > 1 else { return try ReportJSON.encode(report) }
        let frame = try JSONReportFrame(shell: report)
        let models = report.models
        let encoded = IndexedResults<[UInt8]>(count: models.count)
        let chunk = 64
        DispatchQueue.concurrentPerform(iterations: (models.count + chunk - 1) / chunk) { part in
            for index in (part * chunk)..<min(models.count, (part + 1) * chunk) {
                encoded.set(index, ModelReportJSON.element(models[index]))
            }
        }
        var out = frame.head
        for (index, model) in encoded.values.enumerated() {
            out.append(contentsOf: JSONReportFrame.separator(before: index))
            out.append(contentsOf: model ?? [])
        }
        out.append(contentsOf: try frame.tail(report, after: models.count))
        return out
    }
}
