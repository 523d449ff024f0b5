import AuditCrypto
import Foundation

/// Runs the whole audit for one or many signed models and gathers one report.
///
/// For each envelope: read it (size-limited) and hash it, decode it strictly, verify signatures → manifest →
/// files (`ModelVerifier`), then evaluate the policy (`PolicyEvaluator`). In a fleet run a file that cannot be
/// read or decoded becomes a model that could not be evaluated, with the reason as an `error` finding, so one bad
/// file never hides the others.
public struct Auditor: Sendable {
    /// The settings every model of the run is judged under.
    public let context: AuditContext
    public let policy: Policy?
    /// Derived from the policy and the context's time; holds nothing between models.
    public let evaluator: PolicyEvaluator
    /// One resolver for the whole run, so an ancestor shared by many models is verified once. Its memo holds only
    /// verdicts that follow from the context (store, trust, time), so it changes no result, only what they cost. It
    /// follows `LineageResolver.generationLimit` generations, the largest `lineage.max-depth` a policy may set; that
    /// rule judges the depth.
    public let lineageResolver: LineageResolver
    /// Whether each model's report records where the envelope's members sit (`ModelReport.sourceLines`), which only
    /// the SARIF report uses; the streamed JSON report leaves it out rather than scan every envelope for nothing.
    var recordsSourceLines = true

    public init(policy: Policy?, context: AuditContext) {
        self.context = context
        self.policy = policy
        self.evaluator = PolicyEvaluator(policy: policy, time: context.time)
        self.lineageResolver = LineageResolver(
            store: context.store, trustStore: context.trust.store, time: context.time,
            maxDepth: context.lineageDepth)
    }

    /// The keys trusted to sign envelopes: `context.trust.store`.
    public var trustStore: TrustStore { context.trust.store }

    /// Audits one envelope or OpenSSF model-signing bundle (recognised by its content); throws when it cannot be
    /// read or decoded, or its model directory cannot be read.
    public func audit(file: String, progress: DigestProgress? = nil) throws -> ModelReport {
        let bytes = try InputFile.read(file, limit: context.limits.maxBytes)
        // Parsed once: the same value tells a bundle from an envelope and then decodes either.
        let document = try? StrictJSON.parse(bytes, limits: context.limits)
        if let document, SigstoreBundle.isBundle(document) {
            return try auditModelSignature(
                try SigstoreBundle.decode(document), file: file, sha256: try Digests.sha256Hex(bytes),
                progress: progress)
        }
        let loaded = try LoadedEnvelope.decode(bytes, parsed: document, file: file, limits: context.limits)
        let verified = try verify(loaded, progress: progress)
        var model = evaluator.evaluate(
            file: file, envelopeSHA256: verified.envelope.sha256, verification: verified.verification,
            modelDirectory: verified.modelDirectory, lineage: verified.lineage)
        if recordsSourceLines { model.sourceLines = EnvelopeSourceLines(scanning: bytes) }
        return model
    }

    /// An OpenSSF model-signing bundle: signatures → statement → files (`OMSVerifier`), then the policy, whose
    /// rules find no provenance to judge.
    private func auditModelSignature(
        _ bundle: SigstoreBundle, file: String, sha256: String, progress: DigestProgress?
    ) throws -> ModelReport {
        let directory = context.artifacts.modelDirectory(file)
        let oms = try OMSVerifier(
            trust: OMSSignerTrust(
                keys: context.trust.store.keys, certificates: context.trust.certificates,
                keyless: context.trust.keyless),
            time: context.time, threshold: context.threshold
        ).verify(
            bundle, bundlePath: file, modelPath: directory, followSymlinks: context.artifacts.followSymlinks,
            progress: progress)
        let verification = ModelVerification(
            signatures: oms.signatures, statement: nil, artifacts: oms.artifacts,
            statementProblem: oms.statementProblem, oms: oms)
        return evaluator.evaluate(
            file: file, envelopeSHA256: sha256, verification: verification, modelDirectory: directory)
    }

    /// The steps before the policy: signatures → manifest → files → custody (`ModelVerifier`), then lineage when the
    /// signatures verified. `audit lineage` stops here; `audit` goes on to evaluate the policy.
    public func verify(_ loaded: LoadedEnvelope, progress: DigestProgress? = nil) throws -> VerifiedModel {
        let options = context.verificationOptions(for: loaded)
        let verification = try ModelVerifier(trustStore: context.trust.store, options: options)
            .verify(loaded.envelope, progress: progress)
        var lineage: LineageResolver.Result?
        if verification.signatures.isVerified, let statement = verification.statement {
            lineage = lineageResolver.resolve(statement, envelopeSHA256: loaded.sha256)
        }
        return VerifiedModel(
            envelope: loaded, modelDirectory: options.modelDirectory, verification: verification, lineage: lineage)
    }

    /// `model.json` → `model.custody.jsonl` when that file exists.
    public static func custodyBundleBeside(_ file: String) -> CustodyBundleSource? {
        let path = CustodyBundle.defaultPath(forManifest: file)
        // stat(2) as `FileManager.fileExists` does (a link counts when its target exists), without the bridging
        // that made it a noticeable cost of each model in a fleet run.
        var info = stat()
        return stat(path, &info) == 0 ? .sidecar(path) : nil
    }

