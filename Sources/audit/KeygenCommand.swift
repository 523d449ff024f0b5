import ArgumentParser
import AuditCrypto
import Foundation
import ModelAudit

/// `audit keygen`: creates a signing key pair.
struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Generate a signing key pair.",
        discussion: """
            Writes PATH.key (PKCS#8 PEM private key, mode 0600, encrypted when a passphrase is given) and \
            PATH.pub (SubjectPublicKeyInfo PEM), and prints the key id: sha256 over the DER public key.

            Examples:
              audit keygen --algorithm ed25519 --out keys/acme-release
              AUDIT_PASS=s3cret audit keygen --algorithm ecdsa-p256 --out ci/deployer --passphrase-env AUDIT_PASS

            It then prints the `audit trust add` command that lists the public key in a trust store with its \
            owner and roles (see docs/trust.md).
            """
    )

    @Option(name: .long, help: "Key algorithm: \(KeyGenerationAlgorithm.allCases.map(\.rawValue).joined(separator: ", ")).")
    var algorithm: KeyGenerationAlgorithm = .ed25519

    @Option(name: .long, help: ArgumentHelp("Path prefix for the key files (PATH.key and PATH.pub).", valueName: "path"))
    var out: String

    @Flag(name: .long, help: "Replace existing key files.")
    var force = false

    @OptionGroup var passphraseOptions: PassphraseOptions

    func validate() throws {
        if out.isEmpty || out.hasSuffix("/") {
            throw ValidationError("--out needs a file path prefix such as keys/acme-release")
        }
    }

    func run() throws {
        let base = out.hasSuffix(".key") || out.hasSuffix(".pub") ? String(out.dropLast(4)) : out
        let privatePath = base + ".key"
        let publicPath = base + ".pub"
        if !force {
            for path in [privatePath, publicPath] where FileManager.default.fileExists(atPath: path) {
                throw CLIFailure("\(path) already exists (use --force to replace it)")
            }
        }
        let key = try PrivateKey.generate(algorithm)
        let passphrase = try passphraseOptions.passphrase()
        try AtomicFile.write(try key.pkcs8PEM(passphrase: passphrase), to: privatePath, mode: 0o600, overwrite: force)
        try AtomicFile.write(Array(try key.publicKey.pem.utf8), to: publicPath, mode: 0o644, overwrite: force)
        print("key id:      \(key.publicKey.keyID)")
        print("algorithm:   \(key.type) (\(key.defaultScheme.rawValue))")
        print("private key: \(privatePath) (mode 0600\(passphrase == nil ? ", unencrypted" : ", encrypted"))")
        print("public key:  \(publicPath)")
        let roles = key.type.impliedScheme == nil ? " --scheme rsa-pss-sha256" : ""
        print(TerminalText.escape(
            "trust it:    audit trust add \(publicPath) --owner \"OWNER\" --role developer\(roles) --trust keys"))
    }
}

extension KeyGenerationAlgorithm: CaseArgument {}
