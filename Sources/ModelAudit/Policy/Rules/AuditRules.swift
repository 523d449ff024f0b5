import Foundation

/// `audits.required`: each listed framework has an attestation that is recent, unexpired and backed by evidence.
public struct RequiredAudits: PolicyCheck {
    public static let type = "audits.required"
    let frameworks: [String]
    /// For each framework, in order: its comparison key and the texts its findings expect, built once per rule.
    private let wanted: [(key: String, attestation: String, currentAttestation: String)]
    let maxAgeDays: Int?
    let requireEvidence: Bool
    /// Which deployments need the audits: e.g. SOC 2 for a hosted service only.
    let scope: DeploymentScope

    public init?(parameters: ObjectReader, context: PolicyParseContext) {
        let frameworks = parameters.strings("frameworks")
        scope = parameters.enumeration("scope", DeploymentScope.self, required: false) ?? .any
        maxAgeDays = parameters.integer("maxAgeDays", required: false, in: 1...36_500)
        requireEvidence = parameters.bool("requireEvidence", required: false) ?? true
        guard let frameworks, !frameworks.isEmpty else { return nil }
        self.frameworks = frameworks
        wanted = frameworks.map { (Self.key($0), "a \($0) attestation", "a current \($0) attestation") }
    }

    /// Framework names compare without case, spaces or punctuation: `SOC 2 Type II` = `soc2-type-ii`.
    static func key(_ framework: String) -> String {
        // An ASCII name (every framework name so far) needs no Unicode tables: its alphanumerics are 0-9, a-z.
        if framework.utf8.allSatisfy({ $0 < 0x80 }) {
            var key = ""
            key.unicodeScalars.reserveCapacity(framework.utf8.count)
            for byte in framework.utf8 {
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"):
                    key.unicodeScalars.append(Unicode.Scalar(byte))
                case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                    key.unicodeScalars.append(Unicode.Scalar(byte + 0x20))
                default:
                    continue
                }
            }
            return key
        }
        return String(framework.lowercased().unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) })
    }

    public func evaluate(_ subject: EvaluationSubject) -> [CheckOutcome] {
        switch (scope, subject.predicate.hosting.mode) {
        case (.hostedService, .selfHosted):
            return [CheckOutcome(.notApplicable, "applies to hosted services; this model is self-hosted",
                pointer: "/predicate/hosting/mode")]
        case (.selfHosted, .managedService):
            return [CheckOutcome(.notApplicable, "applies to self-hosted weights; this is a hosted service",
                pointer: "/predicate/hosting/mode")]
        default: break
        }
        let audits = subject.predicate.audits
        // Each name's key once, not once per comparison.
        let auditKeys = audits.map { Self.key($0.framework) }
        return frameworks.indices.map { position in
            let framework = frameworks[position]
            let wanted = self.wanted[position]
            // The most recently issued attestation speaks for the framework (the first of those issued at once). Each
            // date is read once, where comparing the candidates read both of theirs at every comparison.
            var chosen: (index: Int, issued: Date?)?
            for index in audits.indices where auditKeys[index] == wanted.key {
                let issued = audits[index].issuedDate
                if let best = chosen, !((best.issued ?? .distantPast) < (issued ?? .distantPast)) { continue }
                chosen = (index, issued)
            }
            guard let chosen else {
                return CheckOutcome(
                    .fail, "no \(framework) audit is declared", expected: wanted.attestation,
                    observed: audits.isEmpty ? "no audits" : audits.map(\.framework).joined(separator: ", "),
                    pointer: "/predicate/audits")
            }
            let index = chosen.index, audit = audits[index]
            let pointer = "/predicate/audits/\(index)"
            guard let issued = chosen.issued else {
                return CheckOutcome(.error, "\(framework) audit has an unreadable issue date", pointer: pointer + "/issued")
            }
            if issued > subject.time {
                return CheckOutcome(
                    .fail, "\(framework) audit claims to be issued in the future (\(audit.issued))",
                    expected: "issued before \(RFC3339.format(subject.time))", observed: audit.issued,
                    pointer: pointer + "/issued")
            }
            // A date-only expiry lasts to the end of that day, as a waiver's does.
            if let expires = audit.expires, let expiry = PolicyLoader.expiryInstant(expires), expiry < subject.time {
                return CheckOutcome(
                    .fail, "\(framework) audit by \(audit.auditor) expired on \(audit.expires ?? "?")",
                    expected: "not expired at \(RFC3339.format(subject.time))", observed: "expired \(audit.expires ?? "?")",
                    pointer: pointer + "/expires")
            }
            if let maxAgeDays {
                let age = Int(subject.time.timeIntervalSince(issued) / 86_400)
                if age > maxAgeDays {
                    return CheckOutcome(
                        .fail, "\(framework) audit was issued \(age) days ago (\(audit.issued))",
                        expected: "issued within \(maxAgeDays) days", observed: "\(age) days old",
                        pointer: pointer + "/issued")
                }
            }
            if requireEvidence && audit.evidence == nil {
                return CheckOutcome(
                    .fail, "\(framework) audit has no evidence digest", expected: "evidence with a sha256 digest",
                    observed: "no evidence", pointer: pointer + "/evidence")
            }
            return CheckOutcome(
                .pass, "\(framework) audit by \(audit.auditor), issued \(audit.issued)"
                    + (audit.expires.map { ", valid until \($0)" } ?? ""),
                expected: wanted.currentAttestation, observed: audit.issued, pointer: pointer)
        }
    }
}
