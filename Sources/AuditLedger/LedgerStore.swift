import AuditCrypto
import Foundation
import ModelAudit

/// A ledger database: the same operations on SQLite and on PostgreSQL, so every command and test runs on both.
///
/// Appends are serialised by the database (one writer at a time holds the chain's head), so any number of processes
/// and machines build one linear chain.
public protocol LedgerStore: AnyObject {
    /// Appends `decisions` in one transaction after the current head and returns the records as stored. Nothing is
    /// stored when it throws.
    func append(_ decisions: [LedgerDecision], signer: LedgerSigner?) throws -> [LedgerRecord]

    /// Up to `limit` records with a sequence number above `after`, in chain order.
    func records(after: Int64, limit: Int) throws -> [LedgerRecord]

    /// The record with this sequence number.
    func record(sequence: Int64) throws -> LedgerRecord?

    /// The records the filter selects, in chain order, at most `filter.limit`.
    func query(_ filter: LedgerFilter) throws -> [LedgerRecord]

    /// The latest record about each model (by name and version), in chain order.
    func latestPerModel() throws -> [LedgerRecord]

    /// How many decisions of each verdict were recorded on each UTC day (`YYYY-MM-DD`).
    func verdictsByDay() throws -> [(day: String, verdict: String, count: Int)]

    /// The number of records and the last one.
    func head() throws -> (count: Int64, last: LedgerRecord?)

    /// Stores records exported from another ledger unchanged, in one transaction. They must continue this ledger's
    /// chain: the first one's previous hash is this ledger's head (the genesis hash when it is empty).
    func insertVerbatim(_ records: [LedgerRecord]) throws

    /// The schema version the database is at.
    func schemaVersion() throws -> Int

    func close()
}

/// The SQL both backends share for the fleet view.
public enum LedgerSQL {
    public static let latestPerModel = """
        SELECT sequence, content, previous_hash, hash, signature, key_id FROM ledger_records
        WHERE sequence IN (SELECT MAX(sequence) FROM ledger_records GROUP BY model, model_version)
        ORDER BY sequence
        """
    public static let verdictsByDay = """
        SELECT substr(recorded_at, 1, 10) AS day, verdict, COUNT(*) FROM ledger_records
        GROUP BY substr(recorded_at, 1, 10), verdict ORDER BY 1, 2
        """
}

/// What `audit ledger query` and `history` select. Every field that is set must match.
public struct LedgerFilter: Sendable, Equatable {
    /// Recorded at or after (UTC, ledger time format).
    public var since: String?
    /// Recorded before.
    public var until: String?
    public var verdict: Verdict?
    public var developer: String?
    /// A policy name or its SHA-256.
    public var policy: String?
    /// A model name, `name version`, or envelope SHA-256.
    public var model: String?
    public var limit: Int

    public init(
        since: String? = nil, until: String? = nil, verdict: Verdict? = nil, developer: String? = nil,
        policy: String? = nil, model: String? = nil, limit: Int = 100_000
    ) {
        self.since = since
        self.until = until
        self.verdict = verdict
        self.developer = developer
        self.policy = policy
        self.model = model
        self.limit = limit
    }
}

/// The columns the ledger indexes beside each record's content, so queries need not parse JSON.
public struct LedgerColumns: Sendable {
    public var recordedAt: String
    public var model: String
    public var version: String?
    public var developer: String?
    public var envelopeSHA256: String
    public var policyName: String?
    public var policySHA256: String?
    public var trustStoreSHA256: String
    public var verdict: String

    public init(_ decision: LedgerDecision) {
        recordedAt = decision.recordedAt
        model = decision.model ?? decision.file
        version = decision.version
        developer = decision.developer
        envelopeSHA256 = decision.envelopeSHA256
        policyName = decision.policy?.name
        policySHA256 = decision.policy?.sha256
        trustStoreSHA256 = decision.trustStoreSHA256
        verdict = decision.verdict.rawValue
    }

