/// The ledger's SQL schema, one step per version, shared by the SQLite and PostgreSQL backends; the only difference
/// is the integer type of the sequence column.
public enum LedgerSchema {
    /// The migrations in order; a database is brought up to the last step when opened for writing.
    public static func migrations(sequenceType: String) -> [(version: Int, statements: [String])] {
        [
            (1, [
                """
                CREATE TABLE ledger_records (
                    sequence \(sequenceType) PRIMARY KEY,
                    recorded_at TEXT NOT NULL,
                    model TEXT NOT NULL,
                    model_version TEXT,
                    developer TEXT,
                    envelope_sha256 TEXT NOT NULL,
                    policy_name TEXT,
                    policy_sha256 TEXT,
                    trust_store_sha256 TEXT NOT NULL,
                    verdict TEXT NOT NULL,
                    content TEXT NOT NULL,
                    previous_hash TEXT NOT NULL,
                    hash TEXT NOT NULL UNIQUE,
                    signature TEXT,
                    key_id TEXT
                )
                """,
                "CREATE INDEX ledger_records_model ON ledger_records (model, sequence)",
                "CREATE INDEX ledger_records_envelope ON ledger_records (envelope_sha256, sequence)",
                "CREATE INDEX ledger_records_recorded_at ON ledger_records (recorded_at)",
                "CREATE INDEX ledger_records_developer ON ledger_records (developer, sequence)",
                "CREATE INDEX ledger_records_policy ON ledger_records (policy_name, sequence)",
                "CREATE INDEX ledger_records_verdict ON ledger_records (verdict, sequence)",
            ]),
        ]
    }
}
