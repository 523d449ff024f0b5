import ArgumentParser
import AuditCrypto
import Foundation
import ModelAudit

/// `audit lineage`: draws a model's ancestry with each ancestor's verification status.
struct LineageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lineage",
        abstract: "Follow a model's ancestry through a store of signed manifests.",
        discussion: """
            Each parent is looked up in --store by the digest of its signed manifest, its signature checked \
            against the trust store, and its own parents followed. Status per ancestor: verified, unsigned \
            (hidden lineage), missing, mismatch (the store holds another envelope for it), untrusted, invalid, \
            cycle, too-deep, not-resolved (no --store). A manifest reached again by another path is marked \
            "repeat" and its ancestry is not drawn twice. Exit 0 when every ancestor is verified, 1 otherwise.

            Examples:
              audit lineage model.json --store manifests/
              audit lineage model.json --store manifests/ --format mermaid
              audit lineage model.json --store manifests/ --format dot | dot -Tsvg > lineage.svg
            """
    )

    @Argument(help: ArgumentHelp("The model's signed manifest.", valueName: "manifest"))
    var manifest: String

    @Option(name: .customLong("store"), help: ArgumentHelp("Directory of signed manifests.", valueName: "dir"))
    var manifestStore: String?

    @OptionGroup var trustOptions: TrustOptions
    @OptionGroup var timeOptions: TimeOptions

    @Option(name: .long, help: ArgumentHelp(
        "Maximum generations to follow (at most \(LineageResolver.generationLimit)).", valueName: "n"))
    var maxDepth: Int = LineageResolver.generationLimit

    @Option(name: .long, help: "Output: text, json, dot or mermaid.")
    var format: LineageFormat = .text

    enum LineageFormat: String, CaseArgument {
        case text, json, dot, mermaid
    }

    func validate() throws {
        if maxDepth < 0 || maxDepth > LineageResolver.generationLimit {
            throw ValidationError("--max-depth must be between 0 and \(LineageResolver.generationLimit)")
        }
    }

    func run() throws {
        let trust = try trustOptions.load()
        let auditor = Auditor(
            policy: nil,
            context: AuditContext(
                time: timeOptions.time, trust: AuditContext.Trust(store: trust), custodyBundle: { _ in nil },
                store: try manifestStore.map { try ManifestStore.load(directory: $0) }, lineageDepth: maxDepth))
        let verified = try auditor.verify(try LoadedEnvelope.load(manifest, limits: .default))
        let signatures = verified.verification.signatures
        guard signatures.isVerified else {
            throw CLIFailure("\(manifest): \(signatures.summary)", exitCode: AuditExit.notVerified)
        }
        guard let result = verified.lineage else {
            throw CLIFailure("\(manifest) does not carry a provenance manifest")
        }
        switch format {
        case .text: print(LineageRendering.text(result.tree), terminator: "")
        case .json: Terminal.write(try ReportJSON.encode(result.tree))
        case .dot: print(LineageRendering.dot(result.tree), terminator: "")
        case .mermaid: print(LineageRendering.mermaid(result.tree), terminator: "")
        }
        if result.links.contains(where: { $0.status != .verified }) { throw AuditExit.notVerified }
    }
}
