import AuditCrypto
import AuditLedger
import ArgumentParser
import Foundation
import ModelAudit

/// `audit ledger`: checks, searches, exports and imports the ledger of recorded decisions.
struct LedgerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "Verify, search, export and import the ledger of recorded decisions.",
        discussion: """
            The ledger is given by --ledger URL or AUDIT_LEDGER: sqlite:PATH or \
            postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=…&password_file=…]. See docs/ledger.md.

            Examples:
              audit ledger verify --ledger sqlite:audit.db
              audit ledger history "acme-classifier 2.1.0" --ledger sqlite:audit.db
              audit ledger query --since 2026-03-01 --verdict non-compliant --format csv --ledger sqlite:audit.db
              audit ledger export --ledger sqlite:audit.db -o ledger.jsonl
              audit ledger import ledger.jsonl --ledger postgres://audit@db.internal/audit
            """,
        subcommands: [
            LedgerVerifyCommand.self, LedgerHistoryCommand.self, LedgerShowCommand.self, LedgerQueryCommand.self,
            LedgerExportCommand.self, LedgerImportCommand.self, LedgerAppendCommand.self,
        ]
    )
}

/// The ledger a `audit ledger` subcommand reads or writes.
struct LedgerLocationOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The ledger: sqlite:PATH or postgres://USER@HOST/DB (default: $AUDIT_LEDGER).", valueName: "url"))
    var ledger: String?

    func open(create: Bool = false) throws -> LedgerStore {
        guard let location = ledger ?? ProcessInfo.processInfo.environment["AUDIT_LEDGER"], !location.isEmpty else {
            throw CLIFailure("no ledger: give --ledger URL or set AUDIT_LEDGER", exitCode: AuditExit.usage)
        }
        do {
            return try LedgerAccess.open(location, create: create)
        } catch {
            throw CLIFailure(LedgerAccess.message(for: error))
        }
    }
}

/// `audit ledger verify`: walks the chain and reports the first broken link.
struct LedgerVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every record's hash and link (and signature, with --key); exit 1 at the first broken link.")

    @OptionGroup var location: LedgerLocationOption

    @Option(name: .customLong("key"), help: ArgumentHelp(
        "A ledger public key (PEM); every record must be signed by one of these.", valueName: "file"))
    var keys: [String] = []

    @Option(name: .long, help: ArgumentHelp(
        "A head hash written down earlier: the chain must still contain it (detects removal from the end).",
        valueName: "hash"))
    var head: String?

    @Option(name: .long, help: "Output format.")
    var format: ResultFormat = .text

    func run() throws {
        let publicKeys = try keys.map { try PublicKey(pem: InputFile.read($0, limit: 64 * 1024)) }
        let store = try location.open()
        defer { store.close() }
        let outcome = try LedgerVerifier.verify(store, keys: publicKeys, expectedHead: head)
        switch format {
        case .json:
            Terminal.write(try ReportJSON.encode(VerifyOutput(outcome: outcome)))
        case .text:
            if let problem = outcome.problem {
                print(TerminalText.message("chain broken: \(problem)"))
                print("intact before it: \(Self.records(outcome.records))")
            } else {
                print("chain intact: \(Self.records(outcome.records))"
                    + (publicKeys.isEmpty ? "" : ", all signed by a ledger key"))
                if let hash = outcome.headHash { print("head: \(hash)") }
            }
        }
        if outcome.problem != nil { throw AuditExit.notVerified }
    }

    private static func records(_ count: Int64) -> String {
        count == 1 ? "1 record" : "\(count) records"
    }

    struct VerifyOutput: Encodable {
        var intact: Bool
        var records: Int64
        var head: String?
        var signedRecords: Int64
        var problem: String?

        init(outcome: LedgerVerifier.Outcome) {
            intact = outcome.problem == nil
            records = outcome.records
            head = outcome.headHash
            signedRecords = outcome.signedRecords
            problem = outcome.problem
        }
    }
}

