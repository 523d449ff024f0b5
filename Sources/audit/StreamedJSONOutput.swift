import ArgumentParser
import Foundation
import ModelAudit

/// `audit report` with JSON as its only format: the report is written while the fleet is audited, model by model,
/// instead of being built whole first, so a fleet of any size runs in flat memory (`Auditor.writeJSONReport`).
/// The bytes are the same either way; other formats need the whole report and take the ordinary path.
struct StreamedJSONOutput {
    /// The file, or `nil` for standard output.
    let path: String?

    /// The JSON destination when JSON is the one format asked for, else `nil`.
    init?(_ outputs: ReportOutputOptions) throws {
        let destinations = try outputs.destinations()
        guard destinations.count == 1, let only = destinations.first, only.format == .json else { return nil }
        path = only.path == "-" ? nil : only.path
    }

    /// Audits `files` into the JSON report at the destination; returns the report without its models.
    func write(_ auditor: Auditor, files: [String], mode: PolicyMode) throws -> AuditReport {
        guard let path else {
            var buffer = OutputBuffer()
            let emit: ([UInt8]) -> Void = { Terminal.write($0) }
            let shell = try auditor.writeJSONReport(files: files, mode: mode) { buffer.append($0, emit) }
            buffer.flush(emit)
            return shell
        }
        var shell: AuditReport?
        // Written into a temporary file beside the target and renamed over it at the end, as every report file is.
        try AtomicFile.write(to: path) { writeFile in
            var buffer = OutputBuffer()
            func emit(_ bytes: [UInt8]) throws { try bytes.withUnsafeBytes { try writeFile($0) } }
            shell = try auditor.writeJSONReport(files: files, mode: mode) { try buffer.append($0, emit) }
            try buffer.flush(emit)
        }
        guard let shell else { throw CLIFailure("the JSON report was not written") }
        return shell
    }
}

extension AuditExit {
    /// The exit code for a run's verdict, as `code(for:)` gives it for a whole report.
    static func code(for verdict: Verdict, mode: PolicyMode) -> ExitCode {
        if mode == .audit { return compliant }
        switch verdict {
        case .compliant: return compliant
        case .nonCompliant: return notVerified
        case .couldNotEvaluate: return couldNotEvaluate
        }
    }
}

/// Gathers small writes into blocks of about a megabyte, so a streamed report makes few system calls.
private struct OutputBuffer {
    private var pending: [UInt8] = []
    private static let blockSize = 1 << 20

    init() {
        pending.reserveCapacity(Self.blockSize + 64 * 1024)
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer, _ emit: ([UInt8]) throws -> Void) rethrows {
        pending.append(contentsOf: bytes)
        if pending.count >= Self.blockSize { try flush(emit) }
    }

    mutating func flush(_ emit: ([UInt8]) throws -> Void) rethrows {
        guard !pending.isEmpty else { return }
        try emit(pending)
        pending.removeAll(keepingCapacity: true)
    }
}
