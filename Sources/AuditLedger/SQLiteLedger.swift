import Foundation
import GRDB
import ModelAudit

/// The embedded ledger: one SQLite file (WAL journal), appends serialised by `BEGIN IMMEDIATE`.
public final class SQLiteLedger: LedgerStore, IndexedColumnsReading {
    public let path: String
    private let queue: DatabaseQueue

    /// The schema, one step per version; a database is brought up to the last step when opened for writing.
    static let migrations = LedgerSchema.migrations(sequenceType: "INTEGER")

    /// Opens the ledger at `path`; `create` makes the file and schema when missing (writers), otherwise a missing
    /// file is an error (readers must not conjure an empty ledger that then verifies).
    public init(path: String, create: Bool, fullSync: Bool = false) throws {
        self.path = path
        if !create && !FileManager.default.fileExists(atPath: path) {
            throw LedgerError.unavailable("no ledger at \(path)")
        }
        var configuration = Configuration()
        configuration.busyMode = .callback(Self.lockWaiter())
        configuration.label = "audit-ledger"
        configuration.prepareDatabase { db in
            // In WAL mode NORMAL keeps every committed record through a crash of any process (the log is in the
            // kernel's hands at commit) and the database consistent through a power cut; FULL also flushes the log
            // to the disk at each commit, at the price of one fsync per append.
            try db.execute(sql: fullSync ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL")
            // A checkpoint (copying the log into the database, with its fsync) every ~16 MB of log rather than
            // SQLite's 4 MB: a record is about 4 KB, so the default stopped a writer every few hundred appends.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 4000")
        }
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
            if create {
                // Writers that find no ledger create it at once, and two that switch a new file to WAL together
                // deadlock: each holds a shared lock and wants the exclusive one, so SQLite answers one of them
                // "database is locked" without calling the busy handler. Both steps can be done again, so the loser
                // waits its turn and does them again.
                try Self.retryingWhileLocked {
                    try queue.writeWithoutTransaction { db in
                        if try String.fetchOne(db, sql: "PRAGMA journal_mode") != "wal" {
                            try db.execute(sql: "PRAGMA journal_mode = WAL")
                        }
                    }
                    try migrate()
                }
            } else {
                guard try queue.read({ db in try db.tableExists("ledger_schema") }) else {
                    throw LedgerError.corrupt("\(path) is not an audit ledger (no ledger_schema table)")
                }
            }
        } catch let error as LedgerError {
            throw error
        } catch {
            throw Self.translate(error, path: path)
        }
    }

    /// How long a writer waits for another to finish before its append fails as unavailable.
    static let lockTimeout: TimeInterval = 60

    /// A busy handler for one connection: another writer holds the lock for about the time of one insert and commit
    /// (well under a millisecond), so wait in steps of that size, with jitter so that waiting writers do not retry
    /// in step, until `lockTimeout` has passed. SQLite's own timeout handler sleeps 1, 2, 5, 10 … 100 ms between
    /// tries, which leaves the lock idle most of the time when several processes append at once.
    static func lockWaiter() -> Database.BusyCallback {
        let wait = LockWait()
        return { tries in
            let now = ContinuousClock.now
            // SQLite counts tries from 0 for each new wait.
            guard now - wait.start(restarting: tries == 0, now: now) < .seconds(lockTimeout) else { return false }
            usleep(UInt32.random(in: 50...250))
            return true
        }
    }

    /// Runs `body` again while it fails with SQLITE_BUSY, for up to `lockTimeout`, waiting a few milliseconds (with
    /// jitter) between tries; for steps SQLite does not wait out itself and that can be done twice.
    static func retryingWhileLocked(_ body: () throws -> Void) throws {
        let start = ContinuousClock.now
        while true {
            do {
                return try body()
            } catch let error as DatabaseError
                where error.resultCode.primaryResultCode == .SQLITE_BUSY
                && ContinuousClock.now - start < .seconds(lockTimeout)
            {
                usleep(UInt32.random(in: 1_000...5_000))
            }
        }
    }

    /// When the current wait for the lock began; the busy handler may be called from whichever thread runs the
    /// connection's statements.
    private final class LockWait: @unchecked Sendable {
        private let lock = NSLock()
        private var started: ContinuousClock.Instant?

        func start(restarting: Bool, now: ContinuousClock.Instant) -> ContinuousClock.Instant {
            lock.lock()
            defer { lock.unlock() }
            if restarting || started == nil { started = now }
            return started ?? now
        }
    }