/// `audit ledger history MODEL`: a model's verdicts over time, and what changed between them.
struct LedgerHistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "A model's decisions over time and what changed between them (policy, manifest, trust store, "
            + "waivers, verdict).")

    @Argument(help: ArgumentHelp("Model name, \"name version\", or envelope SHA-256.", valueName: "model"))
    var model: String

    @OptionGroup var location: LedgerLocationOption

    @Option(name: .long, help: "Output format.")
    var format: ResultFormat = .text

    func run() throws {
        let store = try location.open()
        defer { store.close() }
        let entries = LedgerHistory.entries(
            try store.query(LedgerFilter(model: model)).map { ($0, try $0.decisionSummary()) })
        switch format {
        case .json:
            Terminal.write(try ReportJSON.encode(entries))
        case .text:
            guard !entries.isEmpty else {
                print(TerminalText.message("no decisions recorded for \(model)"))
                return
            }
            for entry in entries {
                let policy = entry.policy ?? "no policy"
                print(TerminalText.message("#\(entry.sequence)  \(entry.recordedAt)  \(entry.verdict.rawValue)  "
                    + "\(entry.model)  policy \(policy)  manifest \(entry.envelopeSHA256.prefix(12))"))
                for change in entry.changes { print(TerminalText.message("    changed: \(change)")) }
            }
        }
    }
}

/// `audit ledger show ID`: one record in full.
struct LedgerShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Print one record: its decision, findings, hash and signature.")

    @Argument(help: ArgumentHelp("The record's sequence number.", valueName: "id"))
    var id: Int64

    @OptionGroup var location: LedgerLocationOption

    @Option(name: .long, help: "Output format.")
    var format: ResultFormat = .text

    func run() throws {
        let store = try location.open()
        defer { store.close() }
        guard let record = try store.record(sequence: id) else {
            throw CLIFailure("no record \(id) in the ledger")
        }
        let decision = try record.decision()
        switch format {
        case .json:
            Terminal.write(try ReportJSON.encode(ShownRecord(record: record, decision: decision)))
        case .text:
            var lines = [
                "record \(record.sequence)", "recorded at: \(decision.recordedAt)",
                "model: \(decision.displayName)", "developer: \(decision.developer ?? "-")",
                "verdict: \(decision.verdict.rawValue) (\(decision.mode.rawValue))",
                "policy: \(decision.policy.map { "\($0.name) sha256:\($0.sha256)" } ?? "none")",
                "manifest: \(decision.file) sha256:\(decision.envelopeSHA256)",
                "trust store: sha256:\(decision.trustStoreSHA256)",
                "evaluated at: \(decision.evaluatedAt) by \(decision.origin) (\(decision.tool.name) "
                    + "\(decision.tool.version)) on \(decision.context.host)",
            ]
            for (name, value) in decision.context.ci.sorted(by: { $0.key < $1.key }) {
                lines.append("  \(name)=\(value)")
            }
            lines.append("findings:")
            for finding in decision.findings {
                lines.append("  \(finding.status.rawValue)  \(finding.ruleID)  \(finding.message)")
            }
            for waiver in decision.waivers {
                lines.append("waiver \(waiver.state.rawValue): \(waiver.rule) until \(waiver.expires) "
                    + "(approved by \(waiver.approver))")
            }
            lines.append("hash: \(record.hash)")
            lines.append("previous: \(record.previousHash)")
            if let keyID = record.keyID { lines.append("signed by: \(keyID)") }
            for line in lines { print(TerminalText.message(line)) }
        }
    }

    struct ShownRecord: Encodable {
        var record: LedgerRecord
        var decision: LedgerDecision
    }
}

