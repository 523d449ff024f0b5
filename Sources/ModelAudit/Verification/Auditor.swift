import AuditCrypto
import Foundation

/// Runs the whole audit for one or many signed models and gathers one report.
///
/// For each envelope: read it (size-limited) and hash it, decode it strictly, verify signatures → manifest →
/// files (`ModelVerifier`), then evaluate the policy (`PolicyEvaluator`). In a fleet run a file that cannot be
/// read or decoded becomes a model that could not be evaluated, with the reason as an `error` finding, so one bad
/// file never hides the others.
public struct Auditor: Sendable {
    public struct Options: Sendable {
        public var threshold: Int
        public var time: Date
        public var followSymlinks: Bool
        public var extraFiles: ArtifactCheck.ExtraFilePolicy
        public var limits: JSONLimits
        /// The model directory for an envelope file, or `nil` to skip the file check.
        public var modelDirectory: @Sendable (String) -> String?
        /// The custody bundle for an envelope file; by default the `.custody.jsonl` beside it, when present.
        public var custodyBundle: @Sendable (String) -> CustodyBundleSource?
        /// How many models a fleet run audits at once; by default one per core.
        public var concurrency: Int
        /// Where parent manifests are looked up by digest.
        public var store: ManifestStore?
        /// How many generations of ancestry to follow, at most `LineageResolver.generationLimit`.
        public var lineageDepth: Int

        public init(
            threshold: Int = 1, time: Date, followSymlinks: Bool = false,
            extraFiles: ArtifactCheck.ExtraFilePolicy = .fail, limits: JSONLimits = .default,
            modelDirectory: @escaping @Sendable (String) -> String? = { _ in nil },
            custodyBundle: @escaping @Sendable (String) -> CustodyBundleSource? = Auditor.custodyBundleBeside,
            store: ManifestStore? = nil, concurrency: Int = ProcessInfo.processInfo.activeProcessorCount,
            lineageDepth: Int = LineageResolver.generationLimit
        ) {
            self.lineageDepth = lineageDepth
            self.concurrency = max(1, concurrency)
            self.custodyBundle = custodyBundle
            self.store = store
            self.threshold = threshold
            self.time = time
            self.followSymlinks = followSymlinks
            self.extraFiles = extraFiles
            self.limits = limits
            self.modelDirectory = modelDirectory
        }
    }

    public let trustStore: TrustStore
    public let policy: Policy?
    public let options: Options
    public let evaluator: PolicyEvaluator
    /// One resolver for the whole run, so an ancestor shared by many models is verified once. It follows
    /// `LineageResolver.generationLimit` generations, the largest `lineage.max-depth` a policy may set; that rule
    /// judges the depth.
    public let lineageResolver: LineageResolver

    public init(trustStore: TrustStore, policy: Policy?, options: Options) {
        self.trustStore = trustStore
        self.policy = policy
        self.options = options
        self.evaluator = PolicyEvaluator(policy: policy, time: options.time)
        self.lineageResolver = LineageResolver(
            store: options.store, trustStore: trustStore, time: options.time, maxDepth: options.lineageDepth)
    }

    /// Audits one envelope; throws when it cannot be read or decoded, or its model directory cannot be read.
    public func audit(file: String, progress: DigestProgress? = nil) throws -> ModelReport {
        let verified = try verify(try LoadedEnvelope.load(file, limits: options.limits), progress: progress)
        return evaluator.evaluate(
            file: file, envelopeSHA256: verified.envelope.sha256, verification: verified.verification,
            modelDirectory: verified.modelDirectory, lineage: verified.lineage)
    }

    /// The steps before the policy: signatures → manifest → files → custody (`ModelVerifier`), then lineage when the
    /// signatures verified. `audit lineage` stops here; `audit` goes on to evaluate the policy.
    public func verify(_ loaded: LoadedEnvelope, progress: DigestProgress? = nil) throws -> VerifiedModel {
        let directory = options.modelDirectory(loaded.file)
        let custody = options.custodyBundle(loaded.file)
        let verification = try ModelVerifier(
            trustStore: trustStore,
            options: ModelVerificationOptions(
                threshold: options.threshold, time: options.time, modelDirectory: directory,
                followSymlinks: options.followSymlinks, extraFiles: options.extraFiles,
                custodyBundle: custody?.path, custodyBundleIsSidecar: custody?.isSidecar ?? false,
                envelopeSHA256: loaded.sha256)
        ).verify(loaded.envelope, progress: progress)
        var lineage: LineageResolver.Result?
        if verification.signatures.isVerified, let statement = verification.statement {
            lineage = lineageResolver.resolve(statement, envelopeSHA256: loaded.sha256)
        }
        return VerifiedModel(envelope: loaded, modelDirectory: directory, verification: verification, lineage: lineage)
    }

