import ArgumentParser
import AuditCrypto
import Foundation
import ModelAudit

/// `audit sign --oms`: an OpenSSF model-signing (OMS v1.0) bundle over a model's files instead of a DSSE manifest.
struct OMSSignOptions: ParsableArguments {
    @Flag(
        name: .long, help: "Write an OpenSSF model-signing (OMS v1.0) bundle over --model-dir (a directory or a file).")
    var oms = false

    @Option(name: .long, help: ArgumentHelp("OMS hash: sha256 (default), blake2b or blake3.", valueName: "name"))
    var hash: String = "sha256"

    @Option(
        name: .long,
        help: ArgumentHelp(
            "OMS shard mode: hash each file in ranges of this many bytes.",
            valueName: "bytes"))
    var shardSize: Int64?

    @Option(
        name: .customLong("ignore-path"),
        help: ArgumentHelp(
            "OMS: leave this path (relative to the model) and everything below it out; repeatable.", valueName: "path"))
    var ignorePaths: [String] = []

    @Flag(name: .customLong("no-ignore-git-paths"), help: "OMS: sign .git, .gitattributes, .github, .gitignore too.")
    var signGitPaths = false

    @Option(name: .long, help: ArgumentHelp("OMS: the signing key's X.509 certificate (PEM).", valueName: "leaf.pem"))
    var certificate: String?

    @Option(
        name: .customLong("certificate-chain"),
        help: ArgumentHelp(
            "OMS: the CA certificates above the leaf (PEM), carried in the bundle.", valueName: "chain.pem"))
    var certificateChain: String?

    func validate(payload: String?, add: String?, output: String?, modelDir: String?) throws {
        if payload != nil || add != nil { throw ValidationError("--oms signs --model-dir, not a payload or --add") }
        if modelDir == nil { throw ValidationError("--oms needs --model-dir (the model directory or file)") }
        if output == nil { throw ValidationError("--oms needs -o FILE for the bundle") }
        if OMSHashAlgorithm(rawValue: hash) == nil {
            throw ValidationError("--hash \"\(hash)\" is not one of sha256, blake2b, blake3")
        }
        if let shardSize, shardSize <= 0 { throw ValidationError("--shard-size must be positive") }
        if certificateChain != nil && certificate == nil {
            throw ValidationError("--certificate-chain needs --certificate")
        }
    }

    func validateUnused() throws {
        if shardSize != nil || !ignorePaths.isEmpty || certificate != nil || certificateChain != nil || signGitPaths
            || hash != "sha256"
        {
            throw ValidationError(
                "--hash, --shard-size, --ignore-path, --certificate and --certificate-chain need --oms")
        }
    }

    func sign(modelPath: String, keys: [PrivateKey], output: String, overwrite: Bool, followSymlinks: Bool) throws {
        let signer = OMSSigner(
            hash: OMSHashAlgorithm(rawValue: hash) ?? .sha256, shardSize: shardSize, ignorePaths: ignorePaths,
            ignoreGitPaths: !signGitPaths, followSymlinks: followSymlinks)
        var certificates: [[UInt8]]?
        if let certificate {
            certificates = try Self.derCertificates(certificate)
            if let certificateChain { certificates? += try Self.derCertificates(certificateChain) }
            // A verifier takes the leaf's key as the signer, so a certificate for another key signs nothing.
            if let leaf = certificates?.first, let first = keys.first {
                let parsed: X509Certificate
                do {
                    parsed = try X509Certificate(der: leaf)
                } catch let error as CryptoError {
                    throw CLIFailure("--certificate \(certificate): \(error)")
                }
                guard parsed.publicKey == first.publicKey else {
                    throw CLIFailure(
                        "--certificate \(certificate): its key is not the signing key (\(first.publicKey.keyID))")
                }
            }
        }
        do {
            let payload = try signer.statementPayload(
                modelPath: modelPath, bundlePath: output, progress: TerminalProgress())
            let bundle = try OMSSigner.bundle(payload: payload, keys: keys, certificates: certificates)
            try AtomicFile.write(try bundle.encoded(), to: output, overwrite: overwrite)
        } catch let error as OMSSigner.SigningError {
            throw CLIFailure("\(error)")
        }
        for key in keys {
            print(
                "signed \(output) (OMS v1.0, \(hash)\(shardSize.map { ", shards of \($0) bytes" } ?? "")) with "
                    + "\(key.publicKey.keyID)")
        }
    }

    /// The DER certificates of a PEM file, in order.
    static func derCertificates(_ path: String) throws -> [[UInt8]] {
        let text = String(decoding: try InputFile.read(path, limit: 1024 * 1024), as: UTF8.self)
        var certificates: [[UInt8]] = []
        var body: String?
        for line in text.split(whereSeparator: \.isNewline).map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if line == "-----BEGIN CERTIFICATE-----" {
                body = ""
            } else if line == "-----END CERTIFICATE-----", let current = body {
                guard let der = Base64.decode(current), !der.isEmpty else {
                    throw CLIFailure("\(path): certificate \(certificates.count + 1) is not valid base64")
                }
                certificates.append(der)
                body = nil
            } else if body != nil {
                body? += line
            }
        }
        guard !certificates.isEmpty, body == nil else {
            throw CLIFailure("\(path): not a PEM certificate file (expected -----BEGIN CERTIFICATE----- blocks)")
        }
        return certificates
    }
}
