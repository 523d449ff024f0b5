import AuditCrypto
import Foundation

/// Who may have signed a keyless bundle: the certificate's subject alternative name and the OIDC issuer Fulcio
/// recorded, each matched exactly or by a regular expression (cosign's `--certificate-identity[-regexp]` and
/// `--certificate-oidc-issuer[-regexp]`).
public struct SigstoreIdentityPolicy: Sendable, Equatable {
    /// One way to accept a value.
    public enum Match: Sendable, Equatable, CustomStringConvertible {
        case exact(String)
        /// A regular expression that must match the *whole* value. cosign matches anywhere in the value; here
        /// `release@vendor\.example` does not accept `release@vendor.example.attacker.test`.
        case regularExpression(String)

        public func matches(_ value: String) throws -> Bool {
            switch self {
            case .exact(let expected):
                return value == expected
            case .regularExpression(let pattern):
                let expression: NSRegularExpression
                do {
                    expression = try NSRegularExpression(pattern: "^(?:\(pattern))$")
                } catch {
                    throw SigstoreError.malformed("\"\(pattern)\" is not a valid regular expression")
                }
                let range = NSRange(value.startIndex..<value.endIndex, in: value)
                return expression.firstMatch(in: value, range: range) != nil
            }
        }

        public var description: String {
            switch self {
            case .exact(let text): return "\"\(text)\""
            case .regularExpression(let pattern): return "matching /\(pattern)/"
            }
        }
    }

    /// The subject alternative name (e-mail or URI) to accept; `nil` accepts any, which a caller should allow
    /// only when another rule decides who signed.
    public var subject: Match?
    public var issuer: Match?

    public init(subject: Match?, issuer: Match?) {
        self.subject = subject
        self.issuer = issuer
    }
}

/// What verifying a keyless bundle established: who signed, through which identity provider, and where the
/// signature was logged.
public struct SigstoreKeylessVerification: Sendable {
    public struct LogEntry: Sendable, Equatable {
        public let logIndex: Int64
        /// When a Rekor v1 log integrated the entry; `nil` for a Rekor v2 entry (the timestamp authority's time
        /// stands for it).
        public let integratedTime: Date?
        public let logBaseURL: String
        /// `kind version` of the entry body, e.g. `hashedrekord 0.0.2`.
        public let kind: String
    }

    /// The validated path, leaf first.
    public let path: [X509Certificate]
    /// The alternative name the identity policy accepted (the first e-mail or URI when no name was asked for).
    public let identity: String
    public let oidcIssuer: String?
    public let entries: [LogEntry]
    public let signedCertificateTimestamps: [SignedCertificateTimestamp]
    /// The times the bundle's RFC 3161 timestamps vouch for, each verified against a timestamp authority of the
    /// trusted root, in bundle order.
    public let timestampAuthorityTimes: [Date]

    /// The earliest time a trusted timestamp authority signed for the signature, when the bundle carried one.
    public var timestampAuthorityTime: Date? { timestampAuthorityTimes.min() }

    public var leaf: X509Certificate { path[0] }
}

/// Verifies a Sigstore keyless bundle offline against a trusted root.
///
/// 1. The bundle carries a certificate (or chain) and at least one Rekor entry. Its RFC 3161 timestamps, if any,
///    each verify against a timestamp authority of the trusted root. Every entry must verify (`RekorEntry.verify`:
///    known log valid at the integrated time — or, for a Rekor v2 entry, at the timestamps' times — inclusion proof
///    to a signed checkpoint and/or the signed entry timestamp) and restate the bundle's signature and certificate
///    (`RekorEntry.checkBody`).
/// 2. The leaf chains to a Fulcio CA of the trusted root that was valid at the integrated time, with every
///    certificate on the path valid at that time and the leaf allowed to sign code.
/// 3. An embedded SCT verifies with a CT log key of the trusted root.
/// 4. The signature verifies with the leaf's key: over the DSSE pre-authentication encoding, or over the artifact
///    digest of a message signature (which must be the caller's digest when one is given).
/// 5. The identity policy accepts a subject alternative name and the Fulcio OIDC issuer.
/// The first failed step ends verification with a `SigstoreError` saying which and why.
public struct SigstoreKeylessVerifier: Sendable {
    public let trustedRoot: TrustedRoot
    public let identity: SigstoreIdentityPolicy

