import AuditCrypto
import AuditLedger
import Foundation
import ModelAudit
import Testing

/// What only the PostgreSQL backend has: the server-side append of schema version 2 and its committing procedure of
/// version 3, the migrations to them, and the writer's check of the links the server made.
@Suite("Ledger on PostgreSQL", .enabled(if: Backend.postgresURL != nil, "needs AUDIT_TEST_POSTGRES_URL"))
struct PostgresLedgerTests {
    @Test("a version 1 ledger is brought to version 3 on the next write and its chain goes on intact")
    func migratesVersionOne() throws {
        let scratch = try ScratchLedger(.postgres)
        let records: [LedgerRecord]
        do {
            let store = try scratch.open()
            defer { store.close() }
            records = try store.append(Sample.decisions(Sample.fleet(3)), signer: nil)
        }
        // What an earlier audit left behind: the tables of version 1 and no server-side append.
        try scratch.tamper("""
            DROP PROCEDURE ledger_append_committed; DROP FUNCTION ledger_append;
            DELETE FROM ledger_schema WHERE version >= 2
            """)
        let reader = try scratch.open(create: false)
        #expect(try reader.schemaVersion() == 1)
        #expect(try LedgerVerifier.verify(reader).problem == nil)
        reader.close()

        let store = try scratch.open()
        defer { store.close() }
        #expect(try store.schemaVersion() == 3)
        let next = try store.append(Sample.decisions(Sample.fleet(2)), signer: nil)
        #expect(next.map(\.sequence) == [4, 5])
        #expect(next[0].previousHash == records[2].hash)
        let outcome = try LedgerVerifier.verify(store)
        #expect(outcome.problem == nil)
        #expect(outcome.records == 5)
    }

    @Test("a version 2 ledger gains the committing procedure, and appends of an earlier writer still chain with it")
    func migratesVersionTwo() throws {
        let scratch = try ScratchLedger(.postgres)
        do {
            let store = try scratch.open()
            defer { store.close() }
            _ = try store.append(Sample.decisions(Sample.fleet(2)), signer: nil)
        }
        try scratch.tamper("DROP PROCEDURE ledger_append_committed; DELETE FROM ledger_schema WHERE version = 3")
        // A writer of version 2 appends the way it did: the function inside a transaction of its own. It records
        // the first decision again, with the columns its content gives.
        let first: LedgerRecord
        do {
            let reader = try scratch.open(create: false)
            defer { reader.close() }
            first = try #require(try reader.record(sequence: 1))
        }
        let columns = try LedgerColumns(first)
        let cells = String(decoding: LedgerDecisionJSON.stringRows([[columns.model, columns.version,
            columns.developer, columns.envelopeSHA256, columns.policyName, columns.policySHA256,
            columns.trustStoreSHA256, columns.verdict]]), as: UTF8.self)
        func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }
        let earlierWriterAppend = """
            BEGIN; SELECT * FROM ledger_append(\(quoted(columns.recordedAt)), ARRAY[\(quoted(first.content))],
                \(quoted(cells))::jsonb); COMMIT;
            """
        try scratch.tamper(earlierWriterAppend)
        let store = try scratch.open()
        defer { store.close() }
        #expect(try store.schemaVersion() == 3)
        let next = try store.append(Sample.decisions(Sample.fleet(2)), signer: nil)
        #expect(next.map(\.sequence) == [4, 5])
        // The earlier writer keeps appending to the migrated ledger, and the chain stays one.
        try scratch.tamper(earlierWriterAppend)
        let outcome = try LedgerVerifier.verify(store, pageSize: 2)
        #expect(outcome.problem == nil)
        #expect(outcome.records == 6)
    }

    @Test("the committing procedure called inside a transaction block fails and stores nothing")
    func procedureRefusesTransactionBlock() throws {
        let scratch = try ScratchLedger(.postgres)
        let store = try scratch.open()
        defer { store.close() }
        _ = try store.append(Sample.decisions(Sample.fleet(1)), signer: nil)
        let error = #expect(throws: ScratchLedger.ToolFailure.self) {
            try scratch.tamper("""
                BEGIN; CALL ledger_append_committed('2026-12-02T00:00:00.000Z', ARRAY['{}'],
                    '[["m", null, null, "e", null, null, "t", "compliant"]]'::jsonb, NULL, NULL, NULL); COMMIT;
                """)
        }
        #expect(error?.description.contains("invalid transaction termination") == true)
        #expect(try store.head().count == 1)
        #expect(try LedgerVerifier.verify(store).problem == nil)
    }

    @Test("a server-side append altered to link records its own way is refused by the writer")
    func refusesForeignLinks() throws {
        let scratch = try ScratchLedger(.postgres)
        let store = try scratch.open()
        defer { store.close() }
        _ = try store.append(Sample.decisions(Sample.fleet(1)), signer: nil)
        try scratch.tamper("""
            CREATE OR REPLACE FUNCTION ledger_append(stamp TEXT, contents TEXT[], columns JSONB)
            RETURNS TABLE (record_sequence BIGINT, record_previous_hash TEXT, record_hash TEXT)
            LANGUAGE sql AS $$ SELECT 2::BIGINT, repeat('0', 64), repeat('f', 64) $$
            """)
        let error = #expect(throws: LedgerError.self) {
            _ = try store.append(Sample.decisions(Sample.fleet(1)), signer: nil)
        }
        #expect("\(error.map { "\($0)" } ?? "")".contains("linked a record wrongly"))
    }

    @Test("signed records are linked by the writer and chain with the server's links")
    func signedAndServerLinksInterleave() throws {
        let scratch = try ScratchLedger(.postgres)
        let store = try scratch.open()
        defer { store.close() }
        let key = try PrivateKey.generate(.ed25519)
        _ = try store.append(Sample.decisions(Sample.fleet(2)), signer: nil)
        let signed = try store.append(Sample.decisions(Sample.fleet(2)), signer: LedgerSigner(key: key))
        let unsigned = try store.append(Sample.decisions(Sample.fleet(2)), signer: nil)
        #expect(signed.map(\.sequence) == [3, 4])
        #expect(unsigned[0].previousHash == signed[1].hash)
        let outcome = try LedgerVerifier.verify(store)
        #expect(outcome.problem == nil)
        #expect(outcome.signedRecords == 2)
    }
}