    /// Audits every file, `context.concurrency` at a time; unreadable ones are reported as models that could not
    /// be evaluated. The result is in the order of `files`, whatever the order the work finished in.
    public func auditFleet(files: [String]) -> [ModelReport] {
        let workers = min(context.concurrency, files.count)
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

    /// Audits every file as `auditFleet(files:)` does, but hands each model on as soon as it and every model before
    /// it are done, in the order of `files`, instead of gathering them: a caller can write the report while the rest
    /// is still being audited and need not keep every model.
    ///
    /// `prepare` runs on the worker that audited the model, so per-model work (encoding it) is spread over the
    /// cores too; `deliver` runs one call at a time, in order. The first error `deliver` throws stops the run and
    /// is rethrown.
    public func auditFleet<Prepared: Sendable>(
        files: [String], prepare: @Sendable (ModelReport) -> Prepared, deliver: (Prepared) throws -> Void
    ) throws {
        let workers = min(context.concurrency, files.count)
        if workers <= 1 {
            for file in files { try deliver(prepare(auditOrReport(file))) }
            return
        }
        let handOff = OrderedHandOff<Prepared>(count: files.count, window: 32 * workers)
        try withoutActuallyEscaping(deliver) { deliver in
            // The hand-off calls `deliver` one call at a time, each after the last returned (under its lock), so
            // the receiver's state is never touched by two workers at once.
            let receiver = SerialReceiver(deliver: deliver)
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                while let index = handOff.take() {
                    handOff.put(index, prepare(auditOrReport(files[index])), deliver: receiver.deliver)
                }
            }
            try handOff.finish()
        }
    }

    /// One file's report, or a report that says why it could not be evaluated.
    private func auditOrReport(_ file: String) -> ModelReport {
        do {
            return try audit(file: file)
        } catch let error as ArtifactError {
            // The model directory could not be read (missing, not a directory, unsafe entries).
            let finding = Finding(
                ruleID: IntegrityChecks.artifactsRule, title: IntegrityChecks.artifactsTitle, status: .error,
                severity: .critical, message: "could not check the model's files: \(error)", pointer: "/subject",
                controls: IntegrityChecks.artifactControls,
                remediation: "Put the model's files in its directory, or leave out the model directory option; "
                    + "a model whose files cannot be checked is never compliant.")
            return ModelReport(
                file: file, envelopeSHA256: envelopeDigest(file), name: nil, version: nil, developer: nil,
                findings: [finding])
        } catch {
            let finding = Finding(
                ruleID: IntegrityChecks.manifestRule, title: IntegrityChecks.manifestTitle,
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
        (try? InputFile.read(file, limit: context.limits.maxBytes)).flatMap { try? Digests.sha256Hex($0) } ?? ""
    }

    /// The report over `models`, with everything needed to reproduce it.
    public func report(models: [ModelReport], mode: PolicyMode) -> AuditReport {
        var report = AuditReport(
            evaluatedAt: context.time, mode: mode, policy: policy?.info, trustStore: context.trust.store.info,
            screeningLists: policy?.screeningListInfo ?? [], models: models,
            waivers: evaluator.waiverReports(for: models))
        report.policyRules = policy?.ruleInfo ?? []
        return report
    }

    /// Signed manifests named on the command line: files as given, and the `*.json` files (and `*.sig` model
    /// signatures) directly inside each directory, sorted.
    public static func envelopeFiles(_ arguments: [String]) throws -> [String] {
        try EnvelopeListing(arguments).files
    }
}

/// The signed manifests a fleet run audits (`Auditor.envelopeFiles`), and the custody bundles beside those found
/// in a directory.
///
/// Listing a directory already says which `.custody.jsonl` files it holds, so a fleet of ten thousand manifests
/// needs no `stat` per manifest to find them; a manifest named on its own is looked for as
/// `Auditor.custodyBundleBeside` does.
public struct EnvelopeListing: Sendable {
    public let files: [String]
    /// For each directory listed (as given, ending in one `/`), the custody bundles in it: names that exist, links
    /// followed, as `stat` would find them. Substrings, so looking one up makes no string.
    private let custodyBundles: [Substring: Set<Substring>]

    public init(_ arguments: [String]) throws {
        var files: [String] = []
        var custodyBundles: [Substring: Set<Substring>] = [:]
        for argument in arguments {
            var info = stat()
            guard stat(argument, &info) == 0 else { throw InputFile.ReadError(path: argument, kind: .missing) }
            guard info.st_mode & S_IFMT == S_IFDIR else {
                files.append(argument)
                continue
            }
            let listing = try DirectoryEntries(reading: argument)
            var found: [String] = []
            var bundles: Set<Substring> = []
            for entry in listing.entries {
                if entry.name.hasSuffix(".json") || entry.name.hasSuffix(".sig") {
                    if listing.followedType(entry) == .other { found.append(entry.name) }
                } else if entry.name.hasSuffix(CustodyBundle.suffix), listing.followedType(entry) != .missing {
                    bundles.insert(entry.name[...])
                }
            }
            files += found.sorted().map(listing.path)
            custodyBundles[listing.path("")[...], default: []].formUnion(bundles)
        }
        self.files = files
        self.custodyBundles = custodyBundles
    }

    /// `model.json` → `model.custody.jsonl` when that file exists: from the listing for a manifest found in a
    /// directory, by `stat` for one named on its own.
    public func custodyBundle(for file: String) -> CustodyBundleSource? {
        let path = CustodyBundle.defaultPath(forManifest: file)
        // Over the bytes: `lastIndex(of:)` on the characters breaks graphemes from the end, and cost more than the
        // `stat` it replaces.
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")), let names = custodyBundles[path[...slash]] else {
            return Auditor.custodyBundleBeside(file)
        }
        return names.contains(path[path.utf8.index(after: slash)...]) ? .sidecar(path) : nil
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

/// A receiver that `OrderedHandOff` calls from whichever worker delivers, never from two at once.
private struct SerialReceiver<Value>: @unchecked Sendable {
    let deliver: (Value) throws -> Void
}