/// `audit ledger query`: decisions selected by time, verdict, developer, policy or model.
struct LedgerQueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query", abstract: "List recorded decisions that match every filter given.")

    @OptionGroup var location: LedgerLocationOption

    @Option(name: .long, help: ArgumentHelp("Recorded at or after (RFC 3339 date or date-time).", valueName: "time"))
    var since: String?

    @Option(name: .long, help: ArgumentHelp("Recorded before (RFC 3339 date or date-time).", valueName: "time"))
    var until: String?

    @Option(name: .long, help: "compliant, non-compliant or could-not-evaluate.")
    var verdict: String?

    @Option(name: .long, help: "The model's developer, exactly.")
    var developer: String?

    @Option(name: .long, help: "A policy name or its SHA-256.")
    var policy: String?

    @Option(name: .long, help: "A model name, \"name version\", or envelope SHA-256.")
    var model: String?

    @Option(name: .long, help: "At most this many records (oldest first).")
    var limit: Int = 100_000

    @Option(name: .long, help: "text, json or csv.")
    var format: String = "text"

    func validate() throws {
        for (name, value) in [("--since", since), ("--until", until)] {
            if let value, LedgerTime.parseBound(value) == nil {
                throw ValidationError("\(name) \"\(value)\" is not an RFC 3339 date or date-time")
            }
        }
        if let verdict, Verdict(rawValue: verdict) == nil {
            throw ValidationError("--verdict must be compliant, non-compliant or could-not-evaluate")
        }
        if !["text", "json", "csv"].contains(format) { throw ValidationError("--format must be text, json or csv") }
        if limit < 1 { throw ValidationError("--limit must be positive") }
    }

    func run() throws {
        let filter = LedgerFilter(
            since: since.flatMap(LedgerTime.parseBound).map(LedgerTime.format),
            until: until.flatMap(LedgerTime.parseBound).map(LedgerTime.format),
            verdict: verdict.flatMap(Verdict.init(rawValue:)), developer: developer, policy: policy, model: model,
            limit: limit)
        let store = try location.open()
        defer { store.close() }
        let rows = try store.query(filter).map { LedgerRow(record: $0, decision: try $0.decision()) }
        switch format {
        case "json":
            Terminal.write(try ReportJSON.encode(rows))
        case "csv":
            var text = LedgerRow.csvHeader + "\r\n"
            for row in rows { text += row.csvLine + "\r\n" }
            Terminal.write(Array(text.utf8))
        default:
            for row in rows {
                print(TerminalText.message("#\(row.sequence)  \(row.recordedAt)  \(row.verdict.rawValue)  "
                    + "\(row.model)  \(row.developer ?? "-")  \(row.policy ?? "no policy")"))
            }
            print("\(rows.count) record\(rows.count == 1 ? "" : "s")")
        }
    }
}

/// `audit ledger export`: every record as JSON lines, for backup or for `audit ledger import`.
struct LedgerExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write every record as JSON lines (one record per line, chain order).")

    @OptionGroup var location: LedgerLocationOption

    @Option(name: [.short, .long], help: ArgumentHelp("Write to this file instead of stdout.", valueName: "file"))
    var output: String?

    func run() throws {
        let store = try location.open()
        defer { store.close() }
        var bytes: [UInt8] = []
        var after: Int64 = 0
        while true {
            let page = try store.records(after: after, limit: 5000)
            guard let last = page.last else { break }
            for record in page {
                bytes += try CanonicalJSON.encode(record)
                bytes.append(UInt8(ascii: "\n"))
            }
            after = last.sequence
        }
        if let output, output != "-" {
            try AtomicFile.write(bytes, to: output)
        } else {
            Terminal.write(bytes)
        }
    }
}

