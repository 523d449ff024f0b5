import ArgumentParser
import Foundation
import ModelAudit

/// `--format` (repeatable), each optionally followed by `--output FILE`, and `--mode`.
struct ReportOutputOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Report format: text, json, sarif, junit, github, markdown, html. Repeat for several; each may be followed "
            + "by --output FILE.", valueName: "format"))
    var format: [ReportFormatArgument] = []

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp(
        "Write the preceding --format here instead of standard output.", valueName: "file"))
    var output: [String] = []

    @Option(name: .long, help: "enforce (default): failures exit 1; audit: report everything and exit 0.")
    var mode: PolicyMode?

    @Flag(name: .shortAndLong, help: "List every passing and not-applicable finding in the text report.")
    var verbose = false

    func validate() throws {
        _ = try destinations(arguments: CommandLine.arguments)
    }

    /// Pairs each `--output` with the `--format` before it, in command-line order; formats without an output go to
    /// standard output (at most one may).
    func destinations(arguments: [String]) throws -> [(format: ReportFormat, path: String?)] {
        var pairs: [(format: ReportFormat, path: String?)] = []
        var index = 0
        func value(_ flag: String, _ token: String) -> String? {
            if token == flag || (flag == "--output" && token == "-o") {
                index += 1
                return index < arguments.count ? arguments[index] : nil
            }
            if token.hasPrefix(flag + "=") { return String(token.dropFirst(flag.count + 1)) }
            return nil
        }
        while index < arguments.count {
            let token = arguments[index]
            if let text = value("--format", token) {
                guard let parsed = ReportFormat(rawValue: text) else { throw ValidationError("unknown format \(text)") }
                pairs.append((parsed, nil))
            } else if let path = value("--output", token) {
                if pairs.isEmpty {
                    pairs.append((.text, path))
                } else if pairs[pairs.count - 1].path == nil {
                    pairs[pairs.count - 1].path = path
                } else {
                    throw ValidationError("--output \(path) follows a --format that already has an output")
                }
            }
            index += 1
        }
        if pairs.isEmpty { pairs = [(.text, nil)] }
        if pairs.filter({ $0.path == nil || $0.path == "-" }).count > 1 {
            throw ValidationError("only one --format may go to standard output; give the others --output FILE")
        }
        return pairs
    }

    /// Renders `report` in every requested format and writes each to its destination.
    func write(_ report: AuditReport) throws {
        let colorTerminal = isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        for (format, path) in try destinations(arguments: CommandLine.arguments) {
            let toStdout = path == nil || path == "-"
            let renderer = format.renderer(options: RenderOptions(color: toStdout && colorTerminal, verbose: verbose))
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

/// `--format` values.
struct ReportFormatArgument: ExpressibleByArgument {
    let format: ReportFormat
    init?(argument: String) {
        guard let format = ReportFormat(rawValue: argument) else { return nil }
        self.format = format
    }
    static var allValueStrings: [String] { ReportFormat.allCases.map(\.rawValue) }
}

extension PolicyMode: ExpressibleByArgument {}
