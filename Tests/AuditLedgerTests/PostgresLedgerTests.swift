import AuditCrypto
import AuditLedger
import Foundation
import ModelAudit
import Testing

/// What only the PostgreSQL backend has: the server-side append of schema version 2, the migration to it from
/// version 1, and the writer's check of the links the server made.
@Suite("Ledger on PostgreSQL", .enabled(if: Backend.postgresURL != nil, "needs AUDIT_TEST_POSTGRES_URL"))
struct PostgresLedgerTests {
    @Test("a version 1 ledger is brought to version 2 on the next write and its chain goes on intact")
    func migratesVersionOne() throws {
        let scratch = try ScratchLedger(.postgres)
        let records: [LedgerRecord]
        do {
            let store = try scratch.open()
            defer { store.close() }
            records = try store.append(Sample.decisions(Sample.fleet(3)), signer: nil)
        }
        // What an earlier audit left behind: the tables of version 1 and no server-side append.
        try scratch.tamper("DROP FUNCTION ledger_append; DELETE FROM ledger_schema WHERE version = 2")
        let reader = try scratch.open(create: false)
        #expect(try reader.schemaVersion() == 1)
        #expect(try LedgerVerifier.verify(reader).problem == nil)
        reader.close()

        let store = try scratch.open()
        defer { store.close() }
        #expect(try store.schemaVersion() == 2)
        let next = try store.append(Sample.decisions(Sample.fleet(2)), signer: nil)
        #expect(next.map(\.sequence) == [4, 5])
        #expect(next[0].previousHash == records[2].hash)
        let outcome = try LedgerVerifier.verify(store)
        #expect(outcome.problem == nil)
        #expect(outcome.records == 5)
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
