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

/// What a model's timeline needs of one recorded decision: who and what was judged, under which policy, trust store
/// and tool, the verdict, the waivers and which rules failed.
///
/// `audit ledger history` decodes this rather than the whole `LedgerDecision` (finding texts, counts, subjects, run
/// context): over a long timeline, decoding whole decisions was most of the command's work.
public struct LedgerDecisionSummary: Sendable, Decodable, Equatable {
    public var recordedAt: String
    public var tool: LedgerDecision.Tool
    public var file: String
    public var model: String?
    public var version: String?
    public var envelopeSHA256: String
    public var policy: LedgerDecision.PolicyReference?
    public var trustStoreSHA256: String
    public var verdict: Verdict
    public var waivers: [WaiverReport]
    /// The rules whose finding failed or could not be evaluated.
    public var failingRules: Set<String>

    /// A finding reduced to what a timeline compares.
    private struct Outcome: Decodable {
        var ruleID: String
        var status: FindingStatus
    }

    private enum CodingKeys: String, CodingKey {
        case recordedAt, tool, file, model, version, envelopeSHA256, policy, trustStoreSHA256, verdict, waivers
        case findings
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        recordedAt = try container.decode(String.self, forKey: .recordedAt)
        tool = try container.decode(LedgerDecision.Tool.self, forKey: .tool)
        file = try container.decode(String.self, forKey: .file)
        model = try container.decodeIfPresent(String.self, forKey: .model)
        version = try container.decodeIfPresent(String.self, forKey: .version)
        envelopeSHA256 = try container.decode(String.self, forKey: .envelopeSHA256)
        policy = try container.decodeIfPresent(LedgerDecision.PolicyReference.self, forKey: .policy)
        trustStoreSHA256 = try container.decode(String.self, forKey: .trustStoreSHA256)
        verdict = try container.decode(Verdict.self, forKey: .verdict)
        waivers = try container.decode([WaiverReport].self, forKey: .waivers)
        failingRules = Self.failing(try container.decode([Outcome].self, forKey: .findings).map { ($0.ruleID, $0.status) })
    }

    /// The summary of a decision already decoded in full.
    public init(_ decision: LedgerDecision) {
        recordedAt = decision.recordedAt
        tool = decision.tool
        file = decision.file
        model = decision.model
        version = decision.version
        envelopeSHA256 = decision.envelopeSHA256
        policy = decision.policy
        trustStoreSHA256 = decision.trustStoreSHA256
        verdict = decision.verdict
        waivers = decision.waivers
        failingRules = Self.failing(decision.findings.map { ($0.ruleID, $0.status) })
    }

    private static func failing(_ outcomes: [(rule: String, status: FindingStatus)]) -> Set<String> {
        Set(outcomes.filter { $0.status == .fail || $0.status == .error }.map(\.rule))
    }

    /// As `LedgerDecision.displayName`.
    public var displayName: String { LedgerDecision.displayName(model: model, version: version, file: file) }
}

extension LedgerRecord {
    /// The record's decision, decoded only as far as a timeline needs.
    public func decisionSummary() throws -> LedgerDecisionSummary {
        do {
            return try JSONDecoder().decode(LedgerDecisionSummary.self, from: Data(content.utf8))
        } catch {
            throw LedgerError.corrupt("record \(sequence): its content is not a ledger decision (\(error))")
        }
    }
}

public enum LedgerHistory {
    /// The timeline of `records` (one model's, in chain order).
    public static func entries(_ records: [(LedgerRecord, LedgerDecisionSummary)]) -> [LedgerHistoryEntry] {
        var entries: [LedgerHistoryEntry] = []
        var previous: LedgerDecisionSummary?
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
    public static func changes(from old: LedgerDecisionSummary, to new: LedgerDecisionSummary) -> [String] {
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
        for rule in new.failingRules.subtracting(old.failingRules).sorted() { changes.append("now failing: \(rule)") }
        for rule in old.failingRules.subtracting(new.failingRules).sorted() {
            changes.append("no longer failing: \(rule)")
        }
        if old.tool.version != new.tool.version {
            changes.append("tool \(old.tool.version) → \(new.tool.version)")
        }
        return changes
    }
}
