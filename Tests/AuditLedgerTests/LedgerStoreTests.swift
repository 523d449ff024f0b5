import AuditCrypto
import AuditLedger
import Foundation
import ModelAudit
import Testing

/// The ledger's contract, run on every backend: appends chain, verification finds the first broken link, queries
/// select, export and import keep the chain.
@Suite("Ledger store")
struct LedgerStoreTests {
    @Test("appends chain records 1, 2, 3 … and verify accepts them", arguments: Backend.available)
    func appendsChain(backend: Backend) throws {
        let scratch = try ScratchLedger(backend)
        let store = try scratch.open()
        defer { store.close() }
        let first = try store.append(Sample.decisions(Sample.fleet(3)), signer: nil)
        let second = try store.append(Sample.decisions(Sample.fleet(2)), signer: nil)
        #expect(first.map(\.sequence) == [1, 2, 3])
        #expect(second.map(\.sequence) == [4, 5])
        #expect(first[0].previousHash == LedgerChain.genesis)
        #expect(second[0].previousHash == first[2].hash)
        let outcome = try LedgerVerifier.verify(store)
        #expect(outcome.problem == nil)
        #expect(outcome.records == 5)
        #expect(outcome.headHash == second[1].hash)
        let stored = try #require(try store.record(sequence: 2))
        #expect(stored == first[1])
        let decision = try stored.decision()
        #expect(decision.model == "model-1")
        #expect(decision.context.host == "test-host")
        #expect(decision.counts["pass"] == 1)
        // PostgreSQL's version 2 adds the server-side append; the tables are the same.
        #expect(try store.schemaVersion() == (backend == .postgres ? 3 : 1))
        #expect(try store.head().count == 5)
    }

    @Test("an edited record is the first broken link", arguments: Backend.available)
    func detectsEditedContent(backend: Backend) throws {
        let scratch = try ScratchLedger(backend)
        let store = try scratch.open()
        defer { store.close() }
        _ = try store.append(Sample.decisions(Sample.fleet(5)), signer: nil)
        try scratch.tamper(
            "UPDATE ledger_records SET content = replace(content, '\"non-compliant\"', '\"compliant\"') "
                + "WHERE sequence = 4")
        let outcome = try LedgerVerifier.verify(store)
        let problem = try #require(outcome.problem)
        #expect(problem.contains("record 4 was altered"))
        #expect(outcome.records == 3)
    }

    @Test("a deleted record is reported missing", arguments: Backend.available)
    func detectsDeletion(backend: Backend) throws {
        let scratch = try ScratchLedger(backend)
        let store = try scratch.open()
        defer { store.close() }
        _ = try store.append(Sample.decisions(Sample.fleet(5)), signer: nil)
        try scratch.tamper("DELETE FROM ledger_records WHERE sequence = 2")
        let problem = try #require(try LedgerVerifier.verify(store).problem)
        #expect(problem.contains("record 2 is missing"))
    }

    @Test("reordered records break the chain", arguments: Backend.available)
    func detectsReordering(backend: Backend) throws {
        let scratch = try ScratchLedger(backend)
        let store = try scratch.open()
        defer { store.close() }
        _ = try store.append(Sample.decisions(Sample.fleet(4)), signer: nil)
        // Swap records 2 and 3 whole (every column but the sequence number).
        try scratch.tamper("UPDATE ledger_records SET sequence = -2 WHERE sequence = 2")
        try scratch.tamper("UPDATE ledger_records SET sequence = 2 WHERE sequence = 3")
        try scratch.tamper("UPDATE ledger_records SET sequence = 3 WHERE sequence = -2")
        let problem = try #require(try LedgerVerifier.verify(store).problem)
        #expect(problem.contains("record 2 does not follow record 1"))
    }

    @Test("an edited indexed column is caught even though the content is intact", arguments: Backend.available)
    func detectsColumnEdit(backend: Backend) throws {
        let scratch = try ScratchLedger(backend)
        let store = try scratch.open()
        defer { store.close() }
        _ = try store.append(Sample.decisions(Sample.fleet(3)), signer: nil)
        try scratch.tamper("UPDATE ledger_records SET verdict = 'compliant' WHERE sequence = 1")
        let problem = try #require(try LedgerVerifier.verify(store).problem)
        #expect(problem.contains("record 1: its indexed columns"))
    }

