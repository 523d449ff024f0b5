import ArgumentParser
import Foundation
import ModelAudit

/// `audit init`: writes a provenance manifest draft for a model directory.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a provenance manifest draft for a model directory.",
        discussion: """
            Hashes every file in the model directory into the statement's subject list and writes every \
            section of the provenance predicate for you to complete. Required members are left null: \
            `audit sign` refuses the draft until each is filled in, listing them by JSON pointer. \
            See docs/manifest.md for every field.

            Examples:
              audit init --model-dir weights/ -o manifest.yaml
              audit init --model-dir weights/ --name acme-7b --format json -o manifest.json
            """
    )

    @Option(name: .long, help: ArgumentHelp("The model directory to describe.", valueName: "dir"))
    var modelDir: String

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("Write the draft here.", valueName: "file"))
    var output: String

    @Option(name: .long, help: "Draft format: yaml or json (default: from the output file's extension, else yaml).")
    var format: DraftFormat?

    @Option(name: .long, help: "The model's name, if you want it filled in.")
    var name: String?

    @Flag(name: .long, help: "Follow symbolic links that stay inside the model directory.")
    var followSymlinks = false

    @Flag(name: .long, help: "Replace an existing output file.")
    var force = false

    enum DraftFormat: String, CaseArgument {
        case yaml
        case json
    }

    func run() throws {
        let directory = try ModelDirectory(root: modelDir, options: .init(followSymlinks: followSymlinks))
        let digests = try directory.digests(progress: TerminalProgress())
        let subjects = digests.map { Subject(name: $0.path, sha256: $0.digest) }
        let draft = ManifestDraft.make(subjects: subjects, modelName: name)
        let chosen = format ?? (output.lowercased().hasSuffix(".json") ? .json : .yaml)
        let bytes: [UInt8]
        switch chosen {
        case .json: bytes = JSONWriter.write(draft)
        case .yaml: bytes = Array(YAMLWriter.write(draft).utf8)
        }
        try AtomicFile.write(bytes, to: output, overwrite: force)
        print("wrote \(output): \(subjects.count) artifact\(subjects.count == 1 ? "" : "s"); fill in the null members, then:")
        print("  audit sign \(output) --key KEY --model-dir \(modelDir) -o model.json")
    }
}
