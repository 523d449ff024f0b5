import AuditCrypto
import Foundation
import ModelAudit

/// One row of the ledger: a decision's canonical JSON, its place in the chain and, when the ledger has a key, its
/// signature.
///
/// `hash` = SHA-256 of `"model-audit-ledger/1\n" + sequence + "\n" + previousHash + "\n" + content` (hex, lower
/// case); the first record's `previousHash` is 64 zeros. `docs/ledger.md` shows how to check it outside `audit`.
public struct LedgerRecord: Sendable, Codable, Equatable {
    /// 1, 2, 3, … with no gaps: the record's place in the chain.
    public var sequence: Int64
    /// The decision as canonical JSON, the exact bytes the hash covers.
    public var content: String
    public var previousHash: String
    public var hash: String
    /// Base64 signature over the ASCII of `hash`, by the ledger key, when one was configured.
    public var signature: String?
    /// The key id of the ledger key that made `signature`.
    public var keyID: String?

    public init(
        sequence: Int64, content: String, previousHash: String, hash: String, signature: String? = nil,
        keyID: String? = nil
    ) {
        self.sequence = sequence
        self.content = content
        self.previousHash = previousHash
        self.hash = hash
        self.signature = signature
        self.keyID = keyID
    }

    /// The decision the content holds.
    public func decision() throws -> LedgerDecision {
        do {
            return try JSONDecoder().decode(LedgerDecision.self, from: Data(content.utf8))
        } catch {
            throw LedgerError.corrupt("record \(sequence): its content is not a ledger decision (\(error))")
        }
    }
}

/// The hash chain: how a record's hash is computed and how a run of records is checked.
public enum LedgerChain {
    /// The domain separator every record hash starts with; a new chain format gets a new one.
    public static let domain = "model-audit-ledger/1"
    /// The `previousHash` of the first record.
    public static let genesis = String(repeating: "0", count: 64)

    public static func hash(sequence: Int64, previousHash: String, content: String) throws -> String {
        let preimage = Array("\(domain)\n\(sequence)\n\(previousHash)\n".utf8) + Array(content.utf8)
        return hex(try Digests.hash(preimage, algorithm: .sha256))
    }

    /// Seals `decisions` after `head` (the last record, or `nil` for an empty ledger): each gets the next sequence
    /// number, the time `now` and the hash linking it to the one before.
    public static func seal(
        _ decisions: [LedgerDecision], after head: (sequence: Int64, hash: String)?, now: Date,
        signer: LedgerSigner?
    ) throws -> [LedgerRecord] {
        try sealWithColumns(decisions, after: head, now: now, signer: signer).map(\.record)
    }

    /// `seal`, with each record's indexed columns taken from its decision (no need to parse the content again).
    public static func sealWithColumns(
        _ decisions: [LedgerDecision], after head: (sequence: Int64, hash: String)?, now: Date,
        signer: LedgerSigner?
    ) throws -> [(record: LedgerRecord, columns: LedgerColumns)] {
        try link(try prepare(decisions, now: now), after: head, signer: signer)
    }

    /// Stamps `decisions` with the time `now` and encodes each as the content its record will hold. This is the
    /// costly part of an append, so writers do it before they take the chain's lock.
    public static func prepare(_ decisions: [LedgerDecision], now: Date) throws -> [PreparedDecision] {
        let recordedAt = LedgerTime.format(now)
        return decisions.map { decision in
            var decision = decision
            decision.recordedAt = recordedAt
            return PreparedDecision(
                content: String(decoding: LedgerDecisionJSON.encode(decision), as: UTF8.self),
                columns: LedgerColumns(decision))
        }
    }

    /// Links prepared decisions after `head` (the last record, or `nil` for an empty ledger): each gets the next
    /// sequence number and the hash that chains it to the one before, and a signature when there is a signer.
    public static func link(
        _ prepared: [PreparedDecision], after head: (sequence: Int64, hash: String)?, signer: LedgerSigner?
    ) throws -> [(record: LedgerRecord, columns: LedgerColumns)] {
        var sequence = head?.sequence ?? 0
        var previous = head?.hash ?? genesis
        var sealed: [(record: LedgerRecord, columns: LedgerColumns)] = []
        sealed.reserveCapacity(prepared.count)
        for decision in prepared {
            sequence += 1
            let hash = try hash(sequence: sequence, previousHash: previous, content: decision.content)
            var record = LedgerRecord(
                sequence: sequence, content: decision.content, previousHash: previous, hash: hash)
            if let signer {
                record.signature = Base64.encode(try signer.key.signature(for: Array(hash.utf8)))
                record.keyID = signer.key.publicKey.keyID
            }
            sealed.append((record, decision.columns))
            previous = hash
        }
        return sealed
    }

