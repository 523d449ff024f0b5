import ArgumentParser
import Foundation
import ModelAudit

/// `audit verify`: decides whether one signed model may be deployed.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify a signed model — signatures, manifest, files — and evaluate a policy.",
        discussion: """
            Runs signatures → manifest → artifacts → policy and reports every result as a finding. Signatures \
            are checked against every trusted key (the keyid is only a hint); the manifest is read only from the \
            payload bytes that verified; with --model-dir every file is hashed and compared with the manifest \
            (missing, changed and unlisted files fail) — without it the files are not checked, the verdict line \
            says so, and a policy rule of type artifacts.required fails; with --policy every rule is evaluated, \
            waivers applied and expired or unused waivers reported.

            Exit codes: 0 compliant, 1 non-compliant (any enforced failure, including a signature or file \
            failure), 2 could not evaluate (unreadable or malformed input, invalid policy or trust store), \
            64 usage. --mode audit reports everything and exits 0.

            Examples:
              audit verify model.json
              audit verify model.json --model-dir weights/ --policy policies/enterprise-default.yaml
              audit verify model.json --policy policy.yaml --format sarif --output audit.sarif --format text
              audit verify model.json --policy policy.yaml --format json --at 2026-06-01T00:00:00Z
              audit verify model.json --policy policy.yaml --mode audit --format github
              audit verify model.json --model-dir weights/ --policy policy.yaml --quiet
              audit verify model.json --store manifests/ --custody model.custody.jsonl --policy policy.yaml
              audit verify model.sig --model-dir weights/ --key publisher.pub
              audit verify model.sig --model-dir weights/ --ca-roots roots.pem --certificate-identity a@example.com
            """
    )

    @Argument(help: ArgumentHelp(
        "The signed manifest (DSSE envelope) or OpenSSF model signature (Sigstore bundle) to verify.",
        valueName: "envelope"))
    var envelope: String

    @OptionGroup var trustOptions: TrustOptions
    @OptionGroup var signerOptions: SignerOptions
    @OptionGroup var timeOptions: TimeOptions

    @Option(name: .long, help: ArgumentHelp("Evaluate this policy (YAML or JSON).", valueName: "file"))
    var policy: String?

    @Option(name: .long, help: "Distinct trusted keys that must have signed.")
    var threshold: Int = 1

    @Option(name: .long, help: ArgumentHelp(
        "Check the model's files in this directory (or this one file, for a single-file OMS signature).",
        valueName: "dir"))
    var modelDir: String?

    @Flag(name: .long, help: "Files the manifest does not list are a warning instead of a failure.")
    var allowExtraFiles = false

    @Flag(name: .long, help: "Follow symbolic links that stay inside the model directory.")
    var followSymlinks = false

    @Option(name: .customLong("store"), help: ArgumentHelp(
        "Directory of signed manifests in which parents are looked up by digest.", valueName: "dir"))
    var manifestStore: String?

    @Option(name: .long, help: ArgumentHelp(
        "Custody bundle (JSON lines); default: ENVELOPE's stem + .custody.jsonl when present.", valueName: "file"))
    var custody: String?

    @Option(name: .long, help: ArgumentHelp("Largest envelope accepted, in bytes.", valueName: "bytes"))
    var maxBytes: Int = JSONLimits.default.maxBytes

    @OptionGroup var outputs: ReportOutputOptions
    @OptionGroup var ledgerOptions: LedgerOptions

    func validate() throws {
        if threshold < 1 { throw ValidationError("--threshold must be at least 1") }
        if maxBytes < 1 { throw ValidationError("--max-bytes must be positive") }
    }

    func run() throws {
        let time = timeOptions.time
        do {
            let loadedPolicy = try policy.map(PolicyLoader.load(path:))
            let store = try signerOptions.trustStore(trustOptions)
            let directory = modelDir
            let auditor = Auditor(
                policy: loadedPolicy,
                context: AuditContext(
                    time: time,
                    trust: AuditContext.Trust(
                        store: store, certificates: try signerOptions.certificateValidator(store),
                        keyless: try signerOptions.keylessVerifier(policy: loadedPolicy)),
                    threshold: threshold,
                    limits: JSONLimits(maxBytes: maxBytes, maxDepth: JSONLimits.default.maxDepth),
                    artifacts: AuditContext.ArtifactOptions(
                        modelDirectory: { _ in directory }, followSymlinks: followSymlinks,
                        extraFiles: allowExtraFiles ? .warn : .fail),
                    custodyBundle: { [custody] file in
                        custody.map(CustodyBundleSource.named) ?? Auditor.custodyBundleBeside(file)
                    },
                    store: try manifestStore.map { try ManifestStore.load(directory: $0) }))
            let model = try auditor.audit(file: envelope, progress: TerminalProgress())
            let report = auditor.report(models: [model], mode: outputs.mode ?? loadedPolicy?.mode ?? .enforce)
            try outputs.write(report)
            try ledgerOptions.record(report, origin: "audit verify")
            throw AuditExit.code(for: report)
        } catch let error as AuditError where outputs.wantsJSONOnStdout {
            // Machine readers get a JSON answer on every outcome; the error still goes to stderr.
            Terminal.write(try ReportJSON.encode(ErrorReport(file: envelope, error: error)))
            throw error
        }
    }
}

/// The JSON printed when a file could not be evaluated at all.
struct ErrorReport: Encodable {
    var file: String
    var verdict = Verdict.couldNotEvaluate
    var status = "error"
    var code: AuditErrorCode
    var pointer: String?
    var error: String

    init(file: String, error: AuditError) {
        self.file = file
        self.code = error.code
        self.pointer = error.jsonPointer
        self.error = error.description
    }
}