    /// `model.json` → `model.custody.jsonl` when that file exists.
    public static func custodyBundleBeside(_ file: String) -> CustodyBundleSource? {
        let path = CustodyBundle.defaultPath(forManifest: file)
        return FileManager.default.fileExists(atPath: path) ? .sidecar(path) : nil
    }

    /// Audits every file, `options.concurrency` at a time; unreadable ones are reported as models that could not
    /// be evaluated. The result is in the order of `files`, whatever the order the work finished in.
    public func auditFleet(files: [String]) -> [ModelReport] {
        let workers = min(options.concurrency, files.count)
        guard workers > 1 else { return files.map(auditOrReport) }
        // Each worker takes the next file until none is left, so one slow model never idles the others.
        let results = IndexedResults<ModelReport>(count: files.count)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let index = results.take() {
                results.set(index, auditOrReport(files[index]))
            }
        }
        return results.values.compactMap { $0 }
    }

    /// One file's report, or a report that says why it could not be evaluated.
    private func auditOrReport(_ file: String) -> ModelReport {
        do {
            return try audit(file: file)
        } catch let error as ArtifactError {
            // The model directory could not be read (missing, not a directory, unsafe entries).
            let finding = Finding(
                ruleID: IntegrityChecks.artifactsRule, title: "Model files match the manifest", status: .error,
                severity: .critical, message: "could not check the model's files: \(error)", pointer: "/subject",
                controls: IntegrityChecks.artifactControls,
                remediation: "Put the model's files in its directory, or leave out the model directory option; "
                    + "a model whose files cannot be checked is never compliant.")
            return ModelReport(
                file: file, envelopeSHA256: envelopeDigest(file), name: nil, version: nil, developer: nil,
                findings: [finding])
        } catch {
            let finding = Finding(
                ruleID: IntegrityChecks.manifestRule, title: "Signed payload is a valid provenance manifest",
                status: .error, severity: .critical, message: "could not evaluate: \(error)",
                controls: IntegrityChecks.manifestControls,
                remediation: "Fix or replace the file; a model that cannot be read is never compliant.")
            return ModelReport(
                file: file, envelopeSHA256: envelopeDigest(file), name: nil, version: nil, developer: nil,
                findings: [finding])
        }
    }

    /// The SHA-256 of an envelope file, or "" when it cannot be read.
    private func envelopeDigest(_ file: String) -> String {
        (try? InputFile.read(file, limit: options.limits.maxBytes)).flatMap { try? Digests.sha256Hex($0) } ?? ""
    }

    /// The report over `models`, with everything needed to reproduce it.
    public func report(models: [ModelReport], mode: PolicyMode) -> AuditReport {
        AuditReport(
            evaluatedAt: options.time, mode: mode, policy: policy?.info, trustStore: trustStore.info,
            screeningLists: policy?.screeningListInfo ?? [], models: models,
            waivers: evaluator.waiverReports(for: models))
    }

    /// Signed manifests named on the command line: files as given, and the `*.json` files directly inside each
    /// directory, sorted.
    public static func envelopeFiles(_ arguments: [String]) throws -> [String] {
        var files: [String] = []
        for argument in arguments {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) else {
                throw InputFile.ReadError(path: argument, kind: .missing)
            }
            if isDirectory.boolValue {
                let names = try FileManager.default.contentsOfDirectory(atPath: argument)
                    .filter { $0.hasSuffix(".json") }.sorted()
                let base = argument.hasSuffix("/") ? String(argument.dropLast()) : argument
                files += names.map { "\(base)/\($0)" }.filter {
                    var dir: ObjCBool = false
                    return FileManager.default.fileExists(atPath: $0, isDirectory: &dir) && !dir.boolValue
                }
            } else {
                files.append(argument)
            }
        }
        return files
    }
}

/// Where a model's custody bundle came from: named by the user, or found beside the envelope.
///
/// A sidecar is whatever was delivered next to the manifest, so reports say it was picked up automatically.
public enum CustodyBundleSource: Sendable, Equatable {
    case named(String)
    case sidecar(String)

    public var path: String {
        switch self {
        case .named(let path), .sidecar(let path): return path
        }
    }

    public var isSidecar: Bool {
        if case .sidecar = self { return true }
        return false
    }
}
