import ArgumentParser
import AuditCrypto
import Foundation
import ModelAudit

/// `audit trust`: creates and edits a trust store, so nobody hand-edits `trust.json`.
struct TrustCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trust",
        abstract: "Create, edit and inspect a trust store (trusted public keys and trust.json).",
        discussion: """
            Every edit locks trust.json (a second editor at the same time is refused), checks the result exactly \
            as verification loads it, and replaces the file atomically; a refused edit changes nothing.

            Examples:
              audit trust init --trust keys
              audit trust add acme-release.pub --owner "Acme AI, Inc." --role developer --role publisher --trust keys
              audit trust list --trust keys
              audit trust revoke sha256:4d1c… --note "key lost" --trust keys
              audit trust check --trust keys
            """,
        subcommands: [
            TrustInitCommand.self, TrustAddCommand.self, TrustListCommand.self, TrustShowCommand.self,
            TrustRemoveCommand.self, TrustRevokeCommand.self, TrustCheckCommand.self,
        ]
    )
}

/// `audit trust init`.
struct TrustInitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Create a trust directory with an empty trust.json.")

    @OptionGroup var trustOptions: TrustOptions

    func run() throws {
        print(TerminalText.escape(try TrustStoreEditor(directory: trustOptions.trust).initialize().summary))
    }
}

/// `audit trust add`.
struct TrustAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a public key with its owner and roles.",
        discussion: """
            KEY is a PEM public key (-----BEGIN PUBLIC KEY-----). It is copied into the trust directory (as its own \
            file name, or --name) and listed with a pinned key id. RSA keys need --scheme.
            """)

    @Argument(help: ArgumentHelp("The PEM public key file.", valueName: "key"))
    var key: String

    @Option(name: .long, help: ArgumentHelp("The legal entity that holds the private key.", valueName: "owner"))
    var owner: String

    @Option(name: .customLong("role"), help: ArgumentHelp(
        "What the key may sign for (repeatable): \(TrustRole.allCases.map(\.rawValue).joined(separator: ", ")).",
        valueName: "role"))
    var roles: [TrustRole] = []

    @Option(name: .long, help: ArgumentHelp(
        "The signature scheme, for RSA keys: rsa-pss-sha256 or rsa-pkcs1v15-sha256.", valueName: "scheme"))
    var scheme: SignatureScheme?

    @Option(name: .customLong("not-before"), help: ArgumentHelp("Valid from (RFC 3339).", valueName: "time"))
    var notBefore: String?

    @Option(name: .customLong("not-after"), help: ArgumentHelp("Valid until (RFC 3339).", valueName: "time"))
    var notAfter: String?

    @Option(name: .long, help: ArgumentHelp("A note for reviewers.", valueName: "text"))
    var note: String?

    @Option(name: .long, help: ArgumentHelp("File name in the trust directory (default: KEY's).", valueName: "name"))
    var name: String?

    @OptionGroup var trustOptions: TrustOptions

    func validate() throws {
        if roles.isEmpty { throw ValidationError("give at least one --role") }
        for (flag, value) in [("--not-before", notBefore), ("--not-after", notAfter)] {
            if let value, RFC3339.parse(value) == nil {
                throw ValidationError("\(flag) \"\(value)\" is not an RFC 3339 date-time (e.g. 2026-01-31T12:00:00Z)")
            }
        }
    }

    func run() throws {
        let pem = try InputFile.read(key, limit: 64 * 1024)
        let text = String(decoding: pem, as: UTF8.self)
        if text.contains("PRIVATE KEY") {
            throw CLIFailure("\(key) holds a private key; add its public half (the .pub file `audit keygen` wrote)")
        }
        if text.contains("BEGIN CERTIFICATE") {
            throw CLIFailure(
                "\(key) is an X.509 certificate; extract its key with `openssl x509 -in \(key) -pubkey -noout > "
                    + "key.pub` and add key.pub, with --not-before/--not-after from the certificate's validity")
        }
        let entry = TrustStoreEditor.Entry(
            owner: owner, roles: roles, scheme: scheme, notBefore: notBefore.flatMap(RFC3339.parse),
            notAfter: notAfter.flatMap(RFC3339.parse), note: note)
        let fileName = name ?? (key as NSString).lastPathComponent
        let change = try TrustStoreEditor(directory: trustOptions.trust).add(
            publicKeyPEM: pem, fileName: fileName, entry: entry)
        print(TerminalText.escape(change.summary))
    }
}

