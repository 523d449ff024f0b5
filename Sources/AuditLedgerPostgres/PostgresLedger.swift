import AuditLedger
import Foundation
import ModelAudit
import PostgresNIO

/// The shared ledger: one PostgreSQL database that many machines append to; appends serialised by a
/// transaction-scoped advisory lock, so the chain stays linear whoever writes.
public final class PostgresLedger: LedgerStore, IndexedColumnsReading, @unchecked Sendable {
    /// `location` as given, for messages (its description never shows the password).
    public let url: LedgerURL
    private let connection: PostgresConnection
    private let logger = Logger(label: "audit-ledger")

    /// The advisory lock key every writer of an audit ledger takes ("AUDITLDG" as a number).
    static let appendLock: Int64 = 0x4155_4449_544C_4447

    /// The shared tables (version 1), then `ledger_append` (version 2): the server-side append that takes the lock,
    /// reads the head and inserts the linked records in one call, so the lock is held for one round trip and the
    /// commit instead of three round trips and the commit. The hash is the documented construction, computed by
    /// the server with `sha256()` (PostgreSQL 11 or later); the writer recomputes it from what the call returns.
    /// Then `ledger_append_committed` (version 3): the same append and its commit in one procedure, so a writer
    /// sends one `CALL` per append, not `BEGIN`, the append and `COMMIT`, each waiting for the server's reply.
    static let migrations = LedgerSchema.migrations(sequenceType: "BIGINT") + [
        (2, [
            """
            CREATE OR REPLACE FUNCTION ledger_append(stamp TEXT, contents TEXT[], columns JSONB)
            RETURNS TABLE (record_sequence BIGINT, record_previous_hash TEXT, record_hash TEXT)
            LANGUAGE plpgsql VOLATILE AS $$
            DECLARE
                head_sequence BIGINT;
                head_hash TEXT;
                next_hash TEXT;
                cells JSONB;
            BEGIN
                -- The lock comes first, so the head read next (a fresh snapshot in a volatile function) is the last
                -- committed record: every writer, from any machine, chains after it.
                PERFORM pg_advisory_xact_lock(\(PostgresLedger.appendLock));
                SELECT r.sequence, r.hash INTO head_sequence, head_hash
                    FROM ledger_records r ORDER BY r.sequence DESC LIMIT 1;
                IF NOT FOUND THEN
                    head_sequence := 0;
                    head_hash := repeat('0', 64);
                END IF;
                FOR i IN 1 .. coalesce(array_length(contents, 1), 0) LOOP
                    cells := columns -> (i - 1);
                    head_sequence := head_sequence + 1;
                    next_hash := encode(sha256(convert_to('\(LedgerChain.domain)' || chr(10) || head_sequence
                        || chr(10) || head_hash || chr(10) || contents[i], 'UTF8')), 'hex');
                    INSERT INTO ledger_records (sequence, recorded_at, model, model_version, developer,
                        envelope_sha256, policy_name, policy_sha256, trust_store_sha256, verdict, content,
                        previous_hash, hash)
                    VALUES (head_sequence, stamp, cells ->> 0, cells ->> 1, cells ->> 2, cells ->> 3, cells ->> 4,
                        cells ->> 5, cells ->> 6, cells ->> 7, contents[i], head_hash, next_hash);
                    record_sequence := head_sequence;
                    record_previous_hash := head_hash;
                    record_hash := next_hash;
                    RETURN NEXT;
                    head_hash := next_hash;
                END LOOP;
            END
            $$
            """,
        ]),
        (3, [
            """
            CREATE OR REPLACE PROCEDURE ledger_append_committed(stamp TEXT, contents TEXT[], columns JSONB,
                INOUT first_sequence BIGINT DEFAULT NULL, INOUT first_previous_hash TEXT DEFAULT NULL,
                INOUT hashes TEXT[] DEFAULT NULL)
            LANGUAGE plpgsql AS $$
            BEGIN
                SELECT min(a.record_sequence),
                    (array_agg(a.record_previous_hash ORDER BY a.record_sequence))[1],
                    array_agg(a.record_hash ORDER BY a.record_sequence)
                INTO first_sequence, first_previous_hash, hashes
                FROM ledger_append(stamp, contents, columns) a;
                -- The reply to CALL is sent after this COMMIT has returned (with the server's synchronous_commit,
                -- once the records are on disk), so its row is the writer's acknowledgement. A CALL inside a
                -- transaction block fails here ("invalid transaction termination") and stores nothing.
                COMMIT;
            END
            $$
            """,
        ]),
    ]

