import ArgumentParser
import Foundation
import ModelAudit

/// `audit envelope`: generic DSSE operations that say nothing about a model.
struct EnvelopeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "envelope",
        abstract: "Generic DSSE envelope checks (signatures only; the payload is not evaluated).",
        subcommands: [EnvelopeVerifyCommand.self]
    )
}

/// `audit envelope verify`: who signed an envelope, whatever its payload — never a model verdict.
struct EnvelopeVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a DSSE envelope's signatures against the trust store; the payload is not evaluated.",
        discussion: """
            Verifies every signature over the envelope's PAE against every trusted key (the keyid is only a \
            hint) and prints the signers from the trust store and what the payload is. It does not read the \
            payload as a manifest and gives no model verdict: use `audit verify` for that.

            Exit codes: 0 the threshold of distinct trusted keys is met, 1 it is not, 2 the envelope or trust \
            store cannot be read, 64 usage.

            Examples:
              audit envelope verify record.json --trust keys
              audit envelope verify statement.json --trust keys --threshold 2 --format json
            """
    )

    @Argument(help: ArgumentHelp("The DSSE envelope to check.", valueName: "file"))
    var file: String

    @OptionGroup var trustOptions: TrustOptions
    @OptionGroup var timeOptions: TimeOptions

    @Option(name: .long, help: "Distinct trusted keys that must have signed.")
    var threshold: Int = 1

    @Option(name: .long, help: "Output format.")
    var format: ResultFormat = .text

    func validate() throws {
        if threshold < 1 { throw ValidationError("--threshold must be at least 1") }
    }

    func run() throws {
        let bytes = try InputFile.read(file, limit: JSONLimits.default.maxBytes)
        let envelope = try DSSEEnvelope.decode(bytes, limits: .default)
        let store = try trustOptions.load()
        let result = EnvelopeVerifier(trustStore: store, time: timeOptions.time).verify(envelope, threshold: threshold)
        // The payload's kind is only named for a verified envelope: unverified bytes are never parsed.
        let kind = result.isVerified ? PayloadKind.classify(envelope) : nil
        switch format {
        case .json:
            Terminal.write(try ReportJSON.encode(EnvelopeCheckReport(file: file, result: result, kind: kind)))
        case .text:
            Terminal.write(Array(EnvelopeCheckReport.text(file: file, result: result, kind: kind).utf8))
        }
        throw result.isVerified ? AuditExit.compliant : AuditExit.notVerified
    }
}

/// The machine-readable answer of `audit envelope verify`.
struct EnvelopeCheckReport: Encodable {
    struct Signer: Encodable {
        var index: Int
        var verified: Bool
        var keyID: String?
        var owner: String?
        var roles: [String]
        var scheme: String?
        var explanation: String
    }

    var file: String
    var payloadType: String
    var payload: String
    var payloadEvaluated = false
    var verified: Bool
    var threshold: Int
    var distinctKeys: Int
    var signatures: [Signer]

    init(file: String, result: EnvelopeVerification, kind: PayloadKind?) {
        self.file = file
        payloadType = result.payloadType
        payload = Self.describe(kind)
        verified = result.isVerified
        threshold = result.threshold
        distinctKeys = result.verifiedKeyIDs.count
        signatures = result.signatures.map {
            Signer(
                index: $0.index, verified: $0.isVerified, keyID: $0.keyID, owner: $0.owner,
                roles: $0.roles.map(\.rawValue), scheme: $0.scheme?.rawValue, explanation: $0.explanation)
        }
    }

    static func describe(_ kind: PayloadKind?) -> String {
        guard let kind else { return "not read: the signatures did not verify" }
        return kind.notAManifestExplanation ?? "a model provenance manifest (use `audit verify` to evaluate it)"
    }

    static func text(file: String, result: EnvelopeVerification, kind: PayloadKind?) -> String {
        // The file name, the payload type and the kind's explanation quote input: each line is escaped.
        var lines = ["\(file): \(result.summary)"]
        for signature in result.signatures {
            var line = "  [\(signature.index)] \(signature.explanation)"
            if signature.keyID != nil, !signature.roles.isEmpty {
                line += ", roles \(signature.roles.map(\.rawValue).joined(separator: ", "))"
            }
            lines.append(line)
        }
        lines.append("  payload type: \"\(result.payloadType)\"")
        lines.append("  payload: \(describe(kind))")
        lines.append("  the payload was not evaluated: this is a signature check, not a model verdict")
        return lines.map(TerminalText.escape).joined(separator: "\n") + "\n"
    }
}