    private func migrate() throws {
        try queue.writeWithoutTransaction { db in
            try db.inTransaction(.immediate) {
                try db.execute(sql: """
                    CREATE TABLE IF NOT EXISTS ledger_schema (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)
                    """)
                let current = try Int.fetchOne(db, sql: "SELECT MAX(version) FROM ledger_schema") ?? 0
                guard current <= (Self.migrations.last?.version ?? 0) else {
                    throw LedgerError.unavailable(
                        "\(self.path) has schema version \(current), newer than this audit understands")
                }
                for migration in Self.migrations where migration.version > current {
                    for statement in migration.statements { try db.execute(sql: statement) }
                    try db.execute(sql: "INSERT INTO ledger_schema (version, applied_at) VALUES (?, ?)",
                        arguments: [migration.version, LedgerTime.format(Date())])
                }
                return .commit
            }
        }
    }

    public func append(_ decisions: [LedgerDecision], signer: LedgerSigner?) throws -> [LedgerRecord] {
        guard !decisions.isEmpty else { return [] }
        // Encoding happens before the lock, so concurrent writers hold it only to hash, insert and commit.
        let prepared = try LedgerChain.prepare(decisions, now: Date())
        return try perform {
            try queue.writeWithoutTransaction { db in
                var sealed: [LedgerRecord] = []
                // IMMEDIATE takes the write lock before reading the head, so no other writer can chain after the
                // same record in between.
                try db.inTransaction(.immediate) {
                    let head = try Self.headLink(db)
                    let pairs = try LedgerChain.link(prepared, after: head, signer: signer)
                    try Self.insert(pairs, into: db)
                    sealed = pairs.map(\.record)
                    return .commit
                }
                return sealed
            }
        }
    }