/// `audit trust list`.
struct TrustListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the trusted keys: id, owner, roles and status.")

    @OptionGroup var trustOptions: TrustOptions
    @OptionGroup var timeOptions: TimeOptions

    func run() throws {
        let store = try trustOptions.load()
        let time = timeOptions.time
        for key in store.keys {
            let roles = key.roles.map(\.rawValue).joined(separator: ",")
            print(TerminalText.escape(
                "\(key.keyID)  \(key.file)  \"\(key.owner)\"  \(roles)  \(key.status(at: time))"))
        }
    }
}

/// `audit trust show`.
struct TrustShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show one key: every member of its entry and its status now.")

    @Argument(help: ArgumentHelp("Key id (or a unique prefix of 8+ hex digits) or file name.", valueName: "key"))
    var selector: String

    @OptionGroup var trustOptions: TrustOptions
    @OptionGroup var timeOptions: TimeOptions

    func run() throws {
        let store = try trustOptions.load()
        let hex = selector.hasPrefix("sha256:") ? String(selector.dropFirst(7)) : selector
        let matches = store.keys.filter {
            $0.file == selector || $0.keyID == selector || (hex.count >= 8 && $0.keyID.dropFirst(7).hasPrefix(hex))
        }
        guard matches.count == 1, let key = matches.first else {
            throw CLIFailure(
                "\(matches.isEmpty ? "no key" : "\(matches.count) keys") in \(trustOptions.trust) match \"\(selector)\"")
        }
        var lines = [
            "key id:     \(key.keyID)", "file:       \(key.file)", "owner:      \(key.owner)",
            "roles:      \(key.roles.map(\.rawValue).joined(separator: ", "))",
            "type:       \(key.publicKey.type) (\(key.scheme.rawValue))",
        ]
        if let notBefore = key.notBefore { lines.append("not before: \(RFC3339.format(notBefore))") }
        if let notAfter = key.notAfter { lines.append("not after:  \(RFC3339.format(notAfter))") }
        lines.append("status:     \(key.status(at: timeOptions.time))")
        if let note = key.note { lines.append("note:       \(note)") }
        for line in lines { print(TerminalText.escape(line)) }
    }
}

/// `audit trust remove`.
struct TrustRemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Remove a key from trust.json and delete its file.",
        discussion: "To withdraw a key while keeping a record that it was trusted, use `audit trust revoke`.")

    @Argument(help: ArgumentHelp("Key id (or a unique prefix of 8+ hex digits) or file name.", valueName: "key"))
    var selector: String

    @OptionGroup var trustOptions: TrustOptions

    func run() throws {
        print(TerminalText.escape(try TrustStoreEditor(directory: trustOptions.trust).remove(selector).summary))
    }
}

/// `audit trust revoke`.
struct TrustRevokeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke", abstract: "Mark a key revoked: it stays listed but verifies nothing.")

    @Argument(help: ArgumentHelp("Key id (or a unique prefix of 8+ hex digits) or file name.", valueName: "key"))
    var selector: String

    @Option(name: .long, help: ArgumentHelp("Why, recorded as the key's note.", valueName: "text"))
    var note: String?

    @OptionGroup var trustOptions: TrustOptions

    func run() throws {
        let change = try TrustStoreEditor(directory: trustOptions.trust).revoke(selector, note: note)
        print(TerminalText.escape(change.summary))
    }
}

/// `audit trust check`.
struct TrustCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Load the trust store as verification does and list every problem (exit 2 when invalid).")

    @OptionGroup var trustOptions: TrustOptions
    @OptionGroup var timeOptions: TimeOptions

    func run() throws {
        let store = try trustOptions.load()
        let time = timeOptions.time
        let usable = store.keys.filter { $0.status(at: time).isValid }.count
        print(TerminalText.escape(
            "\(trustOptions.trust): valid — \(store.keys.count) key(s), \(usable) usable now; trust.json sha256:"
                + store.indexSHA256))
    }
}

extension TrustRole: ExpressibleByArgument {}