    /// What is wrong with `record` as the successor of `previous` (`nil` for the first record), or `nil` when the
    /// link holds: sequence, previous hash, own hash and, with `keys`, signature.
    public static func problem(
        with record: LedgerRecord, after previous: (sequence: Int64, hash: String)?, keys: [PublicKey] = []
    ) -> String? {
        let expectedSequence = (previous?.sequence ?? 0) + 1
        if record.sequence != expectedSequence {
            return record.sequence > expectedSequence
                ? "record \(expectedSequence) is missing (the next record is \(record.sequence))"
                : "record \(record.sequence) is out of order (expected \(expectedSequence))"
        }
        let expectedPrevious = previous?.hash ?? genesis
        if record.previousHash != expectedPrevious {
            return "record \(record.sequence) does not follow record \(expectedSequence - 1): its previous hash "
                + "\(record.previousHash) is not \(expectedPrevious) (a record was edited, deleted or reordered)"
        }
        guard let computed = try? hash(sequence: record.sequence, previousHash: record.previousHash,
            content: record.content)
        else { return "record \(record.sequence): its hash cannot be computed" }
        if computed != record.hash {
            return "record \(record.sequence) was altered: its content hashes to \(computed), not \(record.hash)"
        }
        if !keys.isEmpty {
            guard let signature = record.signature.flatMap(Base64.decode) else {
                return "record \(record.sequence) is not signed by a ledger key"
            }
            let verified = keys.contains { key in
                key.type.compatibleSchemes.contains { scheme in
                    (try? key.isValidSignature(signature, for: Array(record.hash.utf8), scheme: scheme)) == true
                }
            }
            if !verified { return "record \(record.sequence): its signature does not verify with any ledger key" }
        }
        return nil
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// A decision encoded for the ledger but not yet linked into the chain: its content and indexed columns.
public struct PreparedDecision: Sendable {
    /// The canonical JSON the record's hash will cover.
    public var content: String
    public var columns: LedgerColumns
}

/// The key that signs every record a process appends (`--ledger-key`).
public struct LedgerSigner: Sendable {
    public let key: PrivateKey

    public init(key: PrivateKey) {
        self.key = key
    }
}

/// The ledger's time format: RFC 3339 UTC with milliseconds, so text order is time order.
public enum LedgerTime {
    public static func format(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        let millis = min(999, max(0, Int(((date.timeIntervalSince1970 - seconds) * 1000).rounded(.down))))
        let whole = RFC3339.format(Date(timeIntervalSince1970: seconds))
        let digits = String(millis)
        return String(whole.dropLast()) + "." + String(repeating: "0", count: 3 - digits.count) + digits + "Z"
    }

    /// A `--since`/`--until` bound: an RFC 3339 date-time or a plain date (midnight UTC).
    public static func parseBound(_ text: String) -> Date? {
        RFC3339.parseDateOrDateTime(text)
    }
}

/// Why the ledger could not be opened, written or read.
public enum LedgerError: AuditError {
    /// The URL is not one the ledger understands.
    case badURL(String)
    /// The database could not be reached, opened or written.
    case unavailable(String)
    /// Stored data is not what the ledger wrote.
    case corrupt(String)
    /// An import does not continue the target's chain.
    case chainMismatch(String)

    public var description: String {
        switch self {
        case .badURL(let text): return "ledger URL: \(text)"
        case .unavailable(let text): return "ledger: \(text)"
        case .corrupt(let text): return "ledger is corrupt: \(text)"
        case .chainMismatch(let text): return "ledger import: \(text)"
        }
    }
}

extension LedgerError {
    public var code: AuditErrorCode {
        switch self {
        case .badURL: return .malformedInput
        case .unavailable: return .ledger
        case .corrupt, .chainMismatch: return .ledgerIntegrity
        }
    }
}
