import AuditCrypto
import Foundation

/// What to check besides signatures.
public struct ModelVerificationOptions: Sendable {
    public var threshold: Int
    public var time: Date
    /// The model directory whose files must match the manifest's subjects; `nil` skips the artifact check.
    public var modelDirectory: String?
    public var followSymlinks: Bool
    public var extraFiles: ArtifactCheck.ExtraFilePolicy
    /// The custody bundle to verify, if any.
    public var custodyBundle: String?
    /// The custody bundle was found beside the envelope rather than named by the user.
    public var custodyBundleIsSidecar: Bool
    /// SHA-256 of the envelope file, which custody records chain from.
    public var envelopeSHA256: String?

    public init(
        threshold: Int = 1, time: Date, modelDirectory: String? = nil, followSymlinks: Bool = false,
        extraFiles: ArtifactCheck.ExtraFilePolicy = .fail, custodyBundle: String? = nil,
        custodyBundleIsSidecar: Bool = false, envelopeSHA256: String? = nil
    ) {
        self.custodyBundle = custodyBundle
        self.custodyBundleIsSidecar = custodyBundleIsSidecar
        self.envelopeSHA256 = envelopeSHA256
        self.threshold = threshold
        self.time = time
        self.modelDirectory = modelDirectory
        self.followSymlinks = followSymlinks
        self.extraFiles = extraFiles
    }
}

/// Verifies a signed model: signatures, then the provenance statement, then the model's files.
///
/// The pipeline:
/// 1. verify the envelope's signatures against the trust store (`EnvelopeVerifier`); if the threshold is not met,
///    stop: the payload of an unverified envelope is never parsed;
/// 2. parse the statement from the exact payload bytes that verified, through the strict JSON parser, and — for a
///    provenance predicate — validate it completely (`ManifestReader`);
/// 3. with a custody bundle, verify the chain from this envelope to the last hop (`CustodyVerifier`); the last
///    hop's files are then the ones that must be delivered;
/// 4. with a model directory, hash every file and compare it with the expected files (`ArtifactCheck`): missing
///    files, digest mismatches and files the manifest does not list are all reported.
public struct ModelVerifier: Sendable {
    public let trustStore: TrustStore
    public let options: ModelVerificationOptions

    public init(trustStore: TrustStore, options: ModelVerificationOptions) {
        self.trustStore = trustStore
        self.options = options
    }

    /// Throws only when the model directory cannot be read; an invalid signed payload is reported in the result.
    public func verify(_ envelope: DSSEEnvelope, progress: DigestProgress? = nil) throws -> ModelVerification {
        let signatures = EnvelopeVerifier(trustStore: trustStore, time: options.time)
            .verify(envelope, threshold: options.threshold)
        guard signatures.isVerified else {
            return ModelVerification(signatures: signatures, statement: nil, artifacts: nil)
        }
        // A trusted signature says who signed, not what for: anything but a model manifest is refused here.
        let (kind, parsed) = PayloadKind.parse(envelope)
        guard let value = parsed, kind.isModelManifest else {
            let explanation = kind.notAManifestExplanation ?? "the signed payload is not a provenance statement"
            return ModelVerification(
                signatures: signatures, statement: nil, artifacts: nil, statementProblem: explanation,
                payloadKind: kind)
        }
        let statement: ProvenanceStatement
        do {
            statement = try ManifestReader.read(value, document: "signed statement")
        } catch {
            return ModelVerification(
                signatures: signatures, statement: nil, artifacts: nil,
                statementProblem: "the signed payload is not a valid provenance statement: \(error)",
                payloadKind: kind)
        }
        var custody: CustodyVerification?
        if let path = options.custodyBundle {
            let bundle = try CustodyBundle.load(path: path)
            custody = CustodyVerifier(trustStore: trustStore, time: options.time).verify(
                bundle, manifestSHA256: options.envelopeSHA256 ?? "", manifestSubject: statement.subject,
                manifestDeveloper: statement.predicate.origin.developer, isSidecar: options.custodyBundleIsSidecar)
        }
        var artifacts: ArtifactCheckResult?
        if let root = options.modelDirectory {
            let expected = custody?.finalSubject ?? statement.subject
            let directory = try ModelDirectory(root: root, options: .init(followSymlinks: options.followSymlinks))
            artifacts = try ArtifactCheck.check(
                expected: expected.map { ExpectedArtifact(path: $0.name, sha256: $0.digest.sha256) },
                directory: directory, extraFiles: options.extraFiles, progress: progress)
        }
        return ModelVerification(
            signatures: signatures, statement: statement, artifacts: artifacts, custody: custody,
            payloadKind: kind)
    }
}

/// Everything `ModelVerifier` established.
public struct ModelVerification: Sendable {
    public let signatures: EnvelopeVerification
    public let statement: ProvenanceStatement?
    public let artifacts: ArtifactCheckResult?
    /// Why a verified payload could not be used as a provenance statement.
    public let statementProblem: String?
    public let custody: CustodyVerification?
    /// What the signed payload is; `nil` when the signatures did not verify (the payload is then never read).
    public let payloadKind: PayloadKind?
    /// Set when the file was an OpenSSF model-signing bundle rather than one of our envelopes.
    public let oms: OMSVerification?

    public init(
        signatures: EnvelopeVerification, statement: ProvenanceStatement?, artifacts: ArtifactCheckResult?,
        statementProblem: String? = nil, custody: CustodyVerification? = nil, payloadKind: PayloadKind? = nil,
        oms: OMSVerification? = nil
    ) {
        self.oms = oms
        self.payloadKind = payloadKind
        self.custody = custody
        self.signatures = signatures
        self.statement = statement
        self.artifacts = artifacts
        self.statementProblem = statementProblem
    }

    public var passed: Bool {
        if let oms { return oms.passed }
        return signatures.isVerified && statement != nil && statementProblem == nil && (artifacts?.passed ?? true) && (custody?.intact ?? true)
    }
}