    public init(trustedRoot: TrustedRoot, identity: SigstoreIdentityPolicy) {
        self.trustedRoot = trustedRoot
        self.identity = identity
    }

    /// - Parameter artifactDigest: SHA-256 of the artifact a message signature signs; `nil` to trust the bundle's
    ///   own digest (the caller then checks it), ignored for DSSE bundles.
    public func verify(_ bundle: SigstoreBundle, artifactDigest: [UInt8]? = nil) throws -> SigstoreKeylessVerification {
        let (leaf, chain) = try certificates(bundle)
        let content = try signedContent(bundle, artifactDigest: artifactDigest)
        guard !bundle.transparencyLogEntries.isEmpty else {
            throw SigstoreError.rejected("the bundle has no transparency log entry, so nothing proves when it was signed")
        }
        // Timestamps first: a Rekor v2 entry has no time of its own, its log key is checked at theirs.
        let stamped = try checkTimestamps(bundle.timestamps, content: content, leaf: leaf)
        var entries: [SigstoreKeylessVerification.LogEntry] = []
        for (index, logged) in bundle.transparencyLogEntries.enumerated() {
            let entry = try Self.rekorEntry(logged, pointer: "/verificationMaterial/tlogEntries/\(index)")
            let result = try entry.verify(trustedRoot: trustedRoot, timestampAuthorityTimes: stamped)
            try entry.checkBody(matches: content, certificate: leaf)
            if let integrated = entry.integratedDate, !(leaf.notBefore <= integrated && integrated <= leaf.notAfter) {
                throw SigstoreError.rejected(
                    "Rekor entry \(entry.logIndex) was integrated at \(RFC3339.format(integrated)), outside "
                        + "the certificate's validity (\(RFC3339.format(leaf.notBefore)) to "
                        + "\(RFC3339.format(leaf.notAfter)))")
            }
            entries.append(
                .init(
                    logIndex: entry.logIndex, integratedTime: entry.integratedDate, logBaseURL: result.logBaseURL,
                    kind: "\(entry.kind) \(entry.kindVersion)"))
        }
        // The earliest verified time is when the short-lived certificate was certainly in use. Every entry has an
        // integrated time or (Rekor v2) was checked to come with a timestamp, so there is always one.
        guard let signingTime = (entries.compactMap(\.integratedTime) + stamped).min() else {
            throw SigstoreError.rejected("nothing in the bundle says when it was signed")
        }
        let fulcio = try trustedRoot.validateFulcioCertificate(leaf, chain: chain, at: signingTime)
        let scts = try trustedRoot.verifyEmbeddedSCTs(fulcio)
        try checkSignature(content, key: leaf.publicKey)
        let accepted = try checkIdentity(leaf)
        return SigstoreKeylessVerification(
            path: fulcio.path, identity: accepted, oidcIssuer: leaf.fulcioIssuer, entries: entries,
            signedCertificateTimestamps: scts, timestampAuthorityTimes: stamped)
    }

    /// At most this many RFC 3161 timestamps are checked in one bundle; more is refused rather than verified.
    public static let timestampLimit = 32

    // MARK: - Steps

