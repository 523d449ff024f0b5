import ArgumentParser
import AuditCrypto
import Foundation
import ModelAudit

/// `audit show`: prints an envelope's payload and who signed it.
struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show an envelope's payload and its signatures.",
        discussion: """
            Prints, for each signature, its keyid hint and whether a trusted key verifies it, then the payload: \
            a provenance manifest section by section (model, origin, hosting, lineage, data retention, audits, \
            artifacts), any other JSON pretty-printed. --format json prints the raw statement. Showing is not \
            verifying: use `audit verify` to gate on the result.

            Examples:
              audit show model.json
              audit show model.json --trust keys/
              audit show model.json --format json | jq .predicate.hosting
            """
    )

    @Argument(help: ArgumentHelp("The envelope to show (- for standard input).", valueName: "envelope"))
    var envelope: String

    @OptionGroup var trustOptions: TrustOptions
    @OptionGroup var timeOptions: TimeOptions

    @Option(name: .long, help: "Output format: text, or json for the raw statement.")
    var format: ResultFormat = .text

    func run() throws {
        let decoded = try DSSEEnvelope.decode(try InputFile.read(envelope, limit: JSONLimits.default.maxBytes))
        if format == .json {
            // The payload exactly as signed, re-indented; it parses strictly or it is not shown.
            Terminal.write(JSONText.terminalSafe(JSONWriter.write(try StrictJSON.parse(decoded.payload))))
            return
        }
        var lines: [String] = []
        lines.append("envelope:     \(envelope)")
        lines.append("payload type: \(decoded.payloadType)")
        lines.append("payload:      \(decoded.payload.count) bytes, sha256:\(try Digests.sha256Hex(decoded.payload))")
        let verification: EnvelopeVerification?
        var trustNote: String?
        do {
            let store = try trustOptions.load()
            verification = EnvelopeVerifier(trustStore: store, time: timeOptions.time).verify(decoded)
        } catch {
            verification = nil
            trustNote = "trust store not loaded: \(error)"
        }
        lines.append("signatures:   \(decoded.signatures.count)")
        for (index, signature) in decoded.signatures.enumerated() {
            lines.append("  [\(index)] keyid hint: \(signature.keyID ?? "(none)")")
            if let check = verification?.signatures[index] {
                lines.append("      \(check.isVerified ? "trusted" : "NOT TRUSTED"): \(check.explanation)")
            }
        }
        if let trustNote { lines.append("  \(trustNote)") }
        if let verification { lines.append("status:       \(verification.summary)") }
        lines.append("")
        lines.append("payload\(verification?.isVerified == true ? "" : " (UNVERIFIED)"):")
        // The payload type, keyid hints and trust notes come from the envelope and the trust store.
        print(lines.map(TerminalText.escape).joined(separator: "\n"))
        if let value = try? StrictJSON.parse(decoded.payload), ManifestPayload.isProvenanceStatement(value) {
            do {
                print(ProvenanceText.render(try ManifestReader.read(value, document: "payload")), terminator: "")
            } catch {
                print(TerminalText.message("the payload is a provenance statement, but not a valid one: \(error)"))
            }
        } else {
            print(PayloadRendering.render(decoded.payload))
        }
    }
}
