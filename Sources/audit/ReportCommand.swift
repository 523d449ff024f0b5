import ArgumentParser
import Foundation
import ModelAudit

/// `audit report`: the fleet view — every model's verdict under one policy, for compliance officers and auditors.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Audit a fleet of signed models against a policy and write one report.",
        discussion: """
            Verifies every signed manifest given (files, or the *.json files directly in each directory) and \
            evaluates the policy on each: a per-model verdict table, failures per rule, a controls coverage \
            matrix, waivers and their expiry, lineage and custody graphs, and the digests of the policy, trust \
            store and screening lists so the report can be reproduced. A file that cannot be read is reported \
            as could-not-evaluate without stopping the others.

            With --model-dirs, a directory named after each envelope (model.json → model/) beside it is \
            checked against the manifest's files; a model whose directory is missing could not be evaluated. \
            Without it no file is checked: the verdict line says so, and a policy rule of type \
            artifacts.required fails every model.

            The text report puts a summary first (models by verdict, the rules that block models with their \
            remediation), then one line per finding of each blocked model and one line per compliant model; \
            --verbose shows every model in full, --compact one line per failing rule, --quiet the verdict line.

            Exit codes: 0 every model compliant, 1 any model non-compliant, 2 a model could not be evaluated \
            or the policy/trust store is invalid, 64 usage. --mode audit always exits 0.

            Examples:
              audit report manifests/ --policy policies/enterprise-default.yaml
              audit report manifests/ --policy policies/eu-gdpr.yaml --format html -o report.html --format text
              audit report a.json b.json --policy policy.yaml --format json -o fleet.json --at 2026-06-01T00:00:00Z
              audit report manifests/ --model-dirs --policy policy.yaml --compact
            """
    )

    @Argument(help: ArgumentHelp("Signed manifests, or directories of them.", valueName: "dir-or-file"))
    var inputs: [String] = []

    @OptionGroup var trustOptions: TrustOptions
    @OptionGroup var signerOptions: SignerOptions
    @OptionGroup var timeOptions: TimeOptions

    @Option(name: .long, help: ArgumentHelp("The policy to evaluate (YAML or JSON).", valueName: "file"))
    var policy: String?

    @Flag(name: .long, help: "Check each model's files in the directory named after its envelope, beside it.")
    var modelDirs = false

    @Option(name: .customLong("store"), help: ArgumentHelp(
        "Directory of signed manifests in which parents are looked up by digest (default: none).", valueName: "dir"))
    var manifestStore: String?

    @Option(name: .long, help: "Distinct trusted keys that must have signed each manifest.")
    var threshold: Int = 1

    @Option(name: .long, help: ArgumentHelp(
        "How many models to audit at once (default: one per core). The report is the same whatever the number.",
        valueName: "n"))
    var jobs: Int?

    @OptionGroup var outputs: ReportOutputOptions
    @OptionGroup var ledgerOptions: LedgerOptions
    @OptionGroup var ledgerSource: LedgerSourceOptions

    func validate() throws {
        if inputs.isEmpty && ledgerSource.fromLedger == nil {
            throw ValidationError("give at least one signed manifest or directory")
        }
        if !inputs.isEmpty && ledgerSource.fromLedger != nil {
            throw ValidationError("give signed manifests or --from-ledger, not both")
        }
        if threshold < 1 { throw ValidationError("--threshold must be at least 1") }
        if let jobs, jobs < 1 || jobs > 1024 { throw ValidationError("--jobs must be between 1 and 1024") }
    }

    func run() throws {
        if let report = try ledgerSource.writeReport(outputs) { throw AuditExit.code(for: report) }
        let loadedPolicy = try policy.map(PolicyLoader.load(path:))
        let store = try signerOptions.trustStore(trustOptions)
        let listing = try EnvelopeListing(inputs)
        let files = listing.files
        guard !files.isEmpty else { throw CLIFailure("no signed manifests (*.json) in \(inputs.joined(separator: ", "))") }
        let checkDirectories = modelDirs
        let auditor = Auditor(
            policy: loadedPolicy,
            context: AuditContext(
                time: timeOptions.time,
                trust: AuditContext.Trust(
                    store: store, certificates: try signerOptions.certificateValidator(store),
                    keyless: try signerOptions.keylessVerifier(policy: loadedPolicy)),
                threshold: threshold,
                artifacts: AuditContext.ArtifactOptions(modelDirectory: { file in
                    // A missing directory is the model's error finding, as with `verify --model-dir`: never a
                    // model whose files were quietly not checked.
                    guard checkDirectories else { return nil }
                    if file.hasSuffix(".json") { return String(file.dropLast(5)) }
                    return file.hasSuffix(".sig") ? String(file.dropLast(4)) : nil
                }),
                custodyBundle: listing.custodyBundle(for:),
                store: try manifestStore.map { try ManifestStore.load(directory: $0) },
                concurrency: jobs ?? ProcessInfo.processInfo.activeProcessorCount))
        let mode = outputs.mode ?? loadedPolicy?.mode ?? .enforce
        if let streamed = try StreamedJSONOutput(outputs) {
            let shell = try streamed.write(auditor, files: files, mode: mode)
            throw AuditExit.code(for: shell.summary.verdict, mode: mode)
        }
        let report = auditor.report(models: auditor.auditFleet(files: files), mode: mode)
        try outputs.write(report)
        try ledgerOptions.record(report, origin: "audit report")
        throw AuditExit.code(for: report)
    }
}
