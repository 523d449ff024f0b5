import ArgumentParser
import AuditCrypto
import Foundation
import ModelAudit

/// Where the trusted keys are.
struct TrustOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Trust store directory (PEM public keys and trust.json).",
        valueName: "dir"))
    var trust: String = "keys"

    func load() throws -> TrustStore {
        try TrustStore.load(directory: trust)
    }
}

/// The evaluation time, pinnable for reproducible results.
struct TimeOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Evaluate as of this RFC 3339 time instead of now.", valueName: "time"))
    var at: String?

    func validate() throws {
        if let at, RFC3339.parse(at) == nil {
            throw ValidationError("--at \"\(at)\" is not an RFC 3339 date-time (e.g. 2026-01-31T12:00:00Z)")
        }
    }

    var time: Date {
        at.flatMap(RFC3339.parse) ?? Date()
    }
}

/// Where a private key's passphrase comes from: never the command line, where other users can read it.
struct PassphraseOptions: ParsableArguments {
    @Option(name: .customLong("passphrase-env"),
        help: ArgumentHelp("Read the key passphrase from this environment variable.", valueName: "name"))
    var passphraseEnvironment: String?

    @Option(name: .customLong("passphrase-file"),
        help: ArgumentHelp("Read the key passphrase from the first line of this file.", valueName: "file"))
    var passphraseFile: String?

    func validate() throws {
        if passphraseEnvironment != nil && passphraseFile != nil {
            throw ValidationError("give --passphrase-env or --passphrase-file, not both")
        }
    }

    /// The passphrase bytes, or `nil` when none was configured.
    func passphrase() throws -> [UInt8]? {
        if let name = passphraseEnvironment {
            guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
                throw CLIFailure("environment variable \(name) is not set or empty")
            }
            return Array(value.utf8)
        }
        if let path = passphraseFile {
            var bytes = try InputFile.read(path, limit: 4096)
            if let newline = bytes.firstIndex(where: { $0 == 0x0A || $0 == 0x0D }) {
                bytes.removeSubrange(newline...)
            }
            guard !bytes.isEmpty else { throw CLIFailure("passphrase file \(path) is empty") }
            return bytes
        }
        return nil
    }
}

/// Where signing keys come from: a PEM file, or a key in a PKCS#11 token named by a `pkcs11:` URI.
struct SigningKeyOptions: ParsableArguments {
    @Option(name: .customLong("pkcs11-module"), help: ArgumentHelp(
        "PKCS#11 module (.so) serving pkcs11: keys (default: $AUDIT_PKCS11_MODULE, else p11-kit's proxy).",
        valueName: "path"))
    var pkcs11Module: String?

    /// Loads `--key VALUE`; the passphrase options give a PEM key's passphrase or a token's PIN.
    func load(_ value: String, passphrase: [UInt8]?) throws -> PrivateKey {
        do {
            if PrivateKey.isPKCS11URI(value) {
                let module = pkcs11Module ?? ProcessInfo.processInfo.environment["AUDIT_PKCS11_MODULE"]
                return try PrivateKey.pkcs11(uri: value, pin: passphrase, modulePath: module)
            }
            return try PrivateKey(pem: try InputFile.read(value, limit: 64 * 1024), passphrase: passphrase)
        } catch let error as CryptoError {
            throw CLIFailure("\(PrivateKey.isPKCS11URI(value) ? "PKCS#11 key" : value): \(error)")
        }
    }
}

/// Output format of commands that print a result.
enum ResultFormat: String, CaseArgument {
    case text
    case json
}

/// A command-line value that is one of an enum's cases, spelled as its raw value.
///
/// ArgumentParser's defaults list such values through key paths, which the Swift runtime builds on first use by
/// looking up conformances across the whole binary; parsing any command that has such an option paid for it. These
/// give the same lists directly: the raw values, and no descriptions (the defaults find none, each value being
/// described by its raw value).
protocol CaseArgument: ExpressibleByArgument, CaseIterable, RawRepresentable where RawValue == String {}

extension CaseArgument {
    public static var allValueStrings: [String] { allCases.map { $0.rawValue } }
    public static var allValueDescriptions: [String: String] { [:] }
}
