import AuditCrypto
import Foundation

/// `signatures.required-roles`: each listed role must be held by a trusted key that verified the manifest.
public struct RequiredSignerRoles: PolicyCheck {
    public static let type = "signatures.required-roles"
    let roles: [TrustRole]

    public init?(parameters: ObjectReader, context: PolicyParseContext) {
        guard let roles = parameters.enumerations("roles", TrustRole.self), !roles.isEmpty else {
            if parameters.object["roles"] != nil { parameters.log.add(parameters.path("roles"), "list at least one role") }
            return nil
        }
        self.roles = roles
    }

    public func evaluate(_ subject: EvaluationSubject) -> [CheckOutcome] {
        let verified = subject.signatures.signatures.filter(\.isVerified)
        let origin = subject.statement.predicate.origin
        return roles.map { role in
            let signers = verified.filter { $0.roles.contains(role) }
            guard !signers.isEmpty else {
                let held = Set(verified.flatMap(\.roles)).map(\.rawValue).sorted()
                return CheckOutcome(
                    .fail, "no trusted key holding the \(role.rawValue) role signed the manifest",
                    expected: "a signature by a key with role \(role.rawValue)",
                    observed: held.isEmpty ? "no verified signature" : "verified roles: \(held.joined(separator: ", "))",
                    pointer: "/signatures")
            }
            // The developer and publisher a manifest declares must be the owners of the keys that signed for
            // those roles: a trusted key of one company cannot vouch for a manifest naming another.
            let declared: (entity: LegalEntity, pointer: String)?
            switch role {
            case .developer: declared = (origin.developer, "/predicate/origin/developer")
            case .publisher:
                declared = origin.publisher.map { ($0, "/predicate/origin/publisher") }
                    ?? (origin.developer, "/predicate/origin/developer")
            default: declared = nil
            }
            guard let declared else {
                let signer = signers[0]
                return CheckOutcome(
                    .pass, "signed for the \(role.rawValue) role by \(signer.owner ?? "?")",
                    expected: "a \(role.rawValue) signature", observed: signer.keyID, pointer: "/signatures")
            }
            let claimed = PartyIdentity.bindingName(legalName: declared.entity.legalName, name: declared.entity.name)
            if let signer = signers.first(where: {
                PartyIdentity.owner($0.owner ?? "", matchesLegalName: declared.entity.legalName,
                    name: declared.entity.name)
            }) {
                return CheckOutcome(
                    .pass, "signed for the \(role.rawValue) role by \(signer.owner ?? "?"), the declared "
                        + "\(role.rawValue)",
                    expected: "a \(role.rawValue) signature by \(claimed)", observed: signer.keyID, pointer: "/signatures")
            }
            let owners = Array(Set(signers.compactMap(\.owner))).sorted()
            return CheckOutcome(
                .fail, "the manifest names \"\(claimed)\" as its \(role.rawValue), but the \(role.rawValue) "
                    + "signature is by \(owners.joined(separator: ", ")): a key may only vouch for its own owner",
                expected: "a \(role.rawValue) signature by a key owned by \(claimed)",
                observed: "signed by \(owners.joined(separator: ", "))", pointer: declared.pointer)
        }
    }
}

/// `signatures.threshold`: at least `minimum` distinct trusted keys (optionally of one role) signed.
public struct SignatureThreshold: PolicyCheck {
    public static let type = "signatures.threshold"
    let minimum: Int
    let role: TrustRole?

    public init?(parameters: ObjectReader, context: PolicyParseContext) {
        let minimum = parameters.integer("minimum", in: 1...64)
        role = parameters.enumeration("role", TrustRole.self, required: false)
        guard let minimum else { return nil }
        self.minimum = minimum
    }

    /// Policy rules run only on a manifest that verified under at least one trusted key, so one key of any role is
    /// always there.
    public var ineffectiveParameters: [IneffectiveParameter] {
        guard minimum == 1 && role == nil else { return [] }
        return [IneffectiveParameter(
            "minimum", "is 1 without a role, which every evaluated manifest meets (policy rules run only on a "
                + "manifest that verified under a trusted key)", fix: "raise minimum to 2 or more, or give a role")]
    }

    public func evaluate(_ subject: EvaluationSubject) -> [CheckOutcome] {
        let keys = Set(
            subject.signatures.signatures.filter { $0.isVerified && (role.map($0.roles.contains) ?? true) }
                .compactMap(\.keyID))
        let what = role.map { "distinct trusted \($0.rawValue) keys" } ?? "distinct trusted keys"
        return [
            CheckOutcome(
                keys.count >= minimum ? .pass : .fail, "\(keys.count) \(what) signed (minimum \(minimum))",
                expected: "≥ \(minimum) \(what)", observed: "\(keys.count)", pointer: "/signatures")
        ]
    }
}

/// `signatures.algorithms`: every verified signature uses an allowed scheme.
public struct AllowedSignatureSchemes: PolicyCheck {
    public static let type = "signatures.algorithms"
    let allowed: [SignatureScheme]
    /// The allowed schemes as every finding lists them, joined once.
    let expected: String

    public init?(parameters: ObjectReader, context: PolicyParseContext) {
        guard let allowed = parameters.enumerations("allowed", SignatureScheme.self), !allowed.isEmpty else {
            return nil
        }
        self.allowed = allowed
        expected = allowed.map(\.rawValue).joined(separator: ", ")
    }

    public var ineffectiveParameters: [IneffectiveParameter] {
        guard Set(allowed) == Set(SignatureScheme.allCases) else { return [] }
        return [IneffectiveParameter(
            "allowed", "lists every signature scheme, so no signature can fail it",
            fix: "list only the schemes the policy accepts (e.g. leave out rsa-pkcs1v15-sha256), or remove the rule")]
    }

    public func evaluate(_ subject: EvaluationSubject) -> [CheckOutcome] {
        let verified = subject.signatures.signatures.filter(\.isVerified)
        guard !verified.isEmpty else {
            return [CheckOutcome(.fail, "no verified signature", expected: expected, pointer: "/signatures")]
        }
        return verified.map { check in
            let scheme = check.scheme?.rawValue ?? "unknown"
            let ok = check.scheme.map(allowed.contains) ?? false
            return CheckOutcome(
                ok ? .pass : .fail, "signature \(check.index) uses \(scheme)", expected: expected, observed: scheme,
                pointer: "/signatures/\(check.index)")
        }
    }
}