/// `audit ledger import`: records from `export` into another ledger, chain intact.
struct LedgerImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Read exported JSON lines into a ledger; they must continue its chain (or start an empty one).")

    @Argument(help: ArgumentHelp("The export (JSON lines), or - for stdin.", valueName: "file"))
    var file: String

    @OptionGroup var location: LedgerLocationOption

    func run() throws {
        let bytes: [UInt8]
        if file == "-" {
            bytes = Array(FileHandle.standardInput.readDataToEndOfFile())
        } else {
            bytes = try InputFile.read(file, limit: 4 << 30)
        }
        var records: [LedgerRecord] = []
        for (index, line) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true).enumerated() {
            do {
                records.append(try JSONDecoder().decode(LedgerRecord.self, from: Data(line)))
            } catch {
                throw CLIFailure("\(file): line \(index + 1) is not a ledger record")
            }
        }
        let store = try location.open(create: true)
        defer { store.close() }
        try store.insertVerbatim(records)
        let last = records.last.map { " (records \(records[0].sequence)–\($0.sequence), head \($0.hash))" } ?? ""
        print("imported \(records.count) record\(records.count == 1 ? "" : "s")\(last)")
    }
}

/// `audit ledger append`: records the decisions of reports written earlier with `--format json`.
struct LedgerAppendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "append",
        abstract: "Record the decisions of JSON reports (audit verify/report --format json), one transaction each.",
        discussion: """
            Each report becomes one transaction of one record per model, acknowledged on stdout once committed \
            (`recorded SEQUENCE HASH`). The same file may be given more than once. With --batch N, N repetitions \
            of all the reports are recorded in one transaction.
            """)

    @Argument(help: ArgumentHelp("JSON reports.", valueName: "report"))
    var reports: [String]

    @OptionGroup var location: LedgerLocationOption

    @Option(name: .customLong("ledger-key"), help: ArgumentHelp(
        "Sign each record with this private key (PEM).", valueName: "file"))
    var ledgerKey: String?

    @Option(name: .customLong("repeat"), help: ArgumentHelp(
        "Append the reports this many times over, each time in new transactions (load tests, benchmarks).",
        valueName: "n"))
    var repetitions: Int = 1

    @Option(name: .customLong("batch"), help: ArgumentHelp(
        "Record this many repetitions in each transaction, as a fleet run records its decisions.",
        valueName: "n"))
    var batch: Int = 1

    func validate() throws {
        if reports.isEmpty { throw ValidationError("give at least one JSON report") }
        if repetitions < 1 { throw ValidationError("--repeat must be at least 1") }
        if batch < 1 { throw ValidationError("--batch must be at least 1") }
    }

    func run() throws {
        var parsed: [String: AuditReport] = [:]
        for path in Set(reports) {
            do {
                let bytes = try InputFile.read(path, limit: 1 << 30)
                parsed[path] = try JSONDecoder().decode(AuditReport.self, from: Data(bytes))
            } catch let error as InputFile.ReadError {
                throw CLIFailure("\(error)")
            } catch {
                throw CLIFailure("\(path) is not a JSON report of audit: \(error)")
            }
        }
        let signer = try ledgerKey.map { try LedgerAccess.signer(keyFile: $0) }
        let store = try location.open(create: true)
        defer { store.close() }
        let context = LedgerDecision.RunContext.current()
        // Each report's decisions are made once; a repetition appends them again (the ledger stamps each append).
        let decisions = reports.compactMap { path in
            parsed[path].map { LedgerDecision.decisions(from: $0, origin: "audit ledger append", context: context) }
        }
        var remaining = repetitions
        while remaining > 0 {
            let count = min(batch, remaining)
            if batch == 1 {
                for reportDecisions in decisions { try append(reportDecisions, to: store, signer: signer) }
            } else {
                let transaction = Array(repeatElement(decisions.joined(), count: count).joined())
                try append(transaction, to: store, signer: signer)
            }
            remaining -= count
        }
    }

    /// Appends one transaction and acknowledges each of its records once it committed.
    private func append(_ decisions: [LedgerDecision], to store: LedgerStore, signer: LedgerSigner?) throws {
        let records = try store.append(decisions, signer: signer)
        // One line per committed record, flushed at once: a caller killed later knows what was acknowledged.
        Terminal.write(Array(records.map { "recorded \($0.sequence) \($0.hash)\n" }.joined().utf8))
    }
}
