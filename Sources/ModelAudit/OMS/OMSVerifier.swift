import AuditCrypto
import Foundation

/// Who may have signed an OMS bundle: trusted keys, keys given directly, and X.509 trust anchors.
public struct OMSSignerTrust: Sendable {
    /// Keys from the trust store and from `--key`, each with the scheme it signs with.
    public var keys: [TrustedKey]
    /// Validates a bundle's certificate chain and returns the leaf's key as a signer, or says why it cannot.
    public var certificates: (any OMSCertificateValidator)?
    /// Verifies keyless (Fulcio certificate + Rekor entry) bundles against a Sigstore trusted root, offline.
    public var keyless: SigstoreKeylessVerifier?

    public init(
        keys: [TrustedKey], certificates: (any OMSCertificateValidator)? = nil, keyless: SigstoreKeylessVerifier? = nil
    ) {
        self.keys = keys
        self.certificates = certificates
        self.keyless = keyless
    }
}

/// Turns a bundle's certificates (leaf first) into a signing key, after validating them at `time`.
public protocol OMSCertificateValidator: Sendable {
    /// The leaf's key as a signer, or the reason the chain is not acceptable.
    func signer(chain: [[UInt8]], at time: Date) -> Result<OMSCertificateSigner, OMSCertificateRejection>
}

/// The signer a validated certificate chain yields: the leaf's key, and who it names.
public struct OMSCertificateSigner: Sendable {
    /// The leaf's key, with the owner and roles of the trust store CA root the chain ended at, or, for a root given
    /// directly, the certificate's subject and issuer as its owner and no roles.
    public let key: TrustedKey
    /// The leaf's subject and issuer.
    public let certificate: String
    /// The trust store CA root the chain ended at, when it was one.
    public let authority: TrustedCA?

    public init(key: TrustedKey, certificate: String, authority: TrustedCA? = nil) {
        self.key = key
        self.certificate = certificate
        self.authority = authority
    }
}

/// Why a bundle's certificate chain gives no signer.
public struct OMSCertificateRejection: AuditError, Equatable {
    public var code: AuditErrorCode { .cryptography }
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// What verifying an OMS bundle established: the signatures, the statement they cover, the model's files.
public struct OMSVerification: Sendable {
    public let mediaType: SigstoreBundle.MediaType
    public let signatures: EnvelopeVerification
    /// The verified statement; `nil` when the signatures did not verify or the statement is invalid.
    public let statement: OMSStatement?
    /// Why a verified payload is not a usable OMS statement.
    public let statementProblem: String?
    /// The model's files against the statement, when a model path was given.
    public let artifacts: ArtifactCheckResult?
    /// Why the bundle's certificate chain was not used, when it carries one.
    public let certificateProblem: String?
    /// The subject and issuer of the bundle's leaf certificate, when it carries one that validated.
    public let certificateSigner: String?
    /// The key id of the validated leaf certificate's key, so findings can name the certificate beside its signature.
    public let certificateKeyID: String?
    /// The trust store CA root file the leaf certificate chained to, when it was one.
    public let certificateAuthority: String?

    public init(
        mediaType: SigstoreBundle.MediaType, signatures: EnvelopeVerification, statement: OMSStatement?,
        statementProblem: String? = nil, artifacts: ArtifactCheckResult? = nil, certificateProblem: String? = nil,
        certificateSigner: String? = nil, certificateKeyID: String? = nil, certificateAuthority: String? = nil
    ) {
        self.certificateKeyID = certificateKeyID
        self.certificateAuthority = certificateAuthority
        self.mediaType = mediaType
        self.signatures = signatures
        self.statement = statement
        self.statementProblem = statementProblem
        self.artifacts = artifacts
        self.certificateProblem = certificateProblem
        self.certificateSigner = certificateSigner
    }

    /// Signatures verified, the statement is valid, and the files (when checked) match.
    public var passed: Bool {
        signatures.isVerified && statement != nil && statementProblem == nil && (artifacts?.passed ?? true)
    }
}

/// Verifies an OpenSSF model-signing (OMS v1.0) bundle.
///
/// 1. The bundle must carry a DSSE envelope (a message signature signs one blob, not a model).
/// 2. Every signature is checked against every acceptable key — trusted keys, keys given directly and, when trust
///    anchors are given, the key of the bundle's certificate once its chain validates at the evaluation time — so
///    any valid signature verifies, not only the first; the `publicKey.hint` only names a key and never decides.
///    Distinct keys are counted against the threshold. Unverified: stop, the payload is never parsed.
/// 3. The payload must be an in-toto Statement v1 with the OMS predicate, read strictly (`OMSStatement`).
/// 4. With a model path, the files or shards are hashed as the statement says and compared (`OMSModelCheck`).
public struct OMSVerifier: Sendable {
    public let trust: OMSSignerTrust
    public let time: Date
    public let threshold: Int

    public init(trust: OMSSignerTrust, time: Date, threshold: Int = 1) {
        self.trust = trust
        self.time = time
        self.threshold = threshold
    }

