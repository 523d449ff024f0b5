import ArgumentParser
import Foundation
import ModelAudit

/// `audit verify`: checks an envelope's signatures against the trust store.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify a signed model: signatures, the provenance manifest and the model's files.",
        discussion: """
            Every signature is checked against every trusted key (the keyid is only a hint); the envelope is \
            verified when at least --threshold distinct, currently valid trusted keys have signed it. Revoked, \
            expired and not-yet-valid keys verify nothing, and the result says so. Only then is the payload \
            read: a provenance manifest is validated in full, and with --model-dir every file in the directory \
            is hashed and compared with the manifest's subject list (missing files, changed files and files \
            the manifest does not list all fail, each named with its expected and observed digest).

            Exit codes: 0 verified, 1 not verified, 2 unreadable or malformed input or trust store, 64 usage.

            Examples:
              audit verify model.json
              audit verify model.json --trust keys/ --threshold 2 --format json
              audit verify model.json --at 2026-06-01T00:00:00Z
              audit verify model.json --model-dir weights/
              audit verify model.json --model-dir weights/ --allow-extra-files --format json
            """
    )

    @Argument(help: ArgumentHelp("The envelope to verify (- for standard input).", valueName: "envelope"))
    var envelope: String

    @OptionGroup var trustOptions: TrustOptions
    @OptionGroup var timeOptions: TimeOptions

    @Option(name: .long, help: "Distinct trusted keys that must have signed.")
    var threshold: Int = 1

    @Option(name: .long, help: "Output format: text or json.")
    var format: ResultFormat = .text

    @Option(name: .long, help: ArgumentHelp("Check the model's files in this directory.", valueName: "dir"))
    var modelDir: String?

    @Flag(name: .long, help: "Files the manifest does not list are a warning instead of a failure.")
    var allowExtraFiles = false

    @Flag(name: .long, help: "Follow symbolic links that stay inside the model directory.")
    var followSymlinks = false

    @Option(name: .long, help: ArgumentHelp("Largest envelope accepted, in bytes.", valueName: "bytes"))
    var maxBytes: Int = JSONLimits.default.maxBytes

    func validate() throws {
        if threshold < 1 { throw ValidationError("--threshold must be at least 1") }
        if maxBytes < 1 { throw ValidationError("--max-bytes must be positive") }
    }

    func run() throws {
        do {
            let limits = JSONLimits(maxBytes: maxBytes, maxDepth: JSONLimits.default.maxDepth)
            let bytes = try InputFile.read(envelope, limit: maxBytes)
            let decoded = try DSSEEnvelope.decode(bytes, limits: limits)
            let store = try trustOptions.load()
            let options = ModelVerificationOptions(
                threshold: threshold, time: timeOptions.time, modelDirectory: modelDir,
                followSymlinks: followSymlinks, extraFiles: allowExtraFiles ? .warn : .fail)
            let verification = try ModelVerifier(trustStore: store, options: options)
                .verify(decoded, progress: TerminalProgress())
            let report = VerificationReport(file: envelope, verification: verification, modelDirectory: modelDir)
            switch format {
            case .text: print(report.text, terminator: "")
            case .json: Terminal.write(try report.jsonBytes())
            }
            if !report.verified { throw AuditExit.notVerified }
        } catch let error where format == .json && CLIFailure(libraryError: error) != nil {
            // Machine readers get a JSON answer on every outcome, and the one-line error still goes to stderr.
            Terminal.write(try ReportJSON.encode(ErrorReport(file: envelope, error: "\(error)")))
            throw error
        }
    }
}

/// The JSON printed when a file could not be evaluated at all.
struct ErrorReport: Encodable {
    var file: String
    var verified = false
    var status = "error"
    var error: String
}