    /// Every RFC 3161 timestamp must verify against a timestamp authority of the trusted root that was valid at the
    /// time it states, its imprint must be over the signature's bytes, and the time must lie inside the leaf's
    /// validity. Returns the verified times.
    private func checkTimestamps(
        _ timestamps: [[UInt8]], content: SignedContent, leaf: X509Certificate
    ) throws -> [Date] {
        guard !timestamps.isEmpty else { return [] }
        guard timestamps.count <= Self.timestampLimit else {
            throw SigstoreError.malformed(
                "/verificationMaterial/timestampVerificationData/rfc3161Timestamps: \(timestamps.count) timestamps "
                    + "exceed the limit of \(Self.timestampLimit)")
        }
        guard Set(timestamps).count == timestamps.count else {
            throw SigstoreError.malformed(
                "/verificationMaterial/timestampVerificationData/rfc3161Timestamps: the same timestamp is given twice")
        }
        let signature: [UInt8]
        switch content {
        case .messageSignature(_, _, let bytes): signature = bytes
        // The timestamp authority countersigns the envelope's (first) signature, as Sigstore clients request it.
        case .dsse(_, _, let signatures): signature = signatures.first ?? []
        }
        var times: [Date] = []
        for (index, der) in timestamps.enumerated() {
            let pointer = "/verificationMaterial/timestampVerificationData/rfc3161Timestamps/\(index)/signedTimestamp"
            let token: RFC3161Timestamp
            do {
                token = try RFC3161Timestamp(der: der)
            } catch let error as CryptoError {
                throw SigstoreError.malformed("\(pointer): \(error.message)")
            }
            let authorities = trustedRoot.timestampAuthorities.filter { $0.validity.contains(token.time) }
            guard !authorities.isEmpty else {
                throw SigstoreError.rejected(
                    "\(pointer): no timestamp authority of the trusted root was valid at \(RFC3339.format(token.time))")
            }
            var reasons: [String] = []
            var verified = false
            for authority in authorities {
                do {
                    try token.verify(data: signature, chain: authority.chain)
                    verified = true
                    break
                } catch let error as CryptoError {
                    reasons.append(error.message)
                }
            }
            guard verified else {
                throw SigstoreError.rejected("\(pointer): \(reasons.joined(separator: "; "))")
            }
            guard leaf.notBefore <= token.time, token.time <= leaf.notAfter else {
                throw SigstoreError.rejected(
                    "\(pointer): the timestamp authority's time \(RFC3339.format(token.time)) is outside the "
                        + "certificate's validity (\(RFC3339.format(leaf.notBefore)) to "
                        + "\(RFC3339.format(leaf.notAfter)))")
            }
            times.append(token.time)
        }
        return times
    }

    private func certificates(_ bundle: SigstoreBundle) throws -> (X509Certificate, [X509Certificate]) {
        let ders: [[UInt8]]
        switch bundle.signer {
        case .certificate(let der): ders = [der]
        case .x509CertificateChain(let chain): ders = chain
        case .publicKey:
            throw SigstoreError.rejected("the bundle is signed with a public key, not a keyless (Fulcio) certificate")
        }
        guard !ders.isEmpty else { throw SigstoreError.malformed("the bundle's certificate chain is empty") }
        var certificates: [X509Certificate] = []
        for (index, der) in ders.enumerated() {
            do {
                certificates.append(try X509Certificate(der: der))
            } catch let error as CryptoError {
                throw SigstoreError.malformed("/verificationMaterial certificate \(index): \(error.message)")
            }
        }
        return (certificates[0], Array(certificates.dropFirst()))
    }

    private func signedContent(_ bundle: SigstoreBundle, artifactDigest: [UInt8]?) throws -> SignedContent {
        switch bundle.content {
        case .dsseEnvelope(let envelope):
            guard !envelope.signatures.isEmpty else { throw SigstoreError.malformed("the DSSE envelope has no signature") }
            return .dsse(
                payloadType: envelope.payloadType, payload: envelope.payload, signatures: envelope.signatures.map(\.signature))
        case .messageSignature(let message):
            let algorithm: DigestAlgorithm
            switch message.digestAlgorithm {
            case "SHA2_256", nil: algorithm = .sha256
            case "SHA2_384": algorithm = .sha384
            case "SHA2_512": algorithm = .sha512
            case let other?:
                throw SigstoreError.malformed("/messageSignature/messageDigest/algorithm: unsupported \"\(other)\"")
            }
            if let artifactDigest, algorithm == .sha256, let stated = message.digest, stated != artifactDigest {
                throw SigstoreError.rejected(
                    "the bundle signs the artifact digest \(Hex.encode(stated)), but the artifact's is "
                        + Hex.encode(artifactDigest))
            }
            guard let digest = message.digest ?? (algorithm == .sha256 ? artifactDigest : nil) else {
                throw SigstoreError.malformed("/messageSignature/messageDigest: required when no artifact is given")
            }
            return .messageSignature(digestAlgorithm: algorithm, digest: digest, signature: message.signature)
        }
    }

