import Foundation
import ModelAudit

/// One line of `audit ledger query`: the record's indexed facts, for text, JSON and CSV.
public struct LedgerRow: Sendable, Codable, Equatable {
    public var sequence: Int64
    public var recordedAt: String
    public var model: String
    public var developer: String?
    public var verdict: Verdict
    public var mode: PolicyMode
    public var policy: String?
    public var policySHA256: String?
    public var envelopeSHA256: String
    public var trustStoreSHA256: String
    public var host: String
    public var hash: String

    public init(record: LedgerRecord, decision: LedgerDecision) {
        sequence = record.sequence
        recordedAt = decision.recordedAt
        model = decision.displayName
        developer = decision.developer
        verdict = decision.verdict
        mode = decision.mode
        policy = decision.policy?.name
        policySHA256 = decision.policy?.sha256
        envelopeSHA256 = decision.envelopeSHA256
        trustStoreSHA256 = decision.trustStoreSHA256
        host = decision.context.host
        hash = record.hash
    }

    public static let csvHeader =
        "sequence,recorded_at,model,developer,verdict,mode,policy,policy_sha256,envelope_sha256,trust_store_sha256,"
        + "host,hash"

    public var csvLine: String {
        [
            String(sequence), recordedAt, model, developer ?? "", verdict.rawValue, mode.rawValue, policy ?? "",
            policySHA256 ?? "", envelopeSHA256, trustStoreSHA256, host, hash,
        ].map(Self.csvField).joined(separator: ",")
    }

    /// RFC 4180 quoting; a field a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR) is prefixed
    /// with `'` so opening the export cannot execute text from a manifest.
    public static func csvField(_ value: String) -> String {
        var text = value
        if let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) { text = "'" + text }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// A model's timeline: each decision with what changed since the one before.
public struct LedgerHistoryEntry: Sendable, Codable, Equatable {
    public var sequence: Int64
    public var recordedAt: String
    public var model: String
    public var verdict: Verdict
    public var policy: String?
    public var policySHA256: String?
    public var envelopeSHA256: String
    public var trustStoreSHA256: String
    /// What differs from the previous decision, in words: empty for the first.
    public var changes: [String]
}

public enum LedgerHistory {
    /// The timeline of `records` (one model's, in chain order).
    public static func entries(_ records: [(LedgerRecord, LedgerDecision)]) -> [LedgerHistoryEntry] {
        var entries: [LedgerHistoryEntry] = []
        var previous: LedgerDecision?
        for (record, decision) in records {
            entries.append(LedgerHistoryEntry(
                sequence: record.sequence, recordedAt: decision.recordedAt, model: decision.displayName,
                verdict: decision.verdict, policy: decision.policy?.name, policySHA256: decision.policy?.sha256,
                envelopeSHA256: decision.envelopeSHA256, trustStoreSHA256: decision.trustStoreSHA256,
                changes: previous.map { changes(from: $0, to: decision) } ?? []))
            previous = decision
        }
        return entries
    }

    /// What differs between two decisions about the same model.
    public static func changes(from old: LedgerDecision, to new: LedgerDecision) -> [String] {
        var changes: [String] = []
        if old.verdict != new.verdict { changes.append("verdict \(old.verdict.rawValue) → \(new.verdict.rawValue)") }
        if old.policy != new.policy {
            func describe(_ policy: LedgerDecision.PolicyReference?) -> String {
                policy.map { "\($0.name) (sha256:\($0.sha256.prefix(12)))" } ?? "none"
            }
            changes.append("policy \(describe(old.policy)) → \(describe(new.policy))")
        }
        if old.envelopeSHA256 != new.envelopeSHA256 {
            changes.append("manifest sha256:\(old.envelopeSHA256.prefix(12)) → sha256:\(new.envelopeSHA256.prefix(12))")
        }
        if old.version != new.version {
            changes.append("version \(old.version ?? "none") → \(new.version ?? "none")")
        }
        if old.trustStoreSHA256 != new.trustStoreSHA256 {
            changes.append("trust store sha256:\(old.trustStoreSHA256.prefix(12)) → "
                + "sha256:\(new.trustStoreSHA256.prefix(12))")
        }
        let oldWaivers = Dictionary(
            old.waivers.map { ("\($0.rule)|\($0.model)|\($0.expires)", $0.state) }) { first, _ in first }
        for waiver in new.waivers {
            let key = "\(waiver.rule)|\(waiver.model)|\(waiver.expires)"
            switch (oldWaivers[key], waiver.state) {
            case (.applied?, .expired):
                changes.append("waiver for \(waiver.rule) expired on \(waiver.expires)")
            case (nil, .applied):
                changes.append("waiver for \(waiver.rule) applied (until \(waiver.expires))")
            default:
                break
            }
        }
        let newWaivers = Set(new.waivers.map { "\($0.rule)|\($0.model)|\($0.expires)" })
        for waiver in old.waivers where !newWaivers.contains("\(waiver.rule)|\(waiver.model)|\(waiver.expires)") {
            changes.append("waiver for \(waiver.rule) no longer in the policy")
        }
        let oldFailing = Set(old.findings.filter { $0.status == .fail || $0.status == .error }.map(\.ruleID))
        let newFailing = Set(new.findings.filter { $0.status == .fail || $0.status == .error }.map(\.ruleID))
        for rule in newFailing.subtracting(oldFailing).sorted() { changes.append("now failing: \(rule)") }
        for rule in oldFailing.subtracting(newFailing).sorted() { changes.append("no longer failing: \(rule)") }
        if old.tool.version != new.tool.version {
            changes.append("tool \(old.tool.version) → \(new.tool.version)")
        }
        return changes
    }
}
