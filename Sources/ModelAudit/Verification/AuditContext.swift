import Foundation

/// Everything an audit run judges every model against, fixed for the run: the evaluation time, what is trusted,
/// the signature threshold, input limits, how model files and custody bundles are found, and the manifest store.
///
/// One value, built once by the command and passed down the pipeline (`Auditor`, then `ModelVerifier`, the lineage
/// resolver and the policy evaluator each take what they need from it), so two models of one run can never be
/// judged under different settings and a run can be reproduced from its context and its inputs.
public struct AuditContext: Sendable {
    /// What is trusted to sign: the trust store's keys, and for OpenSSF model-signing bundles the certificate
    /// and keyless (Sigstore) verifiers.
    public struct Trust: Sendable {
        public var store: TrustStore
        /// Validates the certificate chains of OpenSSF model-signing bundles; `nil` accepts none.
        public var certificates: (any OMSCertificateValidator)?
        /// Verifies keyless Sigstore bundles offline against a trusted root (`--trusted-root`).
        public var keyless: SigstoreKeylessVerifier?

        public init(
            store: TrustStore, certificates: (any OMSCertificateValidator)? = nil,
            keyless: SigstoreKeylessVerifier? = nil
        ) {
            self.store = store
            self.certificates = certificates
            self.keyless = keyless
        }
    }

    /// How a model's files are found and judged.
    public struct ArtifactOptions: Sendable {
        /// The model directory for an envelope file, or `nil` to skip the file check.
        public var modelDirectory: @Sendable (String) -> String?
        public var followSymlinks: Bool
        public var extraFiles: ArtifactCheck.ExtraFilePolicy

        public init(
            modelDirectory: @escaping @Sendable (String) -> String? = { _ in nil }, followSymlinks: Bool = false,
            extraFiles: ArtifactCheck.ExtraFilePolicy = .fail
        ) {
            self.modelDirectory = modelDirectory
            self.followSymlinks = followSymlinks
            self.extraFiles = extraFiles
        }
    }

    /// The time validity windows, waiver expiry and ages are judged at (`--at`, else the start of the run).
    public var time: Date
    public var trust: Trust
    /// Distinct trusted keys that must have signed each envelope.
    public var threshold: Int
    public var limits: JSONLimits
    public var artifacts: ArtifactOptions
    /// The custody bundle for an envelope file; by default the `.custody.jsonl` beside it, when present.
    public var custodyBundle: @Sendable (String) -> CustodyBundleSource?
    /// Where parent manifests are looked up by digest.
    public var store: ManifestStore?
    /// How many generations of ancestry to follow, at most `LineageResolver.generationLimit`.
    public var lineageDepth: Int
    /// How many models a fleet run audits at once; by default one per core. The report is the same whatever it is.
    public var concurrency: Int

    public init(
        time: Date, trust: Trust, threshold: Int = 1, limits: JSONLimits = .default,
        artifacts: ArtifactOptions = ArtifactOptions(),
        custodyBundle: @escaping @Sendable (String) -> CustodyBundleSource? = Auditor.custodyBundleBeside,
        store: ManifestStore? = nil, lineageDepth: Int = LineageResolver.generationLimit,
        concurrency: Int = ProcessInfo.processInfo.activeProcessorCount
    ) {
        self.time = time
        self.trust = trust
        self.threshold = threshold
        self.limits = limits
        self.artifacts = artifacts
        self.custodyBundle = custodyBundle
        self.store = store
        self.lineageDepth = lineageDepth
        self.concurrency = max(1, concurrency)
    }

    /// What `ModelVerifier` checks for the envelope `loaded`: this run's settings, with the model directory and
    /// custody bundle this context finds for its file.
    func verificationOptions(for loaded: LoadedEnvelope) -> ModelVerificationOptions {
        let custody = custodyBundle(loaded.file)
        return ModelVerificationOptions(
            threshold: threshold, time: time, modelDirectory: artifacts.modelDirectory(loaded.file),
            followSymlinks: artifacts.followSymlinks, extraFiles: artifacts.extraFiles,
            custodyBundle: custody?.path, custodyBundleIsSidecar: custody?.isSidecar ?? false,
            envelopeSHA256: loaded.sha256)
    }
}