    /// Throws only when the model path cannot be read; everything else is in the result.
    public func verify(
        _ bundle: SigstoreBundle, bundlePath: String? = nil, modelPath: String? = nil, followSymlinks: Bool = false,
        progress: DigestProgress? = nil
    ) throws -> OMSVerification {
        guard let envelope = bundle.dsseEnvelope else {
            throw EnvelopeError(
                "the bundle holds a message signature over one blob, not a DSSE envelope with a model's statement",
                pointer: "/messageSignature")
        }
        var keys = trust.keys
        var certificateProblem: String?
        var certificateSigner: String?
        var certificateKeyID: String?
        var certificateAuthority: String?
        let chain: [[UInt8]]?
        switch bundle.signer {
        case .x509CertificateChain(let certificates): chain = certificates
        case .certificate(let der): chain = [der]
        case .publicKey: chain = nil
        }
        if let chain, let keyless = trust.keyless, !bundle.transparencyLogEntries.isEmpty {
            // A keyless bundle: the leaf is a short-lived Fulcio certificate whose proof of time is the log entry.
            do {
                let verified = try keyless.verify(bundle)
                let key = try TrustedKey.keyless(verified)
                keys.append(key)
                certificateSigner = key.owner
            } catch {
                certificateProblem = "keyless verification failed: \(error)"
            }
            _ = chain
        } else if let chain {
            if let validator = trust.certificates {
                switch validator.signer(chain: chain, at: time) {
                case .success(let signer):
                    keys.append(signer.key)
                    certificateSigner = signer.certificate
                    certificateKeyID = signer.key.keyID
                    certificateAuthority = signer.authority?.file
                case .failure(let rejection):
                    certificateProblem = rejection.message
                }
            } else {
                certificateProblem =
                    "no certificate trust anchors given (--ca-roots, or ca entries in the trust store), so the "
                    + "bundle's certificate vouches for nothing"
            }
        }
        let signatures = EnvelopeVerifier(trustStore: TrustStore(directory: "", keys: keys), time: time)
            .verify(envelope, threshold: threshold)
        func result(
            _ statement: OMSStatement?, problem: String? = nil, artifacts: ArtifactCheckResult? = nil
        )
            -> OMSVerification
        {
            OMSVerification(
                mediaType: bundle.mediaType, signatures: signatures, statement: statement, statementProblem: problem,
                artifacts: artifacts, certificateProblem: certificateProblem, certificateSigner: certificateSigner,
                certificateKeyID: certificateKeyID, certificateAuthority: certificateAuthority)
        }
        guard signatures.isVerified else { return result(nil) }
        func failed(_ problem: String) -> OMSVerification { result(nil, problem: problem) }
        guard envelope.payloadType == DSSEEnvelope.inTotoPayloadType else {
            return failed(
                "/dsseEnvelope/payloadType: \"\(envelope.payloadType)\" is not \"\(DSSEEnvelope.inTotoPayloadType)\": "
                    + "the bundle does not carry an in-toto statement")
        }
        let statement: OMSStatement
        do {
            statement = try OMSStatement.read(try StrictJSON.parse(envelope.payload))
        } catch {
            return failed("the signed payload is not a valid OMS v1.0 statement: \(error)")
        }
        var artifacts: ArtifactCheckResult?
        if let modelPath {
            artifacts = try OMSModelCheck.check(
                statement, modelPath: modelPath, followSymlinks: followSymlinks, bundlePath: bundlePath,
                progress: progress)
        }
        return result(statement, artifacts: artifacts)
    }
}

extension TrustedKey {
    /// The leaf key of a verified keyless bundle, named by its identity, issuer and log entry, valid for this bundle.
    static func keyless(_ verified: SigstoreKeylessVerification) throws -> TrustedKey {
        let key = verified.leaf.publicKey
        guard let scheme = key.type.impliedScheme else {
            throw CryptoError(.unsupportedKey, "the Fulcio certificate holds a \(key.type) key")
        }
        var owner = verified.identity
        if let issuer = verified.oidcIssuer { owner += " (issuer \(issuer))" }
        let entry = verified.entries.first
        if let entry {
            owner += ", Rekor log index \(entry.logIndex)"
            if let integrated = entry.integratedTime {
                owner += ", integrated \(RFC3339.format(integrated))"
            } else if let stamped = verified.timestampAuthorityTime {
                owner += ", timestamped \(RFC3339.format(stamped))"
            }
        }
        let identity = SignerIdentity(
            kind: .keyless, keyID: key.keyID, san: verified.identity, oidcIssuer: verified.oidcIssuer,
            logIndex: entry?.logIndex, integratedTime: entry?.integratedTime.map(RFC3339.format),
            timestampAuthorityTime: verified.timestampAuthorityTime.map(RFC3339.format))
        return TrustedKey(publicKey: key, file: "", owner: owner, roles: [], scheme: scheme, identity: identity)
    }

    /// A key given directly on the command line (`--key`): no owner record or roles, valid at any time.
    ///
    /// The scheme is the one the key type implies; an RSA key, which could sign with two schemes, must be declared
    /// in the trust store instead.
    public static func given(_ publicKey: PublicKey, file: String) throws -> TrustedKey {
        guard let scheme = publicKey.type.impliedScheme else {
            throw CryptoError(
                .schemeMismatch,
                "\(file): a \(publicKey.type) key can sign with more than one scheme; add it to the trust store "
                    + "with its scheme instead of --key")
        }
        let name = (file as NSString).lastPathComponent
        return TrustedKey(publicKey: publicKey, file: file, owner: "key \(name)", roles: [], scheme: scheme)
    }
}