    @Test("removal from the end is caught against a head written down earlier", arguments: Backend.available)
    func detectsTruncationAgainstHead(backend: Backend) throws {
        let scratch = try ScratchLedger(backend)
        let store = try scratch.open()
        defer { store.close() }
        let records = try store.append(Sample.decisions(Sample.fleet(3)), signer: nil)
        try scratch.tamper("DELETE FROM ledger_records WHERE sequence = 3")
        #expect(try LedgerVerifier.verify(store).problem == nil)
        let problem = try #require(try LedgerVerifier.verify(store, expectedHead: records[2].hash).problem)
        #expect(problem.contains("removed from its end"))
    }

    @Test("signed records verify with the ledger key and fail with another", arguments: Backend.available)
    func signatures(backend: Backend) throws {
        let scratch = try ScratchLedger(backend)
        let store = try scratch.open()
        defer { store.close() }
        let key = try PrivateKey.generate(.ed25519)
        let other = try PrivateKey.generate(.ed25519)
        let records = try store.append(Sample.decisions(Sample.fleet(2)), signer: LedgerSigner(key: key))
        #expect(records.allSatisfy { $0.keyID == key.publicKey.keyID && $0.signature != nil })
        let outcome = try LedgerVerifier.verify(store, keys: [key.publicKey])
        #expect(outcome.problem == nil)
        #expect(outcome.signedRecords == 2)
        let wrong = try #require(try LedgerVerifier.verify(store, keys: [other.publicKey]).problem)
        #expect(wrong.contains("signature does not verify"))
        _ = try store.append(Sample.decisions(Sample.fleet(1)), signer: nil)
        let unsigned = try #require(try LedgerVerifier.verify(store, keys: [key.publicKey]).problem)
        #expect(unsigned.contains("record 3 is not signed"))
    }