    /// The columns of a stored record, read from its content (only the fields the columns need are decoded).
    public init(_ record: LedgerRecord) throws {
        let fields: IndexedFields
        do {
            fields = try JSONDecoder().decode(IndexedFields.self, from: Data(record.content.utf8))
        } catch {
            throw LedgerError.corrupt("record \(record.sequence): its content is not a ledger decision (\(error))")
        }
        recordedAt = fields.recordedAt
        model = fields.model ?? fields.file
        version = fields.version
        developer = fields.developer
        envelopeSHA256 = fields.envelopeSHA256
        policyName = fields.policy?.name
        policySHA256 = fields.policy?.sha256
        trustStoreSHA256 = fields.trustStoreSHA256
        verdict = fields.verdict.rawValue
    }

    /// The part of a decision the columns repeat.
    private struct IndexedFields: Decodable {
        var recordedAt: String
        var file: String
        var model: String?
        var version: String?
        var developer: String?
        var envelopeSHA256: String
        var policy: LedgerDecision.PolicyReference?
        var trustStoreSHA256: String
        var verdict: Verdict
    }
}

/// Walks a whole ledger in pages, checking every link: the one routine behind `audit ledger verify`.
public enum LedgerVerifier {
    /// The outcome of a walk.
    public struct Outcome: Sendable, Equatable {
        public var records: Int64
        /// The last record's hash: write it down to detect later truncation (`--head`).
        public var headHash: String?
        public var signedRecords: Int64
        /// The first broken link, when there is one.
        public var problem: String?
    }

    /// Checks every record from the first, stopping at the first broken link. With `keys`, every record must carry a
    /// signature by one of them. With `expectedHead`, a record with that hash must be in the chain (a ledger
    /// truncated before it fails).
    public static func verify(
        _ store: LedgerStore, keys: [PublicKey] = [], expectedHead: String? = nil, pageSize: Int = 5000
    ) throws -> Outcome {
        var previous: (sequence: Int64, hash: String)?
        var signed: Int64 = 0
        var sawExpectedHead = expectedHead == nil
        func broken(_ problem: String) -> Outcome {
            Outcome(records: previous?.sequence ?? 0, headHash: previous?.hash, signedRecords: signed, problem: problem)
        }
        while true {
            let after = previous?.sequence ?? 0
            let page = try store.records(after: after, limit: pageSize)
            if page.isEmpty { break }
            let columns = try (store as? IndexedColumnsReading)?.indexedColumns(after: after, limit: pageSize)
            for record in page {
                if let problem = LedgerChain.problem(with: record, after: previous, keys: keys) {
                    return broken(problem)
                }
                if let columns {
                    // The indexed columns must say what the hashed content says: an edit to a column alone would
                    // mislead every query.
                    guard let expected = try? LedgerColumns(record) else {
                        return broken("record \(record.sequence): its content is not a ledger decision")
                    }
                    if columns[record.sequence] != expected.comparable {
                        return broken("record \(record.sequence): its indexed columns (model, verdict, policy, …) "
                            + "were edited and no longer match its hashed content")
                    }
                }
                if record.signature != nil { signed += 1 }
                if record.hash == expectedHead { sawExpectedHead = true }
                previous = (record.sequence, record.hash)
            }
        }
        if !sawExpectedHead {
            return broken("the chain does not contain the expected head \(expectedHead ?? ""): records were removed "
                + "from its end")
        }
        return Outcome(records: previous?.sequence ?? 0, headHash: previous?.hash, signedRecords: signed, problem: nil)
    }
}

/// A store that can return the indexed columns of records as stored, for the verifier to compare with the content.
public protocol IndexedColumnsReading {
    /// The values of `LedgerColumns.names`, in that order, of up to `limit` records after `after`, by sequence.
    func indexedColumns(after: Int64, limit: Int) throws -> [Int64: [String?]]
}

extension LedgerColumns {
    /// The columns in table order, for comparison with a row.
    public var comparable: [String?] {
        [recordedAt, model, version, developer, envelopeSHA256, policyName, policySHA256, trustStoreSHA256, verdict]
    }

    public static let names = [
        "recorded_at", "model", "model_version", "developer", "envelope_sha256", "policy_name", "policy_sha256",
        "trust_store_sha256", "verdict",
    ]
}
