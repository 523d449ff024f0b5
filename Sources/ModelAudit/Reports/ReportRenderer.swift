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

    public init(color: Bool = false, artifactBase: String? = nil, verbose: Bool = false) {
        self.color = color
        self.artifactBase = artifactBase
        self.verbose = verbose
    }
}

extension ReportFormat {
    /// The renderer for this format.
    public func renderer(options: RenderOptions = RenderOptions()) -> any ReportRenderer {
        switch self {
        case .text: return TextReportRenderer(color: options.color, verbose: options.verbose)
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

    /// The models are encoded concurrently, each on its own, and set into the report's `models` array with the
    /// indentation the whole-report encoding gives them: the bytes are the same as `ReportJSON.encode(report)`,
    /// but a 10,000-model fleet no longer waits on one encoder.
    public func render(_ report: AuditReport) throws -> [UInt8] {
        guard report.models.count > 1 else { return try ReportJSON.encode(report) }
        var shell = report
        shell.models = []
        let outline = try ReportJSON.encode(shell)
        let key = Array("\"models\" : [".utf8)
        guard let start = Self.find(key, in: outline) else { return try ReportJSON.encode(report) }
        var close = start + key.count
        while close < outline.count, outline[close] == 0x0A || outline[close] == 0x20 { close += 1 }
        guard close < outline.count, outline[close] == UInt8(ascii: "]") else { return try ReportJSON.encode(report) }

        let models = report.models
        let encoded = IndexedResults<Result<[UInt8], any Error>>(count: models.count)
        let chunk = 64
        DispatchQueue.concurrentPerform(iterations: (models.count + chunk - 1) / chunk) { part in
            for index in (part * chunk)..<min(models.count, (part + 1) * chunk) {
                encoded.set(index, Result { try Self.indented(ReportJSON.encode(models[index])) })
            }
        }
        var out: [UInt8] = Array(outline[..<(start + key.count)])
        out.append(0x0A)
        for (index, slot) in encoded.values.enumerated() {
            guard let model = try slot?.get() else { return try ReportJSON.encode(report) }
            if index > 0 { out.append(contentsOf: Array(",\n".utf8)) }
            out.append(contentsOf: model)
        }
        out.append(0x0A)
        out.append(contentsOf: Array("  ".utf8))
        out.append(contentsOf: outline[close...])
        return out
    }

    /// One model's pretty JSON as it stands inside the report's `models` array: every non-empty line indented four
    /// spaces (the encoder leaves the blank line of an empty array blank), without the trailing newline.
    static func indented(_ json: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(json.count + json.count / 8)
        let body = json.last == 0x0A ? json.dropLast() : json[...]
        var atLineStart = true
        for byte in body {
            if atLineStart && byte != 0x0A { out.append(contentsOf: [0x20, 0x20, 0x20, 0x20]) }
            out.append(byte)
            atLineStart = byte == 0x0A
        }
        return out
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if haystack[start..<(start + needle.count)].elementsEqual(needle) { return start }
        }
        return nil
    }
}