    @Test("queries select by verdict, developer, policy, model and time", arguments: Backend.available)
    func queries(backend: Backend) throws {
        let scratch = try ScratchLedger(backend)
        let store = try scratch.open()
        defer { store.close() }
        _ = try store.append(Sample.decisions(Sample.fleet(6)), signer: nil)
        _ = try store.append(Sample.decisions(Sample.report(
            models: [(name: "model-1", version: "2.0.0", developer: "Globex", findings: [])], policy: "eu-gdpr")),
            signer: nil)
        #expect(try store.query(LedgerFilter(verdict: .nonCompliant)).map(\.sequence) == [1, 4])
        #expect(try store.query(LedgerFilter(developer: "Globex")).map(\.sequence) == [2, 4, 6, 7])
        #expect(try store.query(LedgerFilter(policy: "eu-gdpr")).map(\.sequence) == [7])
        #expect(try store.query(LedgerFilter(policy: String(repeating: "a", count: 64))).count == 7)
        #expect(try store.query(LedgerFilter(model: "model-1")).map(\.sequence) == [2, 7])
        #expect(try store.query(LedgerFilter(model: "model-1 2.0.0")).map(\.sequence) == [7])
        #expect(try store.query(LedgerFilter(developer: "Globex", limit: 2)).map(\.sequence) == [2, 4])
        #expect(try store.query(LedgerFilter(since: "2000-01-01T00:00:00.000Z", until: "2000-01-02T00:00:00.000Z"))
            .isEmpty)
        #expect(try store.query(LedgerFilter(since: "2000-01-01T00:00:00.000Z")).count == 7)
        // A value that looks like SQL is only ever a value.
        #expect(try store.query(LedgerFilter(developer: "x' OR '1'='1")).isEmpty)
    }

    @Test("export then import into an empty ledger keeps the chain; a foreign chain is refused",
        arguments: Backend.available)
    func exportImport(backend: Backend) throws {
        let source = try ScratchLedger(backend)
        let store = try source.open()
        defer { store.close() }
        _ = try store.append(Sample.decisions(Sample.fleet(4)), signer: nil)
        let exported = try store.records(after: 0, limit: 100)
        let target = try ScratchLedger(backend)
        let copy = try target.open()
        defer { copy.close() }
        try copy.insertVerbatim(Array(exported.prefix(2)))
        try copy.insertVerbatim(Array(exported.dropFirst(2)))
        #expect(try copy.records(after: 0, limit: 100) == exported)
        #expect(try LedgerVerifier.verify(copy).headHash == exported.last?.hash)
        // Appending after an import continues the imported chain.
        let next = try copy.append(Sample.decisions(Sample.fleet(1)), signer: nil)
        #expect(next[0].previousHash == exported[3].hash)

        let other = try ScratchLedger(backend)
        let unrelated = try other.open()
        defer { unrelated.close() }
        _ = try unrelated.append(Sample.decisions(Sample.fleet(1)), signer: nil)
        #expect(throws: LedgerError.self) { try unrelated.insertVerbatim(exported) }
        #expect(try unrelated.head().count == 1)
        var forged = exported
        forged[1].content = forged[1].content.replacingOccurrences(of: "Globex", with: "Initech")
        let fresh = try ScratchLedger(backend)
        let empty = try fresh.open()
        defer { empty.close() }
        #expect(throws: LedgerError.self) { try empty.insertVerbatim(forged) }
        #expect(try empty.head().count == 0)
    }

    @Test("a batch is one transaction of one chain link per decision, whatever the text in it",
        arguments: Backend.available)
    func batchLinksEveryDecision(backend: Backend) throws {
        let scratch = try ScratchLedger(backend)
        let store = try scratch.open()
        defer { store.close() }
        _ = try store.append(Sample.decisions(Sample.fleet(1)), signer: nil)
        // Names outside ASCII, quotes and backslashes: the server hashes the same bytes the writer encoded.
        let names = ["modèle-ü", "模型 \"quoted\"", "back\\slash 'single'", "emoji 🚀", "plain"]
        let report = Sample.report(models: names.enumerated().map { index, name in
            (name: name, version: "1.\(index)", developer: index % 2 == 0 ? "Ünïcode Lab" : "O'Brien & Co",
             findings: [Sample.finding("signature.valid", .pass)])
        })
        let batch = try store.append(Sample.decisions(report) + Sample.decisions(Sample.fleet(95)), signer: nil)
        #expect(batch.map(\.sequence) == Array(2...101))
        for (previous, record) in zip(batch.dropLast(), batch.dropFirst()) {
            #expect(record.previousHash == previous.hash)
        }
        // Every record of the batch carries the same time: the moment the batch was appended.
        let times = Set(try batch.map { try $0.decision().recordedAt })
        #expect(times.count == 1)
        #expect(try store.records(after: 1, limit: 200) == batch)
        let quoted = try store.query(LedgerFilter(model: "模型 \"quoted\""))
        #expect(try quoted.map { try $0.decision().model } == ["模型 \"quoted\""])
        #expect(try store.query(LedgerFilter(developer: "O'Brien & Co")).count == 2)
        let outcome = try LedgerVerifier.verify(store)
        #expect(outcome.problem == nil)
        #expect(outcome.records == 101)
    }

    @Test("a batch that fails part way stores none of its records and the chain goes on", arguments: Backend.available)
    func failingBatchLeavesNothing(backend: Backend) throws {
        let scratch = try ScratchLedger(backend)
        let store = try scratch.open()
        defer { store.close() }
        let before = try store.append(Sample.decisions(Sample.fleet(2)), signer: nil)
        // The database refuses the fourth record of the next batch, as a full disk or a constraint would.
        switch backend {
        case .sqlite:
            try scratch.tamper("""
                CREATE TRIGGER refuse BEFORE INSERT ON ledger_records WHEN NEW.model = 'model-3'
                BEGIN SELECT RAISE(ABORT, 'refused by the test'); END
                """)
        case .postgres:
            try scratch.tamper("""
                CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN IF NEW.model = 'model-3' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$;
                CREATE TRIGGER refuse BEFORE INSERT ON ledger_records FOR EACH ROW EXECUTE FUNCTION refuse()
                """)
        }
        let error = #expect(throws: LedgerError.self) {
            _ = try store.append(Sample.decisions(Sample.fleet(6)), signer: nil)
        }
        #expect("\(error.map { "\($0)" } ?? "")".contains("refused by the test"))
        #expect(try store.head().count == 2)
        #expect(try store.head().last?.hash == before[1].hash)
        try scratch.tamper("DROP TRIGGER refuse" + (backend == .postgres ? " ON ledger_records" : ""))
        let after = try store.append(Sample.decisions(Sample.fleet(6)), signer: nil)
        #expect(after.map(\.sequence) == Array(3...8))
        #expect(after[0].previousHash == before[1].hash)
        #expect(try LedgerVerifier.verify(store).problem == nil)
    }

    @Test("a reader does not create a ledger that is not there", arguments: Backend.available)
    func readerNeedsExistingLedger(backend: Backend) throws {
        let scratch = try ScratchLedger(backend)
        #expect(throws: LedgerError.self) { _ = try scratch.open(create: false) }
    }

    @Test("history says what changed between decisions: policy, manifest, trust store, waiver, verdict")
    func historyChanges() throws {
        let waiver = WaiverReport(
            rule: "signature.valid", model: "model-a", justification: "vendor re-signing", approver: "ciso",
            expires: "2026-03-01", state: .applied, appliedTo: ["model-a.json"])
        var expired = waiver
        expired.state = .expired
        let first = Sample.decisions(Sample.report(
            models: [(name: "model-a", version: "1", developer: "Acme", findings: [Sample.finding("x", .pass)])],
            waivers: [waiver]))[0]
        let second = Sample.decisions(Sample.report(
            models: [(name: "model-a", version: "2", developer: "Acme", findings: [Sample.finding("x", .fail)])],
            policy: "eu-gdpr", trustSHA: String(repeating: "c", count: 64), waivers: [expired]))[0]
        #expect(first.waivers.count == 1)
        let changes = LedgerHistory.changes(from: LedgerDecisionSummary(first), to: LedgerDecisionSummary(second))
        #expect(changes.contains("verdict compliant → non-compliant"))
        #expect(changes.contains { $0.hasPrefix("policy enterprise-default") && $0.contains("eu-gdpr") })
        #expect(changes.contains { $0.hasPrefix("manifest sha256:") })
        #expect(changes.contains { $0.hasPrefix("trust store sha256:bbbbbbbbbbbb → sha256:cccccccccccc") })
        #expect(changes.contains("waiver for signature.valid expired on 2026-03-01"))
        #expect(changes.contains("now failing: x"))
        #expect(LedgerHistory.changes(from: LedgerDecisionSummary(first), to: LedgerDecisionSummary(first)).isEmpty)
        // The summary decoded from a recorded decision is the one made from the decision itself.
        for decision in [first, second] {
            let content = String(decoding: try JSONEncoder().encode(decision), as: UTF8.self)
            let decoded = try JSONDecoder().decode(LedgerDecisionSummary.self, from: Data(content.utf8))
            #expect(decoded == LedgerDecisionSummary(decision))
            #expect(decoded.displayName == decision.displayName)
        }
        #expect(LedgerDecisionSummary(second).failingRules == ["x"])
    }

    @Test("URLs: sqlite and postgres forms parse; a password never shows in messages")
    func urls() throws {
        #expect(try LedgerURL.parse("sqlite:audit.db") == .sqlite(path: "audit.db"))
        #expect(try LedgerURL.parse("sqlite:///var/lib/audit.db") == .sqlite(path: "/var/lib/audit.db"))
        #expect(try LedgerURL.parse("sqlite:a.db?synchronous=full") == .sqlite(path: "a.db", fullSync: true))
        #expect(throws: LedgerError.self) { try LedgerURL.parse("sqlite:a.db?journal=off") }
        let url = try LedgerURL.parse(
            "postgres://auditor:s3cr%40t@db.internal:6543/ledger?sslmode=require", environment: [:])
        guard case .postgres(let location) = url else {
            Issue.record("not a postgres URL")
            return
        }
        #expect(location.password == "s3cr@t")
        #expect(location.port == 6543)
        #expect(location.database == "ledger")
        #expect(location.tls == .require)
        #expect(!url.description.contains("s3cr"))
        #expect(url.description == "postgres://auditor:***@db.internal:6543/ledger")
        let fromEnvironment = try LedgerURL.parse("postgres://auditor@db/ledger", environment: ["PGPASSWORD": "pw"])
        if case .postgres(let location) = fromEnvironment { #expect(location.password == "pw") }
        #expect(throws: LedgerError.self) { try LedgerURL.parse("mysql://root:hunter2@db/x") }
        do {
            _ = try LedgerURL.parse("mysql://root:hunter2@db/x")
        } catch {
            #expect(!"\(error)".contains("hunter2"))
        }
        #expect(throws: LedgerError.self) { try LedgerURL.parse("postgres://a@db/x?sslmode=sometimes") }
        #expect(throws: LedgerError.self) { try LedgerURL.parse("audit.db") }
        #expect(LedgerURL.redact("postgres://u:pw@h/d") == "postgres://u:***@h/d")
    }

    @Test("CSV fields are quoted and cannot start a spreadsheet formula")
    func csvEscaping() {
        #expect(LedgerRow.csvField("plain") == "plain")
        #expect(LedgerRow.csvField("a,b") == "\"a,b\"")
        #expect(LedgerRow.csvField("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(LedgerRow.csvField("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"")
        #expect(LedgerRow.csvField("@SUM(A1)") == "'@SUM(A1)")
    }

    @Test("the chain hash is SHA-256 over the documented preimage")
    func hashPreimage() throws {
        let hash = try LedgerChain.hash(sequence: 1, previousHash: LedgerChain.genesis, content: "{}")
        let expected = try Digests.hash(Array("model-audit-ledger/1\n1\n\(LedgerChain.genesis)\n{}".utf8))
        #expect(hash == expected.map { String(format: "%02x", $0) }.joined())
    }
}