    public func insertVerbatim(_ records: [LedgerRecord]) throws {
        guard !records.isEmpty else { return }
        try perform {
            try queue.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    let head = try Self.headLink(db)
                    try LedgerImport.checkContinues(records, head: head)
                    try Self.insert(try records.map { ($0, try LedgerColumns($0)) }, into: db)
                    return .commit
                }
            }
        }
    }

    /// The last record's place and hash, through a statement prepared once per connection.
    private static func headLink(_ db: Database) throws -> (sequence: Int64, hash: String)? {
        let statement = try db.cachedStatement(
            sql: "SELECT sequence, hash FROM ledger_records ORDER BY sequence DESC LIMIT 1")
        return try Row.fetchOne(statement).map { (sequence: $0[0] as Int64, hash: $0[1] as String) }
    }

    private static func insert(_ records: [(record: LedgerRecord, columns: LedgerColumns)], into db: Database) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO ledger_records (sequence, recorded_at, model, model_version, developer, envelope_sha256,
                policy_name, policy_sha256, trust_store_sha256, verdict, content, previous_hash, hash, signature,
                key_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for (record, columns) in records {
            try statement.execute(arguments: [
                record.sequence, columns.recordedAt, columns.model, columns.version, columns.developer,
                columns.envelopeSHA256, columns.policyName, columns.policySHA256, columns.trustStoreSHA256,
                columns.verdict, record.content, record.previousHash, record.hash, record.signature, record.keyID,
            ])
        }
    }

    public func records(after: Int64, limit: Int) throws -> [LedgerRecord] {
        try perform {
            try queue.read { db in
                try Row.fetchAll(db, sql: "SELECT \(Self.recordColumns) FROM ledger_records WHERE sequence > ? "
                    + "ORDER BY sequence LIMIT ?", arguments: [after, limit]).map(Self.record)
            }
        }
    }

    public func record(sequence: Int64) throws -> LedgerRecord? {
        try perform {
            try queue.read { db in
                try Row.fetchOne(db, sql: "SELECT \(Self.recordColumns) FROM ledger_records WHERE sequence = ?",
                    arguments: [sequence]).map(Self.record)
            }
        }
    }

    public func query(_ filter: LedgerFilter) throws -> [LedgerRecord] {
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let since = filter.since {
            conditions.append("recorded_at >= ?")
            arguments.append(since)
        }
        if let until = filter.until {
            conditions.append("recorded_at < ?")
            arguments.append(until)
        }
        if let verdict = filter.verdict {
            conditions.append("verdict = ?")
            arguments.append(verdict.rawValue)
        }
        if let developer = filter.developer {
            conditions.append("developer = ?")
            arguments.append(developer)
        }
        if let policy = filter.policy {
            conditions.append("(policy_name = ? OR policy_sha256 = ?)")
            arguments.append(policy)
            arguments.append(policy)
        }
        if let model = filter.model {
            // Three indexed lookups: a name, an envelope digest, or `name version`.
            let parts = LedgerFilter.nameAndVersion(model)
            if let version = parts.version {
                conditions.append("(model = ? OR envelope_sha256 = ? OR (model = ? AND model_version = ?))")
                arguments += [model, model, parts.name, version]
            } else {
                conditions.append("(model = ? OR envelope_sha256 = ?)")
                arguments += [model, model]
            }
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        arguments.append(filter.limit)
        let sql = "SELECT \(Self.recordColumns) FROM ledger_records \(whereClause) ORDER BY sequence LIMIT ?"
        return try perform {
            try queue.read { db in
                try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map(Self.record)
            }
        }
    }

    public func latestPerModel() throws -> [LedgerRecord] {
        try perform { try queue.read { db in try Row.fetchAll(db, sql: LedgerSQL.latestPerModel).map(Self.record) } }
    }

    public func verdictsByDay() throws -> [(day: String, verdict: String, count: Int)] {
        try perform {
            try queue.read { db in
                try Row.fetchAll(db, sql: LedgerSQL.verdictsByDay).map { row in
                    (day: row[0] as String, verdict: row[1] as String, count: row[2] as Int)
                }
            }
        }
    }

    public func head() throws -> (count: Int64, last: LedgerRecord?) {
        try perform {
            try queue.read { db in
                let last = try Row.fetchOne(db, sql: "SELECT \(Self.recordColumns) FROM ledger_records "
                    + "ORDER BY sequence DESC LIMIT 1").map(Self.record)
                let count = try Int64.fetchOne(db, sql: "SELECT COUNT(*) FROM ledger_records") ?? 0
                return (count, last)
            }
        }
    }

    public func schemaVersion() throws -> Int {
        try perform {
            try queue.read { db in try Int.fetchOne(db, sql: "SELECT MAX(version) FROM ledger_schema") ?? 0 }
        }
    }

    public func indexedColumns(after: Int64, limit: Int) throws -> [Int64: [String?]] {
        try perform {
            try queue.read { db in
                var columns: [Int64: [String?]] = [:]
                let names = LedgerColumns.names.joined(separator: ", ")
                let rows = try Row.fetchCursor(db, sql: "SELECT sequence, \(names) FROM ledger_records "
                    + "WHERE sequence > ? ORDER BY sequence LIMIT ?", arguments: [after, limit])
                while let row = try rows.next() {
                    columns[row["sequence"]] = LedgerColumns.names.map { row[$0] as String? }
                }
                return columns
            }
        }
    }

    public func close() {
        try? queue.close()
    }

    private static let recordColumns = "sequence, content, previous_hash, hash, signature, key_id"

    private static func record(_ row: Row) -> LedgerRecord {
        LedgerRecord(
            sequence: row["sequence"], content: row["content"], previousHash: row["previous_hash"], hash: row["hash"],
            signature: row["signature"], keyID: row["key_id"])
    }

    /// Runs a database operation, turning SQLite's errors into the ledger's own (the path, and what went wrong).
    private func perform<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as LedgerError {
            throw error
        } catch {
            throw Self.translate(error, path: path)
        }
    }

    static func translate(_ error: Error, path: String) -> LedgerError {
        guard let error = error as? DatabaseError else {
            return .unavailable("\(path): \(error)")
        }
        let reason = error.message ?? "\(error.resultCode)"
        switch error.resultCode.primaryResultCode {
        case .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_CANTOPEN, .SQLITE_FULL, .SQLITE_IOERR, .SQLITE_BUSY,
            .SQLITE_LOCKED:
            return .unavailable("cannot write \(path): \(reason)")
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            return .corrupt("\(path): \(reason)")
        default:
            return .unavailable("\(path): \(reason)")
        }
    }
}

extension LedgerFilter {
    /// `name version` split at the last space (`nil` version when there is no space).
    static func nameAndVersion(_ text: String) -> (name: String, version: String?) {
        guard let space = text.lastIndex(of: " ") else { return (text, nil) }
        return (String(text[..<space]), String(text[text.index(after: space)...]))
    }
}

/// Checks records from an export before they are stored.
public enum LedgerImport {
    /// The records must form one chain that continues `head` (or starts a new ledger).
    public static func checkContinues(_ records: [LedgerRecord], head: (sequence: Int64, hash: String)?) throws {
        var previous = head
        for record in records {
            if let problem = LedgerChain.problem(with: record, after: previous) {
                if previous?.sequence == head?.sequence, record.sequence == records.first?.sequence {
                    throw LedgerError.chainMismatch(
                        "the records do not continue this ledger's chain (its head is record "
                            + "\(head?.sequence ?? 0)): \(problem)")
                }
                throw LedgerError.chainMismatch(problem)
            }
            _ = try LedgerColumns(record)
            previous = (record.sequence, record.hash)
        }
    }
}
