import ArgumentParser
import Foundation
import ModelAudit

/// `--format FORMAT[=FILE]` (repeatable), `--output FILE` for formats without a file, and `--mode`.
///
/// Everything is parsed by ArgumentParser; nothing re-reads the command line. `--format html=report.html` names each
/// format's file. The older spelling, `--format F --output FILE`, still works where the pairing is unambiguous: as
/// many `--output`s as formats without a file (paired in order), or one format and one `--output`.
struct ReportOutputOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Report format: text, json, sarif, junit, github, markdown, html; FORMAT=FILE writes it to FILE. Repeat for "
            + "several; at most one goes to standard output.", valueName: "format[=file]"))
    var format: [ReportFormatArgument] = []

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp(
        "Write a format given without =FILE here; with several such formats, one --output each, in order.",
        valueName: "file"))
    var output: [String] = []

    @Option(name: .long, help: "enforce (default): failures exit 1; audit: report everything and exit 0.")
    var mode: PolicyMode?

    @Flag(name: .shortAndLong, help: "List every passing and not-applicable finding in the text report.")
    var verbose = false

    @Option(name: .long, help: ArgumentHelp(
        "Colour the text report: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always, never.",
        valueName: "when"))
    var color: ColorChoice = .auto

    @Flag(name: .shortAndLong, help: "Text report: print only the verdict line.")
    var quiet = false

    @Flag(name: .long, help: "Text report: one line per failing rule of each model, then the verdict line.")
    var compact = false

    func validate() throws {
        if quiet && compact { throw ValidationError("give --quiet or --compact, not both") }
        _ = try destinations()
    }

    /// How much of the text report to print.
    var textDetail: TextReportRenderer.Detail {
        quiet ? .quiet : compact ? .compact : .full
    }

    /// The renderer options for a report going to standard output or to a file.
    func renderOptions(toStdout: Bool) -> RenderOptions {
        let terminal = toStdout ? TerminalSettings.standardOutput(color) : TerminalSettings.file()
        return RenderOptions(
            color: terminal.color, verbose: verbose, width: terminal.width, textDetail: textDetail)
    }

    /// Each requested format with its file (`nil` or `-` for standard output).
    func destinations() throws -> [(format: ReportFormat, path: String?)] {
        var pairs = format.map { (format: $0.format, path: $0.path) }
        if pairs.isEmpty { pairs = [(.text, nil)] }
        let unpaired = pairs.indices.filter { pairs[$0].path == nil }
        if !output.isEmpty {
            guard output.count == unpaired.count || (unpaired.count == 1 && output.count == 1) else {
                let formats = unpaired.map { pairs[$0].format.rawValue }.joined(separator: ", ")
                throw ValidationError(
                    "\(output.count) --output for \(unpaired.count) format(s) without a file (\(formats)); name each "
                        + "format's file with --format FORMAT=FILE, e.g. --format html=report.html")
            }
            for (index, path) in zip(unpaired, output) { pairs[index].path = path }
        }
        if pairs.filter({ $0.path == nil || $0.path == "-" }).count > 1 {
            throw ValidationError(
                "only one --format may go to standard output; give the others a file: --format FORMAT=FILE")
        }
        return pairs
    }

    /// Whether JSON goes to standard output, so an error must be answered in JSON there too.
    var wantsJSONOnStdout: Bool {
        ((try? destinations()) ?? []).contains { $0.format == .json && ($0.path == nil || $0.path == "-") }
    }

    /// Renders `report` in every requested format and writes each to its destination.
    func write(_ report: AuditReport) throws {
        for (format, path) in try destinations() {
            let toStdout = path == nil || path == "-"
            let renderer = format.renderer(options: renderOptions(toStdout: toStdout))
            let bytes = try renderer.render(report)
            if toStdout {
                Terminal.write(bytes)
            } else if let path {
                try AtomicFile.write(bytes, to: path)
            }
            if format == .github, let summary = ProcessInfo.processInfo.environment["GITHUB_STEP_SUMMARY"],
                !summary.isEmpty
            {
                try GitHubStepSummary.append(GitHubReportRenderer().summaryMarkdown(report), to: summary)
            }
        }
    }
}

/// Appends to the file GitHub Actions shows as the job summary.
enum GitHubStepSummary {
    /// The runner owns the file and reads it after the step, so it is appended to in place, never replaced.
    static func append(_ markdown: String, to path: String) throws {
        try AtomicFile.append(Array(markdown.utf8), to: path)
    }
}

/// A `--format` value: `FORMAT` or `FORMAT=FILE` (split at the first `=`; `-` as FILE is standard output).
struct ReportFormatArgument: ExpressibleByArgument {
    let format: ReportFormat
    let path: String?

    init?(argument: String) {
        let name = argument.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        guard let format = ReportFormat(rawValue: String(name[0])) else { return nil }
        if name.count == 2 {
            guard !name[1].isEmpty else { return nil }
            path = String(name[1])
        } else {
            path = nil
        }
        self.format = format
    }

    static var allValueStrings: [String] { ReportFormat.allCases.map { $0.rawValue } }
}

extension PolicyMode: CaseArgument {}
