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
            Prints the payload (pretty-printed when it is JSON) and, for each signature, its keyid hint and \
            whether a trusted key verifies it. Showing is not verifying: use `audit verify` to gate on the result.

            Examples:
              audit show model.json
              audit show model.json --trust keys/
            """
    )

    @Argument(help: ArgumentHelp("The envelope to show (- for standard input).", valueName: "envelope"))
    var envelope: String

    @OptionGroup var trustOptions: TrustOptions
    @OptionGroup var timeOptions: TimeOptions

    func run() throws {
        let decoded = try DSSEEnvelope.decode(try InputFile.read(envelope, limit: JSONLimits.default.maxBytes))
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
        print(lines.joined(separator: "\n"))
        print(PayloadRendering.render(decoded.payload))
    }
}