    static func rekorEntry(_ logged: SigstoreBundle.TransparencyLogEntry, pointer: String) throws -> RekorEntry {
        var proof: MerkleInclusionProof?
        if let inclusion = logged.inclusionProof {
            do {
                proof = try MerkleInclusionProof(
                    leafIndex: UInt64(inclusion.logIndex), treeSize: UInt64(inclusion.treeSize),
                    hashes: inclusion.hashes, rootHash: inclusion.rootHash)
            } catch let error as SigstoreError {
                throw SigstoreError(error.kind, "\(pointer)/inclusionProof: \(error.message)")
            }
        }
        return RekorEntry(
            logIndex: logged.logIndex, logID: logged.logID, kind: logged.kind, kindVersion: logged.version,
            integratedTime: logged.integratedTime, body: logged.canonicalizedBody,
            signedEntryTimestamp: logged.signedEntryTimestamp, inclusionProof: proof,
            checkpointText: logged.inclusionProof?.checkpoint)
    }

    private func checkSignature(_ content: SignedContent, key: PublicKey) throws {
        switch content {
        case .messageSignature(let algorithm, let digest, let signature):
            do {
                guard try key.isValidSignature(signature, forDigest: digest, algorithm: algorithm) else {
                    throw SigstoreError.rejected("the signature over the artifact digest does not verify with the leaf's key")
                }
            } catch let error as CryptoError {
                throw SigstoreError.rejected("the leaf's key cannot check the message signature: \(error.message)")
            }
        case .dsse(let payloadType, let payload, let signatures):
            let pae = DSSEEnvelope.preAuthenticationEncoding(payloadType: payloadType, payload: payload)
            for signature in signatures where try Self.verifies(signature, over: pae, key: key) { return }
            throw SigstoreError.rejected("no DSSE signature verifies with the leaf's key")
        }
    }

    /// ECDSA keys sign with their curve's hash; Sigstore clients sign with SHA-256 on every curve, so a P-384 or
    /// P-521 leaf's signature is also checked over the SHA-256 digest. Both are that key's signature over the PAE.
    private static func verifies(_ signature: [UInt8], over message: [UInt8], key: PublicKey) throws -> Bool {
        guard let scheme = key.type.impliedScheme else {
            return try key.isValidSignature(signature, for: message, scheme: .rsaPKCS1v15SHA256)
        }
        if try key.isValidSignature(signature, for: message, scheme: scheme) { return true }
        switch key.type {
        case .ecdsaP384, .ecdsaP521:
            return try key.isValidSignature(signature, forDigest: try Digests.hash(message), algorithm: .sha256)
        default:
            return false
        }
    }

    private func checkIdentity(_ leaf: X509Certificate) throws -> String {
        let names = leaf.subjectAlternativeNames.compactMap { name -> String? in
            switch name {
            case .email(let value), .uri(let value): return value
            case .dns, .other: return nil
            }
        }
        var accepted = names.first ?? ""
        if let subject = identity.subject {
            guard let match = try names.first(where: { try subject.matches($0) }) else {
                throw SigstoreError.rejected(
                    "the certificate's identity (\(names.isEmpty ? "none" : names.joined(separator: ", "))) is not "
                        + "\(subject)")
            }
            accepted = match
        }
        if let issuer = identity.issuer {
            guard let actual = leaf.fulcioIssuer else {
                throw SigstoreError.rejected("the certificate records no OIDC issuer, and the policy requires \(issuer)")
            }
            guard try issuer.matches(actual) else {
                throw SigstoreError.rejected("the certificate's OIDC issuer \"\(actual)\" is not \(issuer)")
            }
        }
        return accepted
    }
}
