import AuditCrypto
import Foundation

/// Verifies a DSSE envelope's signatures against a trust store.
///
/// The pipeline, for each signature in the envelope:
/// 1. try the trusted key its `keyid` hint names first, then every other trusted key — the hint only orders the
///    search, so a wrong or missing hint neither blocks a valid signature nor helps an invalid one;
/// 2. check it under the scheme the *trusted key* declares (ECDSA accepts DER or raw r‖s, see `docs/trust.md`);
/// 3. if it verifies, check that key's status at the evaluation time: a revoked, expired or not-yet-valid key
///    is named in the result but verifies nothing.
/// Finally count the *distinct* valid keys that verified; the envelope is verified when that count reaches the
/// threshold. Two signatures by one key count once.
public struct EnvelopeVerifier: Sendable {
    public let trustStore: TrustStore
    public let time: Date

    public init(trustStore: TrustStore, time: Date) {
        self.trustStore = trustStore
        self.time = time
    }

    public func verify(_ envelope: DSSEEnvelope, threshold: Int = 1) -> EnvelopeVerification {
        let message = envelope.preAuthenticationEncoding
        var results: [SignatureCheck] = []
        for (index, signature) in envelope.signatures.enumerated() {
            results.append(check(signature, index: index, message: message))
        }
        return EnvelopeVerification(
            payloadType: envelope.payloadType, threshold: max(threshold, 1), signatures: results,
            time: time)
    }

    private func check(_ signature: DSSESignature, index: Int, message: [UInt8]) -> SignatureCheck {
        let keys = trustStore.keys
        // The hinted key first, then the others in trust-store order; by position, so no key is copied.
        let hinted = signature.keyID.flatMap { hint in keys.firstIndex { $0.keyID == hint } }
        let order = (hinted.map { [$0] } ?? []) + keys.indices.filter { $0 != hinted }
        var errors: [String] = []
        for position in order {
            let key = keys[position]
            let valid: Bool
            do {
                valid = try key.publicKey.isValidSignature(
                    signature.signature, for: message, scheme: key.scheme, ecdsaEncoding: .derOrRawRS)
            } catch {
                errors.append("\(key.file): \(error)")
                continue
            }
            guard valid else { continue }
            let status = key.status(at: time)
            let outcome: SignatureCheck.Outcome =
                status.isValid ? .verified : .keyNotValid(status)
            return SignatureCheck(
                index: index, keyIDHint: signature.keyID, outcome: outcome, keyID: key.keyID, owner: key.owner,
                roles: key.roles, scheme: key.scheme, identity: key.identity)
        }
        let outcome: SignatureCheck.Outcome
        if signature.signature.isEmpty {
            outcome = .rejected("the signature is empty")
        } else if let hint = signature.keyID, trustStore.key(withID: hint) != nil {
            outcome = .rejected("does not verify under the trusted key its keyid names, nor any other trusted key")
        } else if !errors.isEmpty {
            outcome = .rejected("no trusted key verifies it (\(errors.joined(separator: "; ")))")
        } else {
            let named = signature.keyID.map { "names key \($0), which is not in the trust store" } ?? "names no key"
            outcome = .rejected(
                "no trusted key verifies it (signed by an unknown key, or the payload was changed); the signature "
                    + named)
        }
        return SignatureCheck(
            index: index, keyIDHint: signature.keyID, outcome: outcome, keyID: nil, owner: nil, roles: [],
            scheme: nil)
    }
}

/// The result of checking one signature of an envelope.
public struct SignatureCheck: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        /// A currently valid trusted key verified the signature.
        case verified
        /// The signature is by a trusted key that is revoked, expired or not yet valid: it counts for nothing.
        case keyNotValid(KeyStatus)
        /// No trusted key verifies the signature.
        case rejected(String)
    }

    public let index: Int
    public let keyIDHint: String?
    public let outcome: Outcome
    /// The trusted key whose public key matched, if any (also for a revoked or expired key).
    public let keyID: String?
    public let owner: String?
    public let roles: [TrustRole]
    public let scheme: SignatureScheme?
    /// Who the key stands for when it came from a certificate (keyless or `--ca-roots`); `nil` for a plain key.
    public var identity: SignerIdentity? = nil

    /// The signer as reports state it: the certificate's identity, or the key and its owner.
    public var signer: SignerIdentity {
        identity ?? SignerIdentity(kind: .key, keyID: keyID, owner: owner)
    }

    public var isVerified: Bool { outcome == .verified }

    public var explanation: String {
        switch outcome {
        case .verified:
            return "verified by \(keyID ?? "?") (\(owner ?? "?"))"
        case .keyNotValid(let status):
            return "signed by trusted key \(keyID ?? "?") (\(owner ?? "?")), but the key is \(status)"
        case .rejected(let reason):
            return reason
        }
    }
}

/// The result of verifying an envelope: each signature, and whether the threshold was met.
public struct EnvelopeVerification: Sendable, Equatable {
    public let payloadType: String
    public let threshold: Int
    public let signatures: [SignatureCheck]
    public let time: Date
    /// Distinct, currently valid trusted keys that verified a signature, sorted by key id. Worked out once: every
    /// rule and report asks for it (and `isVerified` with it).
    public let verifiedKeyIDs: [String]

    public init(payloadType: String, threshold: Int, signatures: [SignatureCheck], time: Date) {
        self.payloadType = payloadType
        self.threshold = threshold
        self.signatures = signatures
        self.time = time
        self.verifiedKeyIDs = Self.distinctSorted(signatures.compactMap { $0.isVerified ? $0.keyID : nil })
    }

    /// `ids` sorted, each once. An envelope has a signature or two: sorting and skipping repeats costs one array,
    /// where a set cost a hash table and a hash of every id on every model of a fleet.
    private static func distinctSorted(_ ids: [String]) -> [String] {
        guard ids.count > 1 else { return ids }
        var distinct: [String] = []
        for id in ids.sorted() where id != distinct.last { distinct.append(id) }
        return distinct
    }

    public var isVerified: Bool { verifiedKeyIDs.count >= threshold }

    /// One line saying why the envelope is or is not verified.
    public var summary: String {
        let count = verifiedKeyIDs.count
        if signatures.isEmpty { return "not verified: the envelope carries no signatures" }
        if isVerified {
            return "verified: \(count) distinct trusted key\(count == 1 ? "" : "s") (threshold \(threshold))"
        }
        return "not verified: \(count) distinct trusted key\(count == 1 ? "" : "s") verified, threshold is \(threshold)"
    }
}
