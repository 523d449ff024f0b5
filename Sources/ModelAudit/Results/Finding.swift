import Foundation

/// The outcome of one check.
public enum FindingStatus: String, Sendable, Codable, CaseIterable, Comparable {
    case fail
    case error
    case warn
    case waived
    case pass
    case notApplicable = "not-applicable"

    /// Sort order: what needs attention first.
    var rank: Int {
        switch self {
        case .fail: return 0
        case .error: return 1
        case .warn: return 2
        case .waived: return 3
        case .pass: return 4
        case .notApplicable: return 5
        }
    }

    public static func < (lhs: FindingStatus, rhs: FindingStatus) -> Bool { lhs.rank < rhs.rank }
}

/// How much a failed rule matters.
public enum Severity: String, Sendable, Codable, CaseIterable, Comparable {
    case critical
    case high
    case medium
    case low
    case info

    /// Sort order: what matters most first.
    var rank: Int {
        switch self {
        case .critical: return 0
        case .high: return 1
        case .medium: return 2
        case .low: return 3
        case .info: return 4
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// What a rule's failure does: block (enforce), only report (warn), or nothing (off).
public enum Enforcement: String, Sendable, Codable, CaseIterable {
    case enforce
    case warn
    case off
}

/// One check's result: what was expected, what the manifest says, where, and what to do.
///
/// Findings are values; a rule never throws for a verdict. "Could not decide" is `error`, which is never a pass.
public struct Finding: Sendable, Codable, Equatable {
    public var ruleID: String
    public var title: String
    public var status: FindingStatus
    public var severity: Severity
    public var message: String
    public var expected: String?
    public var observed: String?
    /// RFC 6901 pointer into the in-toto statement (or the envelope for signature findings).
    public var pointer: String?
    public var controls: [String]
    public var remediation: String?
    /// For lineage findings: the chain from the model to the ancestor concerned (model ← parent ← …).
    public var path: [String]?
    /// Set when a waiver turned a failure into `waived`.
    public var waiver: WaiverNote?
    /// The rule's members as the JSON report writes them, when the finding was made from a policy rule or an
    /// integrity check: how the report is written, not what the finding says, so it is neither encoded nor compared.
    var template: FindingTemplate? {
        get { rendering.template }
        set { rendering.template = newValue }
    }
    private var rendering = Rendering()

    /// Holds the template so that the synthesized `==` can stay: any two compare equal.
    private struct Rendering: Sendable, Equatable {
        var template: FindingTemplate?
        static func == (_: Rendering, _: Rendering) -> Bool { true }
    }

    private enum CodingKeys: String, CodingKey {
        case ruleID, title, status, severity, message, expected, observed, pointer, controls, remediation, path, waiver
    }

    public init(
        ruleID: String, title: String, status: FindingStatus, severity: Severity, message: String,
        expected: String? = nil, observed: String? = nil, pointer: String? = nil, controls: [String] = [],
        remediation: String? = nil, path: [String]? = nil, waiver: WaiverNote? = nil
    ) {
        self.ruleID = ruleID
        self.title = title
        self.status = status
        self.severity = severity
        self.message = message
        self.expected = expected
        self.observed = observed
        self.pointer = pointer
        self.controls = controls
        self.remediation = remediation
        self.path = path
        self.waiver = waiver
    }

    /// Findings in report order: status (failures first), severity, rule id, pointer, message.
    public static func sorted(_ findings: consuming [Finding]) -> [Finding] {
        // One rank for every id: the ids' strings decide among them.
        let ranks = [Int](repeating: 0, count: findings.count)
        return sorted(consume findings, ruleRanks: ranks)
    }

    /// Findings in report order, as `sorted(_:)` puts them, given for each finding a rank of its rule id that orders
    /// ids as their strings do: a lower rank for a lower id, the same rank for the same id. Ids that share a rank are
    /// compared as strings.
    ///
    /// The evaluator knows its rules' order once for all models; with it, a model's findings are sorted by one
    /// integer each and strings are compared only between findings of the same status, severity and rank.
    static func sorted(_ findings: consuming [Finding], ruleRanks: [Int]) -> [Finding] {
        // Status, severity and rule rank in one integer per finding: the first three members of the order in one
        // comparison, with no string read.
        let keys = findings.withUnsafeBufferPointer { all in
            all.indices.map { (all[$0].status.rank << 60) | (all[$0].severity.rank << 56) | ruleRanks[$0] }
        }
        // Positions are sorted, not the findings: moving a finding (a dozen strings) cost more than comparing it. Both
        // sorts are stable, so equal findings keep their order as before.
        let order = findings.withUnsafeBufferPointer { all in
            all.indices.sorted { left, right in
                if keys[left] != keys[right] { return keys[left] < keys[right] }
                if all[left].ruleID != all[right].ruleID { return all[left].ruleID < all[right].ruleID }
                let leftPointer = all[left].pointer ?? "", rightPointer = all[right].pointer ?? ""
                if leftPointer != rightPointer { return leftPointer < rightPointer }
                return all[left].message < all[right].message
            }
        }
        // Then put in that order where they are, one cycle of the permutation at a time: a swap moves two findings
        // without copying them, where building a new array copied every string of every finding (and freed the old).
        var sorted = consume findings
        sorted.withUnsafeMutableBufferPointer { buffer in
            var placed = [Bool](repeating: false, count: buffer.count)
            for start in buffer.indices where !placed[start] {
                var position = start
                placed[position] = true
                while order[position] != start {
                    let source = order[position]
                    buffer.swapAt(position, source)
                    position = source
                    placed[position] = true
                }
            }
        }
        return sorted
    }
}

/// The waiver that applied to a finding.
public struct WaiverNote: Sendable, Codable, Equatable {
    public var justification: String
    public var approver: String
    public var expires: String
}
