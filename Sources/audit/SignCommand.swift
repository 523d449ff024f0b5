import ArgumentParser
import AuditCrypto
import Foundation
import ModelAudit

/// `audit sign`: wraps a payload in a signed DSSE envelope, or adds a signature to one.
struct SignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Sign a payload into a DSSE envelope, or co-sign an existing envelope.",
        discussion: """
            The signature covers the DSSE pre-authentication encoding of the payload type and the exact payload \
            bytes. With --add, the envelope's payload and existing signatures are kept byte for byte and one \
            signature per --key is appended. Co-signing in place holds a lock on ENVELOPE.lock from reading the \
            envelope to replacing it, so concurrent co-signers each keep their signature; one that cannot take \
            the lock within --lock-timeout seconds exits 2 without writing.

            A provenance manifest (JSON or YAML, see docs/manifest.md) is validated first: every problem is \
            listed with its JSON pointer and nothing is signed until there are none. With --model-dir the \
            subject list is recomputed from the directory. The signed payload is the statement as compact JSON \
            with sorted keys.

            Examples:
              audit sign manifest.yaml --key keys/acme-release.key --model-dir weights/ -o model.json
              audit sign statement.json --key keys/acme-release.key -o model.json
              audit sign notes.txt --payload-type text/plain --key a.key --key b.key -o notes.dsse.json
              audit sign --add model.json --key keys/auditor.key
              AUDIT_PASS=s3cret audit sign statement.json --key ci/deployer.key --passphrase-env AUDIT_PASS -o model.json
              PIN=1234 audit sign statement.json --key "pkcs11:token=release;object=signing" --passphrase-env PIN \\
                --pkcs11-module /usr/lib/softhsm/libsofthsm2.so -o model.json
              audit sign --oms --model-dir weights/ --key release.key -o model.sig
              audit sign --oms --model-dir weights/ --key leaf.key --certificate leaf.pem --certificate-chain ca.pem -o model.sig
            """
    )

    @Argument(help: ArgumentHelp("The payload file to sign.", valueName: "payload"))
    var payload: String?

    @Option(name: .long, help: ArgumentHelp("Add signatures to this existing envelope.", valueName: "envelope"))
    var add: String?

    @Option(name: .long, help: ArgumentHelp("The payload type (a media type or URI).", valueName: "type"))
    var payloadType: String = DSSEEnvelope.inTotoPayloadType

    @Option(name: .long, help: ArgumentHelp(
        "Private key: a PEM file, or a key in a PKCS#11 token (pkcs11:token=…;object=…, PIN through "
            + "--passphrase-env/--passphrase-file); repeat to sign with several keys.", valueName: "key"))
    var key: [String] = []

    @Option(name: .long, help: ArgumentHelp(
        "Signature scheme for RSA keys: rsa-pss-sha256 (default) or rsa-pkcs1v15-sha256.", valueName: "scheme"))
    var scheme: SignatureScheme?

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp(
        "Write the envelope here (default with --add: replace the envelope in place).", valueName: "file"))
    var output: String?

    @Option(name: .long, help: ArgumentHelp(
        "Recompute a manifest's subject list from this model directory.", valueName: "dir"))
    var modelDir: String?

    @Flag(name: .long, help: "Follow symbolic links that stay inside the model directory.")
    var followSymlinks = false

    @Flag(name: .long, help: "Replace an existing output file.")
    var force = false

    @OptionGroup var passphraseOptions: PassphraseOptions
    @OptionGroup var signingKeys: SigningKeyOptions
    @OptionGroup var lockOptions: LockOptions
    @OptionGroup var omsOptions: OMSSignOptions

    static let maxPayloadBytes = 64 * 1024 * 1024

    func validate() throws {
        if key.isEmpty { throw ValidationError("give at least one --key") }
        if omsOptions.oms {
            try omsOptions.validate(payload: payload, add: add, output: output, modelDir: modelDir)
            return
        }
        try omsOptions.validateUnused()
        switch (payload, add) {
        case (nil, nil): throw ValidationError("give a payload file to sign, or --add ENVELOPE")
        case (.some, .some): throw ValidationError("give a payload file or --add ENVELOPE, not both")
        case (.some, nil) where output == nil: throw ValidationError("give -o FILE for the new envelope")
        default: break
        }
        if add != nil && modelDir != nil {
            throw ValidationError("--model-dir applies to a new manifest, not to --add")
        }
    }

    func run() throws {
        let passphrase = try passphraseOptions.passphrase()
        var signers: [(key: PrivateKey, scheme: SignatureScheme?)] = []
        for value in key {
            signers.append((try signingKeys.load(value, passphrase: passphrase), scheme))
        }
        if omsOptions.oms {
            try omsOptions.sign(
                modelPath: modelDir ?? "", keys: signers.map(\.key), output: output ?? "", overwrite: force,
                followSymlinks: followSymlinks)
            return
        }
        let destination: String
        if let add {
            destination = output ?? add
            if Self.isSameFile(add, destination) {
                // Co-signing in place is a read-modify-write: under the lock, so concurrent co-signers all count.
                try FileLock.withExclusiveLock(on: add, timeout: lockOptions.timeout) {
                    AtomicFile.removeAbandonedTemporaries(of: add)
                    try addSignatures(signers, to: add, writingTo: add, overwrite: true)
                }
            } else {
                try addSignatures(signers, to: add, writingTo: destination, overwrite: force)
            }
        } else if let payload {
            let bytes = try signedPayload(from: payload)
            let envelope = try DSSEEnvelope.sign(payload: bytes, payloadType: payloadType, keys: signers)
            destination = output ?? ""
            try AtomicFile.write(try envelope.encoded(), to: destination, overwrite: force)
        } else {
            throw ValidationError("give a payload file to sign, or --add ENVELOPE")
        }
        for (signer, scheme) in signers {
            let used = scheme ?? signer.defaultScheme
            print("signed \(destination) with \(signer.publicKey.keyID) (\(used.rawValue))")
        }
    }

    /// Reads the envelope at `source`, appends one signature per signer and writes it to `destination`.
    private func addSignatures(
        _ signers: [(key: PrivateKey, scheme: SignatureScheme?)], to source: String, writingTo destination: String,
        overwrite: Bool
    ) throws {
        var envelope = try DSSEEnvelope.decode(try InputFile.read(source, limit: Self.maxPayloadBytes * 2))
        for (signer, scheme) in signers {
            try envelope.addSignature(by: signer, scheme: scheme)
        }
        try AtomicFile.write(try envelope.encoded(), to: destination, overwrite: overwrite)
    }

    /// Whether two paths name the same file (or the same path, when the second does not exist yet).
    private static func isSameFile(_ first: String, _ second: String) -> Bool {
        if first == second { return true }
        var a = stat()
        var b = stat()
        guard stat(first, &a) == 0, stat(second, &b) == 0 else { return false }
        return a.st_dev == b.st_dev && a.st_ino == b.st_ino
    }

    /// The bytes to sign: a validated, canonical provenance statement, or any other payload exactly as read.
    private func signedPayload(from path: String) throws -> [UInt8] {
        let bytes = try InputFile.read(path, limit: Self.maxPayloadBytes)
        guard payloadType == DSSEEnvelope.inTotoPayloadType else {
            if modelDir != nil { throw CLIFailure("--model-dir needs an in-toto provenance manifest") }
            return bytes
        }
        let limits = JSONLimits(maxBytes: Self.maxPayloadBytes, maxDepth: JSONLimits.default.maxDepth)
        let value = try StructuredDocument.parse(bytes, path: path, limits: limits)
        guard ManifestPayload.isProvenanceStatement(value) || modelDir != nil else {
            // Another in-toto predicate: signed exactly as written, once it is strict JSON.
            guard (try? StrictJSON.parse(bytes, limits: limits)) != nil else {
                throw CLIFailure("\(path): an in-toto statement must be JSON (or a provenance manifest in YAML)")
            }
            return bytes
        }
        var subjects: [Subject]?
        if let modelDir {
            let directory = try ModelDirectory(root: modelDir, options: .init(followSymlinks: followSymlinks))
            subjects = try directory.digests(progress: TerminalProgress()).map {
                Subject(name: $0.path, sha256: $0.digest)
            }
        }
        return try ManifestPayload.make(from: value, subjects: subjects, document: path).payload
    }
}

extension SignatureScheme: CaseArgument {}
