import ArgumentParser
import AuditCrypto
import Foundation
import ModelAudit

/// `audit trust`: creates and edits a trust store, so nobody hand-edits `trust.json`.
struct TrustCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trust",
        abstract: "Create, edit and inspect a trust store (trusted public keys, CA roots and trust.json).",
        discussion: """
            Every edit locks trust.json (a second editor at the same time is refused), checks the result exactly \
            as verification loads it, and replaces the file atomically; a refused edit changes nothing.

            Examples:
              audit trust init --trust keys
              audit trust add acme-release.pub --owner "Acme AI, Inc." --role developer --role publisher --trust keys
              audit trust add acme-root-ca.pem --ca --owner "Acme AI, Inc." --role publisher --trust keys
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
        abstract: "Add a public key, a signer's certificate or (--ca) a root CA, with its owner and roles.",
        discussion: """
            FILE is a PEM public key (-----BEGIN PUBLIC KEY-----) or a signer's X.509 certificate (-----BEGIN \
            CERTIFICATE-----): the certificate's key signs, and the certificate is kept for its subject and validity \
            (the key verifies nothing outside it). It is copied into the trust directory (as its own file name, or \
            --name) and listed with a pinned key id. RSA keys need --scheme.

            With --ca, FILE is a self-signed root CA certificate (basic constraints CA:TRUE): certificate-signed OMS \
            bundles whose chain validates to it sign with its owner and roles, with no --ca-roots needed. An \
            intermediate CA, a certificate that is not a CA, or an expired one is refused; a CA certificate without \
            --ca is refused too, so trusting everything a CA issues is always said explicitly.
            """)

    @Argument(help: ArgumentHelp(
        "The PEM public key or signer's certificate; with --ca, the root CA certificate.", valueName: "file"))
    var key: String

    @Flag(name: .long, help: "FILE is a root CA certificate: trust the signing certificates that chain to it.")
    var ca = false

    @Option(name: .long, help: ArgumentHelp(
        "The legal entity that holds the private key (with --ca: that runs the CA).", valueName: "owner"))
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

    @Option(name: .long, help: ArgumentHelp("File name in the trust directory (default: FILE's).", valueName: "name"))
    var name: String?

    @OptionGroup var trustOptions: TrustOptions

    func validate() throws {
        if roles.isEmpty { throw ValidationError("give at least one --role") }
        if ca && scheme != nil { throw ValidationError("--scheme is for RSA keys; a CA root has no scheme") }
        for (flag, value) in [("--not-before", notBefore), ("--not-after", notAfter)] {
            if let value, RFC3339.parse(value) == nil {
                throw ValidationError("\(flag) \"\(value)\" is not an RFC 3339 date-time (e.g. 2026-01-31T12:00:00Z)")
            }
        }
    }

    func run() throws {
        let pem = try InputFile.read(key, limit: 64 * 1024)
        if PEMText.contains("PRIVATE KEY", in: pem) {
            throw CLIFailure("\(key) holds a private key; add its public half (the .pub file `audit keygen` wrote)")
        }
        let entry = TrustStoreEditor.Entry(
            owner: owner, roles: roles, scheme: scheme, notBefore: notBefore.flatMap(RFC3339.parse),
            notAfter: notAfter.flatMap(RFC3339.parse), note: note)
        let fileName = name ?? (key as NSString).lastPathComponent
        let editor = TrustStoreEditor(directory: trustOptions.trust)
        let change =
            ca
            ? try editor.addCertificateAuthority(certificatePEM: pem, fileName: fileName, entry: entry, source: key)
            : try editor.add(publicKeyPEM: pem, fileName: fileName, entry: entry, source: key)
        print(TerminalText.escape(change.summary))
    }
}

/// `audit trust list`.
struct TrustListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the trusted keys and CA roots: id, owner, roles and status.")

    @OptionGroup var trustOptions: TrustOptions
    @OptionGroup var timeOptions: TimeOptions

    func run() throws {
        let store = try trustOptions.load()
        let time = timeOptions.time
        for key in store.keys {
            let roles = key.roles.map(\.rawValue).joined(separator: ",")
            var line = "\(key.keyID)  \(key.file)  \"\(key.owner)\"  \(roles)  \(key.status(at: time))"
            if let certificate = key.certificate { line += "  certificate \"\(certificate.subject)\"" }
            print(TerminalText.escape(line))
        }
        for authority in store.certificateAuthorities {
            let roles = authority.roles.map(\.rawValue).joined(separator: ",")
            print(TerminalText.escape(
                "\(authority.fingerprint)  \(authority.file)  \"\(authority.owner)\"  \(roles)  "
                    + "\(authority.status(at: time))  CA root \"\(authority.certificate.subject)\""))
        }
    }
}

/// `audit trust show`.
struct TrustShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one key or CA root: every member of its entry, its certificate and its status now.")

    @Argument(help: ArgumentHelp(
        "Key id or CA fingerprint (or a unique prefix of 8+ hex digits) or file name.", valueName: "key"))
    var selector: String

    @OptionGroup var trustOptions: TrustOptions
    @OptionGroup var timeOptions: TimeOptions

    func run() throws {
        let store = try trustOptions.load()
        let hex = (selector.hasPrefix("sha256:") ? String(selector.dropFirst(7)) : selector).lowercased()
        func matches(file: String, id: String) -> Bool {
            file == selector || id == selector || (hex.count >= 8 && id.dropFirst(7).hasPrefix(hex))
        }
        let keys = store.keys.filter { matches(file: $0.file, id: $0.keyID) }
        let authorities = store.certificateAuthorities.filter { matches(file: $0.file, id: $0.fingerprint) }
        // A file name is unique in the store, so an exact file match wins over id prefixes.
        let exactKey = keys.first { $0.file == selector }
        let exactAuthority = authorities.first { $0.file == selector }
        var lines: [String]
        if let key = exactKey ?? (keys.count == 1 && authorities.isEmpty && exactAuthority == nil ? keys.first : nil) {
            lines = Self.describe(key, at: timeOptions.time)
        } else if let authority = exactAuthority ?? (authorities.count == 1 && keys.isEmpty ? authorities.first : nil) {
            lines = Self.describe(authority, at: timeOptions.time)
        } else {
            let count = keys.count + authorities.count
            throw CLIFailure(
                "\(count == 0 ? "no entry" : "\(count) entries") in \(trustOptions.trust) match \"\(selector)\"")
        }
        for line in lines { print(TerminalText.escape(line)) }
    }

    static func describe(_ key: TrustedKey, at time: Date) -> [String] {
        var lines = [
            "key id:     \(key.keyID)", "file:       \(key.file)", "owner:      \(key.owner)",
            "roles:      \(key.roles.map(\.rawValue).joined(separator: ", "))",
            "type:       \(key.publicKey.type) (\(key.scheme.rawValue))",
        ]
        if let notBefore = key.notBefore { lines.append("not before: \(RFC3339.format(notBefore))") }
        if let notAfter = key.notAfter { lines.append("not after:  \(RFC3339.format(notAfter))") }
        if let certificate = key.certificate { lines += describe(certificate) }
        lines.append("status:     \(key.status(at: time))")
        if let note = key.note { lines.append("note:       \(note)") }
        return lines
    }

    static func describe(_ authority: TrustedCA, at time: Date) -> [String] {
        var lines = [
            "CA root:    \(authority.fingerprint)", "file:       \(authority.file)",
            "owner:      \(authority.owner)",
            "roles:      \(authority.roles.map(\.rawValue).joined(separator: ", ")) (for certificates it issues)",
        ]
        if let notBefore = authority.notBefore { lines.append("not before: \(RFC3339.format(notBefore))") }
        if let notAfter = authority.notAfter { lines.append("not after:  \(RFC3339.format(notAfter))") }
        lines += describe(authority.certificate)
        lines.append("key id:     \(authority.certificate.publicKey.keyID) (\(authority.certificate.publicKey.type))")
        lines.append("status:     \(authority.status(at: time))")
        if let note = authority.note { lines.append("note:       \(note)") }
        return lines
    }

    /// The certificate's own fields: who it names, who issued it, when it is valid, and its fingerprint.
    static func describe(_ certificate: X509Certificate) -> [String] {
        var lines = [
            "subject:    \(certificate.subject.isEmpty ? "(empty)" : certificate.subject)",
            "issuer:     \(certificate.issuer)", "serial:     \(certificate.serialNumberHex)",
            "valid:      \(RFC3339.format(certificate.notBefore)) to \(RFC3339.format(certificate.notAfter))",
            "fingerprint: sha256:\(certificate.fingerprintSHA256) (certificate DER)",
        ]
        if !certificate.subjectAlternativeNames.isEmpty {
            lines.insert(
                "names:      \(certificate.subjectAlternativeNames.map(\.description).joined(separator: ", "))",
                at: 1)
        }
        return lines
    }
}

/// `audit trust remove`.
struct TrustRemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Remove a key or CA root from trust.json and delete its file.",
        discussion: "To withdraw a key while keeping a record that it was trusted, use `audit trust revoke`.")

    @Argument(help: ArgumentHelp(
        "Key id or CA fingerprint (or a unique prefix of 8+ hex digits) or file name.", valueName: "key"))
    var selector: String

    @OptionGroup var trustOptions: TrustOptions

    func run() throws {
        print(TerminalText.escape(try TrustStoreEditor(directory: trustOptions.trust).remove(selector).summary))
    }
}

/// `audit trust revoke`.
struct TrustRevokeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke", abstract: "Mark a key or CA root revoked: it stays listed but verifies nothing.")

    @Argument(help: ArgumentHelp(
        "Key id or CA fingerprint (or a unique prefix of 8+ hex digits) or file name.", valueName: "key"))
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
        var counts = "\(store.keys.count) key(s), \(usable) usable now"
        if !store.certificateAuthorities.isEmpty {
            let usableRoots = store.certificateAuthorities.filter { $0.status(at: time).isValid }.count
            counts += ", \(store.certificateAuthorities.count) CA root(s), \(usableRoots) usable now"
        }
        print(TerminalText.escape("\(trustOptions.trust): valid — \(counts); trust.json sha256:" + store.indexSHA256))
    }
}

extension TrustRole: CaseArgument {}