    /// Connects; `create` brings the schema up to date (writers), otherwise the schema must already exist.
    public init(_ location: LedgerURL.PostgresLocation, create: Bool) throws {
        url = .postgres(location)
        let configuration = try Self.configuration(location)
        let logger = self.logger
        connection = try Blocking.run(url: .postgres(location)) {
            try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        }
        do {
            if create {
                try migrate()
            } else if try schemaVersion() == 0 {
                throw LedgerError.corrupt("\(url) holds no audit ledger (no ledger_schema table)")
            }
        } catch {
            close()
            throw error
        }
    }

    private static func configuration(_ location: LedgerURL.PostgresLocation) throws
        -> PostgresConnection.Configuration
    {
        let tls: PostgresConnection.Configuration.TLS
        do {
            switch location.tls {
            case .disable:
                tls = .disable
            case .prefer, .require:
                var settings = TLSConfiguration.makeClientConfiguration()
                settings.certificateVerification = .none
                let context = try NIOSSLContext(configuration: settings)
                tls = location.tls == .prefer ? .prefer(context) : .require(context)
            case .verifyFull:
                var settings = TLSConfiguration.makeClientConfiguration()
                settings.certificateVerification = .fullVerification
                if let file = location.rootCertificate { settings.trustRoots = .file(file) }
                tls = .require(try NIOSSLContext(configuration: settings))
            }
        } catch {
            throw LedgerError.unavailable("cannot set up TLS for the ledger connection: \(error)")
        }
        return PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password,
            database: location.database, tls: tls)
    }

    private func migrate() throws {
        let connection = self.connection
        let logger = self.logger
        try Blocking.run(url: url) {
            try await connection.withTransaction(logger: logger) { db in
                try await db.query("SELECT pg_advisory_xact_lock(\(Self.appendLock))", logger: logger)
                try await db.query("""
                    CREATE TABLE IF NOT EXISTS ledger_schema (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)
                    """, logger: logger)
                var current = 0
                for try await value in try await db.query(
                    "SELECT COALESCE(MAX(version), 0) FROM ledger_schema", logger: logger).decode(Int.self)
                {
                    current = value
                }
                guard current <= (Self.migrations.last?.version ?? 0) else {
                    throw LedgerError.unavailable("the database has ledger schema version \(current), newer than "
                        + "this audit understands")
                }
                for migration in Self.migrations where migration.version > current {
                    for statement in migration.statements {
                        try await db.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                    let now = LedgerTime.format(Date())
                    try await db.query(
                        "INSERT INTO ledger_schema (version, applied_at) VALUES (\(migration.version), \(now))",
                        logger: logger)
                }
            }
        }
    }

    public func append(_ decisions: [LedgerDecision], signer: LedgerSigner?) throws -> [LedgerRecord] {
        guard !decisions.isEmpty else { return [] }
        let prepared = try LedgerChain.prepare(decisions, now: Date())
        // A signature covers the hash, which only exists once the head is known: signed records are linked here,
        // under the lock, rather than by the server.
        if let signer { return try appendLinkedHere(prepared, signer: signer) }
        let contents = prepared.map(\.content)
        let cells = prepared.map { decision -> [String?] in
            let columns = decision.columns
            return [columns.model, columns.version, columns.developer, columns.envelopeSHA256, columns.policyName,
                columns.policySHA256, columns.trustStoreSHA256, columns.verdict]
        }
        let stamp = prepared[0].columns.recordedAt
        let cellsJSON = String(decoding: LedgerDecisionJSON.stringRows(cells), as: UTF8.self)
        let connection = self.connection
        let logger = self.logger
        let links = try Blocking.run(url: url) {
            // One round trip: the procedure appends and commits, and its reply comes after the commit, so the reply
            // is the acknowledgement that the records are durable. (A plain `SELECT ledger_append(…)` outside a
            // transaction would not do: its rows arrive before the implicit commit that follows them.)
            var links: [(sequence: Int64, previousHash: String, hash: String)] = []
            let rows = try await connection.query("""
                CALL ledger_append_committed(\(stamp), \(contents), \(cellsJSON)::jsonb, NULL, NULL, NULL)
                """, logger: logger)
            for try await (first, firstPrevious, hashes) in rows.decode((Int64?, String?, [String]?).self) {
                guard let first, let firstPrevious, let hashes else { continue }
                for (offset, hash) in hashes.enumerated() {
                    links.append((first + Int64(offset), offset == 0 ? firstPrevious : hashes[offset - 1], hash))
                }
            }
            return links
        }
        return try Self.records(prepared, linkedBy: links)
    }

    /// The records the server linked, each checked against the documented construction: a `ledger_append` that
    /// was altered on the server to chain differently is an error here, not a ledger that later fails to verify.
    static func records(
        _ prepared: [PreparedDecision], linkedBy links: [(sequence: Int64, previousHash: String, hash: String)]
    ) throws -> [LedgerRecord] {
        guard links.count == prepared.count else {
            throw LedgerError.corrupt("ledger_append stored \(links.count) records for \(prepared.count) decisions")
        }
        var records: [LedgerRecord] = []
        var previous: (sequence: Int64, hash: String)?
        for (decision, link) in zip(prepared, links) {
            let record = LedgerRecord(
                sequence: link.sequence, content: decision.content, previousHash: link.previousHash, hash: link.hash)
            // The first record follows whatever the server found as the head (`ledger verify` checks that link
            // like every other); each next one must follow the record before it in this batch.
            let predecessor: (sequence: Int64, hash: String)? =
                previous ?? (link.sequence > 1 ? (link.sequence - 1, link.previousHash) : nil)
            if let problem = LedgerChain.problem(with: record, after: predecessor) {
                throw LedgerError.corrupt("the server's ledger_append linked a record wrongly: \(problem)")
            }
            records.append(record)
            previous = (record.sequence, record.hash)
        }
        return records
    }

    /// The append of signed records: lock, head, link and sign here, insert, commit.
    private func appendLinkedHere(_ prepared: [PreparedDecision], signer: LedgerSigner) throws -> [LedgerRecord] {
        let connection = self.connection
        let logger = self.logger
        return try Blocking.run(url: url) {
            try await connection.withTransaction(logger: logger) { db in
                // Every writer takes the same lock before reading the head: one linear chain, whoever appends.
                try await db.query("SELECT pg_advisory_xact_lock(\(Self.appendLock))", logger: logger)
                let head = try await Self.headLink(db, logger: logger)
                let sealed = try LedgerChain.link(prepared, after: head, signer: signer)
                try await Self.insert(sealed, into: db, logger: logger)
                return sealed.map(\.record)
            }
        }
    }

    public func insertVerbatim(_ records: [LedgerRecord]) throws {
        guard !records.isEmpty else { return }
        let connection = self.connection
        let logger = self.logger
        try Blocking.run(url: url) {
            try await connection.withTransaction(logger: logger) { db in
                try await db.query("SELECT pg_advisory_xact_lock(\(Self.appendLock))", logger: logger)
                let head = try await Self.headLink(db, logger: logger)
                try LedgerImport.checkContinues(records, head: head)
                try await Self.insert(try records.map { ($0, try LedgerColumns($0)) }, into: db, logger: logger)
            }
        }
    }

    private static func headLink(_ db: PostgresConnection, logger: Logger) async throws
        -> (sequence: Int64, hash: String)?
    {
        var head: (sequence: Int64, hash: String)?
        let rows = try await db.query(
            "SELECT sequence, hash FROM ledger_records ORDER BY sequence DESC LIMIT 1", logger: logger)
        for try await (sequence, hash) in rows.decode((Int64, String).self) {
            head = (sequence, hash)
        }
        return head
    }

    private static func insert(
        _ records: [(record: LedgerRecord, columns: LedgerColumns)], into db: PostgresConnection, logger: Logger
    ) async throws {
        for (record, columns) in records {
            try await db.query("""
                INSERT INTO ledger_records (sequence, recorded_at, model, model_version, developer, envelope_sha256,
                    policy_name, policy_sha256, trust_store_sha256, verdict, content, previous_hash, hash, signature,
                    key_id)
                VALUES (\(record.sequence), \(columns.recordedAt), \(columns.model), \(columns.version),
                    \(columns.developer), \(columns.envelopeSHA256), \(columns.policyName), \(columns.policySHA256),
                    \(columns.trustStoreSHA256), \(columns.verdict), \(record.content), \(record.previousHash),
                    \(record.hash), \(record.signature), \(record.keyID))
                """, logger: logger)
        }
    }

    private static let recordColumns = "sequence, content, previous_hash, hash, signature, key_id"

    private func fetchRecords(_ query: PostgresQuery) throws -> [LedgerRecord] {
        let connection = self.connection
        let logger = self.logger
        return try Blocking.run(url: url) {
            var records: [LedgerRecord] = []
            let rows = try await connection.query(query, logger: logger)
            for try await (sequence, content, previous, hash, signature, keyID) in rows.decode(
                (Int64, String, String, String, String?, String?).self)
            {
                records.append(LedgerRecord(sequence: sequence, content: content, previousHash: previous, hash: hash,
                    signature: signature, keyID: keyID))
            }
            return records
        }
    }

    public func records(after: Int64, limit: Int) throws -> [LedgerRecord] {
        try fetchRecords("""
            SELECT \(unescaped: Self.recordColumns) FROM ledger_records WHERE sequence > \(after)
            ORDER BY sequence LIMIT \(limit)
            """)
    }

    public func record(sequence: Int64) throws -> LedgerRecord? {
        try fetchRecords(
            "SELECT \(unescaped: Self.recordColumns) FROM ledger_records WHERE sequence = \(sequence)").first
    }

    public func query(_ filter: LedgerFilter) throws -> [LedgerRecord] {
        var conditions: [String] = []
        var binds = PostgresBindings()
        func bind(_ value: String) -> String {
            binds.append(value)
            return "$\(binds.count)"
        }
        if let since = filter.since { conditions.append("recorded_at >= \(bind(since))") }
        if let until = filter.until { conditions.append("recorded_at < \(bind(until))") }
        if let verdict = filter.verdict { conditions.append("verdict = \(bind(verdict.rawValue))") }
        if let developer = filter.developer { conditions.append("developer = \(bind(developer))") }
        if let policy = filter.policy {
            let placeholder = bind(policy)
            conditions.append("(policy_name = \(placeholder) OR policy_sha256 = \(placeholder))")
        }
        if let model = filter.model {
            let placeholder = bind(model)
            var alternatives = ["model = \(placeholder)", "envelope_sha256 = \(placeholder)"]
            if let space = model.lastIndex(of: " ") {
                let name = bind(String(model[..<space]))
                let version = bind(String(model[model.index(after: space)...]))
                alternatives.append("(model = \(name) AND model_version = \(version))")
            }
            conditions.append("(" + alternatives.joined(separator: " OR ") + ")")
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        binds.append(filter.limit)
        let sql = "SELECT \(Self.recordColumns) FROM ledger_records \(whereClause) ORDER BY sequence "
            + "LIMIT $\(binds.count)"
        return try fetchRecords(PostgresQuery(unsafeSQL: sql, binds: binds))
    }

    public func latestPerModel() throws -> [LedgerRecord] {
        try fetchRecords(PostgresQuery(unsafeSQL: LedgerSQL.latestPerModel))
    }

    public func verdictsByDay() throws -> [(day: String, verdict: String, count: Int)] {
        let connection = self.connection
        let logger = self.logger
        return try Blocking.run(url: url) {
            var rows: [(day: String, verdict: String, count: Int)] = []
            let result = try await connection.query(PostgresQuery(unsafeSQL: LedgerSQL.verdictsByDay), logger: logger)
            for try await (day, verdict, count) in result.decode((String, String, Int64).self) {
                rows.append((day, verdict, Int(count)))
            }
            return rows
        }
    }

    public func head() throws -> (count: Int64, last: LedgerRecord?) {
        let last = try fetchRecords(
            "SELECT \(unescaped: Self.recordColumns) FROM ledger_records ORDER BY sequence DESC LIMIT 1").first
        let connection = self.connection
        let logger = self.logger
        let count: Int64 = try Blocking.run(url: url) {
            var count: Int64 = 0
            for try await value in try await connection.query(
                "SELECT COUNT(*) FROM ledger_records", logger: logger).decode(Int64.self)
            {
                count = value
            }
            return count
        }
        return (count, last)
    }

    public func schemaVersion() throws -> Int {
        let connection = self.connection
        let logger = self.logger
        return try Blocking.run(url: url) {
            var exists = false
            for try await value in try await connection.query(
                "SELECT to_regclass('ledger_schema') IS NOT NULL", logger: logger).decode(Bool.self)
            {
                exists = value
            }
            guard exists else { return 0 }
            var version = 0
            for try await value in try await connection.query(
                "SELECT COALESCE(MAX(version), 0) FROM ledger_schema", logger: logger).decode(Int.self)
            {
                version = value
            }
            return version
        }
    }

    public func indexedColumns(after: Int64, limit: Int) throws -> [Int64: [String?]] {
        let connection = self.connection
        let logger = self.logger
        let sql = "SELECT sequence, \(LedgerColumns.names.joined(separator: ", ")) FROM ledger_records "
            + "WHERE sequence > $1 ORDER BY sequence LIMIT $2"
        var binds = PostgresBindings()
        binds.append(after)
        binds.append(limit)
        let query = PostgresQuery(unsafeSQL: sql, binds: binds)
        return try Blocking.run(url: url) {
            var columns: [Int64: [String?]] = [:]
            let rows = try await connection.query(query, logger: logger)
            for try await row in rows {
                let cells = row.makeRandomAccess()
                let sequence = try cells[0].decode(Int64.self)
                columns[sequence] = try LedgerColumns.names.indices.map { index in
                    try cells[index + 1].decode(String?.self)
                }
            }
            return columns
        }
    }

    public func close() {
        let connection = self.connection
        try? Blocking.run(url: url) { try await connection.close() }
    }
}

/// The executor the blocking bridge runs PostgresNIO's async calls on: a queue of its own, independent of Swift's
/// cooperative thread pool (PostgresNIO's network I/O runs on its event loops either way).
final class LedgerTaskExecutor: TaskExecutor, @unchecked Sendable {
    static let shared = LedgerTaskExecutor()
    private let queue = DispatchQueue(label: "audit-ledger.postgres", attributes: .concurrent)

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}

/// Runs async PostgresNIO calls from the synchronous CLI, and turns their errors into messages that never quote
/// the connection's credentials.
enum Blocking {
    private final class Outcome<T>: @unchecked Sendable {
        var result: Result<T, Error>?
    }

    static func run<T: Sendable>(url: LedgerURL, _ body: @escaping @Sendable () async throws -> T) throws -> T {
        let outcome = Outcome<T>()
        let done = DispatchSemaphore(value: 0)
        // The caller's thread blocks below; if it is one of the few cooperative-pool threads (an async caller, a
        // test runner), a task left to that pool could wait forever for a free thread. The task runs on its own
        // executor instead, so blocking here never starves the work it waits for.
        Task(executorPreference: LedgerTaskExecutor.shared) {
            do {
                outcome.result = .success(try await body())
            } catch {
                outcome.result = .failure(error)
            }
            done.signal()
        }
        done.wait()
        switch outcome.result {
        case .success(let value)?:
            return value
        case .failure(let error)?:
            throw translate(error, url: url)
        case nil:
            throw LedgerError.unavailable("\(url): the operation did not finish")
        }
    }

    /// A message naming the server (never the password) and what the server or the network said.
    static func translate(_ error: Error, url: LedgerURL) -> Error {
        if let error = error as? LedgerError { return error }
        if let transaction = error as? PostgresTransactionError {
            if let inner = transaction.closureError { return translate(inner, url: url) }
            if let inner = transaction.beginError ?? transaction.commitError ?? transaction.rollbackError {
                return translate(inner, url: url)
            }
        }
        if let error = error as? PSQLError {
            if let info = error.serverInfo, let message = info[.message] {
                let state = info[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
                return LedgerError.unavailable("\(url): \(message)\(state)")
            }
            if let underlying = error.underlying {
                return LedgerError.unavailable("\(url): \(error.code): \(underlying)")
            }
            return LedgerError.unavailable("\(url): \(error.code)")
        }
        return LedgerError.unavailable("\(url): \(error)")
    }
}
