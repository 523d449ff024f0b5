import AuditCrypto
import AuditLedger
#if canImport(AuditLedgerPostgres)
import AuditLedgerPostgres
#endif
import ArgumentParser
import Foundation
import ModelAudit

/// `--ledger URL` and `--ledger-key FILE` on `audit verify` and `audit report`: record every decision of the run.
struct LedgerOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Record every decision in this ledger: sqlite:PATH or postgres://USER@HOST/DB (default: $AUDIT_LEDGER).",
        valueName: "url"))
    var ledger: String?

    @Option(name: .customLong("ledger-key"), help: ArgumentHelp(
        "Sign each record with this private key (PEM; passphrase from $AUDIT_LEDGER_KEY_PASSPHRASE).",
        valueName: "file"))
    var ledgerKey: String?

    /// The ledger URL from the option or the environment, or `nil` when the run is not recorded.
    var location: String? {
        if let ledger { return ledger }
        if let fromEnvironment = ProcessInfo.processInfo.environment["AUDIT_LEDGER"], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        return nil
    }

    /// Appends the report's decisions, one record per model, in one transaction. A ledger that cannot be written is
    /// an error (exit 2) that names the decision it failed to record, so the outcome is never lost in silence.
    func record(_ report: AuditReport, origin: String) throws {
        guard let location else {
            if ledgerKey != nil { throw CLIFailure("--ledger-key needs --ledger or AUDIT_LEDGER") }
            return
        }
        do {
            let signer = try ledgerKey.map { try LedgerAccess.signer(keyFile: $0) }
            let store = try LedgerAccess.open(location, create: true)
            defer { store.close() }
            _ = try store.append(
                LedgerDecision.decisions(from: report, origin: origin, context: .current()), signer: signer)
        } catch {
            let code = AuditExit.code(for: report).rawValue
            throw CLIFailure(
                "the decision (\(report.verdict.rawValue), exit \(code)) was not recorded: "
                    + LedgerAccess.message(for: error))
        }
    }
}

/// Opens ledgers by URL and words their errors; shared by the recording options and `audit ledger`.
enum LedgerAccess {
    static func open(_ text: String, create: Bool) throws -> LedgerStore {
        switch try LedgerURL.parse(text) {
        case .sqlite(let path, let fullSync):
            return try SQLiteLedger(path: path, create: create, fullSync: fullSync)
        case .postgres(let location):
            #if canImport(AuditLedgerPostgres)
            return try PostgresLedger(location, create: create)
            #else
            _ = location
            throw LedgerError.unavailable("this audit was built without PostgreSQL support (AUDIT_WITHOUT_POSTGRES)")
            #endif
        }
    }

    static func signer(keyFile: String) throws -> LedgerSigner {
        let passphrase = ProcessInfo.processInfo.environment["AUDIT_LEDGER_KEY_PASSPHRASE"].map { Array($0.utf8) }
        let pem = try InputFile.read(keyFile, limit: 64 * 1024)
        return LedgerSigner(key: try PrivateKey(pem: pem, passphrase: passphrase))
    }

    /// One line for any error from opening, reading or writing a ledger (never a password: URLs print redacted).
    static func message(for error: Error) -> String {
        if let failure = error as? CLIFailure { return failure.message }
        return "\(error)"
    }
}

/// `audit report --from-ledger URL`: the fleet's latest recorded decisions as a report, with verdicts over time —
/// nothing is verified again.
struct LedgerSourceOptions: ParsableArguments {
    @Option(name: .customLong("from-ledger"), help: ArgumentHelp(
        "Render the latest recorded decision of every model in this ledger instead of verifying manifests.",
        valueName: "url"))
    var fromLedger: String?

    /// Writes the ledger's fleet report in every requested format (HTML, Markdown and text gain a trend of verdicts
    /// per day; JSON, SARIF and JUnit keep their schemas) and returns it, or returns `nil` without `--from-ledger`.
    func writeReport(_ outputs: ReportOutputOptions) throws -> AuditReport? {
        guard let fromLedger else { return nil }
        let store: LedgerStore
        do {
            store = try LedgerAccess.open(fromLedger, create: false)
        } catch {
            throw CLIFailure(LedgerAccess.message(for: error))
        }
        defer { store.close() }
        let report = try LedgerFleet.report(latest: try store.latestPerModel())
        let trend = LedgerTrend(rows: try store.verdictsByDay())
        let colorTerminal = isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        for (format, path) in try outputs.destinations() {
            let toStdout = path == nil || path == "-"
            let renderer = format.renderer(
                options: RenderOptions(color: toStdout && colorTerminal, verbose: outputs.verbose))
            var bytes = try renderer.render(report)
            switch format {
            case .html:
                let page = String(decoding: bytes, as: UTF8.self)
                if let end = page.range(of: "</main>", options: .backwards) {
                    bytes = Array((page[..<end.lowerBound] + trend.htmlSection() + page[end.lowerBound...]).utf8)
                }
            case .markdown:
                bytes += Array(trend.markdown().utf8)
            case .text:
                bytes += Array(("\n" + trend.text()).utf8)
            default:
                break
            }
            if toStdout {
                Terminal.write(bytes)
            } else if let path {
                try AtomicFile.write(bytes, to: path)
            }
        }
        return report
    }
}
