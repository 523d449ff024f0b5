import AuditCrypto
import Foundation

/// The organisation's trusted public keys: a directory of PEM files described by a `trust.json` index.
///
/// Loading is all-or-nothing and lists every problem, so a half-read trust store can never verify anything.
public struct TrustStore: Sendable {
    /// The index file inside a trust directory.
    public static let indexFileName = "trust.json"
    public static let maxIndexBytes = 1 << 20

    public let directory: String
    public let keys: [TrustedKey]
    /// Root CAs that certificate-signed bundles may chain to (the `ca` entries), in fingerprint order.
    public let certificateAuthorities: [TrustedCA]
    /// SHA-256 (hex) of `trust.json`, so reports can say exactly which trust store they used.
    public let indexSHA256: String

    public init(
        directory: String, keys: [TrustedKey], certificateAuthorities: [TrustedCA] = [], indexSHA256: String = ""
    ) {
        self.directory = directory
        self.keys = keys.sorted { $0.keyID < $1.keyID }
        self.certificateAuthorities = certificateAuthorities.sorted { $0.fingerprint < $1.fingerprint }
        self.indexSHA256 = indexSHA256
    }

    /// The trust store as reports record it.
    public var info: TrustStoreInfo {
        TrustStoreInfo(
            directory: directory, sha256: indexSHA256, keys: keys.map(\.keyID),
            entries: keys.map { key in
                TrustStoreEntry(
                    keyID: key.keyID, file: key.file, owner: key.owner, roles: key.roles.map(\.rawValue),
                    notBefore: key.notBefore.map(RFC3339.format), notAfter: key.notAfter.map(RFC3339.format),
                    revoked: key.revoked)
            })
    }

    public func key(withID keyID: String) -> TrustedKey? {
        keys.first { $0.keyID == keyID }
    }

    /// Loads and validates a trust directory.
    ///
    /// Every `*.pub`/`*.pem`/`*.crt` file directly in the directory must be listed in `trust.json`, and every listed
    /// file must exist; subdirectories are not read.
    public static func load(directory: String) throws -> TrustStore {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            throw TrustStoreError([
                .init("trust directory \(directory) does not exist; name yours with --trust DIR, or create one with "
                    + "`audit trust init --trust \(directory)` and `audit trust add`")
            ])
        }
        guard isDirectory.boolValue else {
            throw TrustStoreError([.init("trust directory \(directory) is not a directory")])
        }
        let indexPath = directory + "/" + indexFileName
        let pemFiles = keyFileNames(in: directory)
        guard FileManager.default.fileExists(atPath: indexPath) else {
            if pemFiles.isEmpty {
                throw TrustStoreError([
                    .init("trust directory \(directory) is empty (no \(indexFileName), no keys); create it with "
                        + "`audit trust init --trust \(directory)`")
                ])
            }
            throw TrustStoreError([.init("\(indexPath) is missing; it lists each key's owner and roles")])
        }
        let bytes: [UInt8]
        do {
            bytes = try InputFile.read(indexPath, limit: maxIndexBytes)
        } catch {
            throw TrustStoreError([.init("\(error)")])
        }
        return try load(index: bytes, directory: directory)
    }

    /// The key and certificate files a trust directory holds directly: every one must be listed in the index.
    private static func keyFileNames(in directory: String) -> Set<String> {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return Set(names.filter { $0.hasSuffix(".pub") || $0.hasSuffix(".pem") || $0.hasSuffix(".crt") })
    }

    /// The public key a key entry's file holds: a PEM public key, or an X.509 certificate (one, not a CA) whose key is
    /// used and which is kept for its subject and validity.
    public static func publicKey(inFile pem: [UInt8], named file: String) throws -> (PublicKey, X509Certificate?) {
        if PEMText.contains("PRIVATE KEY", in: pem) {
            throw TrustFileError("\(file) holds a private key; a trust store holds public keys only")
        }
        guard PEMText.contains("-----BEGIN CERTIFICATE-----", in: pem) else {
            do {
                return (try PublicKey(pem: pem), nil)
            } catch {
                throw TrustFileError("\(file): \(error)")
            }
        }
        let certificate = try singleCertificate(pem, named: file)
        if certificate.isCA {
            throw TrustFileError(
                "\(file) is a CA certificate (\(certificate.displayName)), not a signer's; list it as a CA root "
                    + "(`audit trust add --ca`) to trust the certificates it issues")
        }
        return (certificate.publicKey, certificate)
    }

    /// The one certificate a PEM file holds; a file with none or several is refused, so an entry means one thing.
    static func singleCertificate(_ pem: [UInt8], named file: String) throws -> X509Certificate {
        let certificates: [X509Certificate]
        do {
            certificates = try X509Certificate.certificates(pem: pem)
        } catch {
            throw TrustFileError("\(file): \(error)")
        }
        guard certificates.count == 1, let certificate = certificates.first else {
            throw TrustFileError(
                "\(file) holds \(certificates.count) certificates; give each certificate its own entry")
        }
        return certificate
    }

    /// Checks that a certificate can be a trust anchor: a self-signed CA. An intermediate is refused here so that a
    /// chain ending at it can never look trusted, whatever the path validator is told.
    public static func checkRoot(_ certificate: X509Certificate, named file: String) throws {
        guard certificate.isCA else {
            throw TrustFileError(
                "\(file) is not a CA certificate (its basic constraints do not say CA:TRUE): "
                    + "\(certificate.displayName); add a signer's certificate without --ca")
        }
        guard certificate.subject == certificate.issuer, certificate.isIssued(by: certificate) else {
            throw TrustFileError(
                "\(file) is not a root: \(certificate.displayName) is issued by \"\(certificate.issuer)\"; list "
                    + "the self-signed root it chains to instead (an intermediate is no trust anchor; bundles carry it "
                    + "in their chain, or give it with --ca-intermediates)")
        }
    }

    /// Validates the contents of a `trust.json` index already in memory, reading the key files it lists from
    /// `directory`, with exactly the checks `load(directory:)` applies (it reads the index, then calls this).
    public static func load(index bytes: [UInt8], directory: String) throws -> TrustStore {
        let indexPath = directory + "/" + indexFileName
        let pemFiles = keyFileNames(in: directory)
        guard bytes.count <= maxIndexBytes else {
            throw TrustStoreError([.init("\(indexPath) is larger than the \(maxIndexBytes)-byte limit")])
        }
        let index = try TrustIndex.read(bytes, path: indexPath)
        var problems: [TrustStoreError.Problem] = []
        if index.version != 1 {
            problems.append(.init("unsupported trust index version \(index.version) (expected 1)", pointer: "/version"))
        }
        if index.keys.isEmpty && index.ca.isEmpty {
            problems.append(
                .init("\(indexPath) lists no keys and no CA roots; add one with `audit trust add`", pointer: "/keys"))
        }
        /// A listed file's bytes, or `nil` after reporting why it cannot be read.
        func readListed(_ file: String, _ problem: (String) -> Void) -> [UInt8]? {
            do {
                return try InputFile.read(directory + "/" + file, limit: 64 * 1024)
            } catch let error where error.kind == .missing {
                problem("\(file) is listed but does not exist")
            } catch {
                problem("\(error)")
            }
            return nil
        }
        var loaded: [TrustedKey] = []
        var listedFiles: Set<String> = []
        /// An entry's file: a plain name inside the trust directory, listed once, then read.
        func readEntryFile(_ file: String, _ problem: (String, String?) -> Void) -> [UInt8]? {
            guard isPlainFileName(file) else {
                problem("file must be a plain file name inside the trust directory", "file")
                return nil
            }
            if !listedFiles.insert(file).inserted {
                problem("\(file) is listed twice", "file")
                return nil
            }
            return readListed(file, { problem($0, "file") })
        }
        var firstEntryForKey: [String: Int] = [:]
        for (position, entry) in index.keys.enumerated() {
            let pointer = "/keys/\(position)"
            func problem(_ message: String, _ member: String? = nil) {
                problems.append(.init(message, pointer: member.map { "\(pointer)/\($0)" } ?? pointer))
            }
            guard let pem = readEntryFile(entry.file, problem) else { continue }
            let publicKey: PublicKey
            let certificate: X509Certificate?
            do {
                (publicKey, certificate) = try Self.publicKey(inFile: pem, named: entry.file)
            } catch let error as TrustFileError {
                problem(error.message, "file")
                continue
            }
            if let pinned = entry.keyid, pinned != publicKey.keyID {
                problem("keyid \(pinned) does not match the key in \(entry.file) (\(publicKey.keyID))", "keyid")
            }
            if let earlier = firstEntryForKey[publicKey.keyID] {
                problem("\(entry.file) is the same key as \(index.keys[earlier].file) (\(publicKey.keyID))", "file")
                continue
            }
            firstEntryForKey[publicKey.keyID] = position
            let scheme: SignatureScheme
            if let declared = entry.scheme {
                guard let parsed = SignatureScheme(rawValue: declared) else {
                    let known = SignatureScheme.allCases.map(\.rawValue).joined(separator: ", ")
                    problem("unknown scheme \"\(declared)\" (one of \(known))", "scheme")
                    continue
                }
                guard publicKey.type.compatibleSchemes.contains(parsed) else {
                    problem("scheme \(parsed.rawValue) does not fit the \(publicKey.type) key in \(entry.file)", "scheme")
                    continue
                }
                scheme = parsed
            } else if let implied = publicKey.type.impliedScheme {
                scheme = implied
            } else {
                problem("\(entry.file) is an RSA key: say which scheme it signs with (rsa-pss-sha256 or "
                    + "rsa-pkcs1v15-sha256)", "scheme")
                continue
            }
            if entry.owner.allSatisfy({ $0.isWhitespace }) {
                problem("owner must not be empty", "owner")
            }
            let roles = readRoles(entry.roles, what: "a key", problem)
            let (notBefore, notAfter) = readWindow(entry.notBefore, entry.notAfter, problem)
            loaded.append(
                TrustedKey(
                    publicKey: publicKey, file: entry.file, owner: entry.owner, roles: roles, scheme: scheme,
                    notBefore: notBefore, notAfter: notAfter, revoked: entry.revoked ?? false, note: entry.note,
                    certificate: certificate))
        }
        var authorities: [TrustedCA] = []
        var firstEntryForRoot: [String: Int] = [:]
        for (position, entry) in index.ca.enumerated() {
            let pointer = "/ca/\(position)"
            func problem(_ message: String, _ member: String? = nil) {
                problems.append(.init(message, pointer: member.map { "\(pointer)/\($0)" } ?? pointer))
            }
            guard let pem = readEntryFile(entry.file, problem) else { continue }
            let certificate: X509Certificate
            do {
                if String(decoding: pem, as: UTF8.self).contains("PRIVATE KEY") {
                    throw TrustFileError("\(entry.file) holds a private key; a trust store holds certificates, not "
                        + "private keys")
                }
                certificate = try singleCertificate(pem, named: entry.file)
                try checkRoot(certificate, named: entry.file)
            } catch let error as TrustFileError {
                problem(error.message, "file")
                continue
            }
            let fingerprint = "sha256:" + certificate.fingerprintSHA256
            if let pinned = entry.fingerprint, pinned != fingerprint {
                problem("fingerprint \(pinned) does not match the certificate in \(entry.file) (\(fingerprint))",
                    "fingerprint")
            }
            if let earlier = firstEntryForRoot[fingerprint] {
                problem("\(entry.file) is the same certificate as \(index.ca[earlier].file) (\(fingerprint))", "file")
                continue
            }
            firstEntryForRoot[fingerprint] = position
            if entry.owner.allSatisfy({ $0.isWhitespace }) {
                problem("owner must not be empty", "owner")
            }
            let roles = readRoles(entry.roles, what: "a CA root", problem)
            let (notBefore, notAfter) = readWindow(entry.notBefore, entry.notAfter, problem)
            authorities.append(
                TrustedCA(
                    certificate: certificate, file: entry.file, owner: entry.owner, roles: roles, notBefore: notBefore,
                    notAfter: notAfter, revoked: entry.revoked ?? false, note: entry.note))
        }
        for file in pemFiles.subtracting(listedFiles).sorted() {
            problems.append(.init("\(file) is in the trust directory but not listed in \(indexFileName)"))
        }
        guard problems.isEmpty else { throw TrustStoreError(problems) }
        return TrustStore(
            directory: directory, keys: loaded, certificateAuthorities: authorities,
            indexSHA256: try Digests.sha256Hex(bytes))
    }

    /// A name directly inside the trust directory: not empty, no `/`, not `.` or `..`.
    static func isPlainFileName(_ name: String) -> Bool {
        !name.isEmpty && !name.contains("/") && name != "." && name != ".."
    }

    /// The entry's roles; an unknown one is a problem at its index, and an entry needs at least one.
    private static func readRoles(
        _ names: [String], what: String, _ problem: (String, String?) -> Void
    ) -> [TrustRole] {
        var roles: [TrustRole] = []
        for (roleIndex, name) in names.enumerated() {
            if let role = TrustRole(rawValue: name) {
                roles.append(role)
            } else {
                let known = TrustRole.allCases.map(\.rawValue).joined(separator: ", ")
                problem("unknown role \"\(name)\" (one of \(known))", "roles/\(roleIndex)")
            }
        }
        if names.isEmpty { problem("\(what) needs at least one role", "roles") }
        return roles
    }

    /// The entry's validity window, each end an RFC 3339 date-time, the end not before the start.
    private static func readWindow(
        _ start: String?, _ end: String?, _ problem: (String, String?) -> Void
    ) -> (Date?, Date?) {
        var notBefore: Date?
        var notAfter: Date?
        if let start {
            notBefore = RFC3339.parse(start)
            if notBefore == nil { problem("notBefore \"\(start)\" is not an RFC 3339 date-time", "notBefore") }
        }
        if let end {
            notAfter = RFC3339.parse(end)
            if notAfter == nil { problem("notAfter \"\(end)\" is not an RFC 3339 date-time", "notAfter") }
        }
        if let notBefore, let notAfter, notAfter < notBefore {
            problem("notAfter is before notBefore", "notAfter")
        }
        return (notBefore, notAfter)
    }
}

/// Why a key or certificate file cannot be in a trust store: not PEM, a private key, the wrong kind of certificate.
///
/// The loader reports it at the entry's `file` pointer; `audit trust add` reports it for the file it was given.
public struct TrustFileError: AuditError {
    public var code: AuditErrorCode { .malformedInput }
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// Every problem found while loading a trust store.
public struct TrustStoreError: AuditError {
    public var code: AuditErrorCode { .invalidTrustStore }
    public var jsonPointer: String? { problems.first?.pointer ?? nil }

    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public let message: String
        /// JSON pointer into `trust.json`, when the problem is in an entry.
        public let pointer: String?

        public init(_ message: String, pointer: String? = nil) {
            self.message = message
            self.pointer = pointer
        }

        public var description: String {
            guard let pointer else { return message }
            return "\(TrustStore.indexFileName)\(pointer): \(message)"
        }
    }

    public let problems: [Problem]

    public init(_ problems: [Problem]) {
        self.problems = problems
    }

    public var description: String {
        if problems.count == 1 { return "invalid trust store: \(problems[0])" }
        return "invalid trust store (\(problems.count) problems):\n"
            + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}

/// The `trust.json` document, read member by member: a wrong type, a missing or an unknown member is a problem at
/// its JSON pointer, and every such problem is reported at once.
struct TrustIndex {
    var version: Int
    var keys: [Entry]
    /// The `ca` entries; an index without the member has none, and the editor leaves it out when there are none.
    var ca: [CAEntry] = []

    struct Entry {
        var file: String
        var keyid: String?
        var owner: String
        var roles: [String]
        var scheme: String?
        var notBefore: String?
        var notAfter: String?
        var revoked: Bool?
        var note: String?
    }

    /// A root CA: its certificate's file, a fingerprint pin, and the same owner, roles and validity as a key.
    struct CAEntry {
        var file: String
        var fingerprint: String?
        var owner: String
        var roles: [String]
        var notBefore: String?
        var notAfter: String?
        var revoked: Bool?
        var note: String?
    }

    static func read(_ bytes: [UInt8], path: String) throws -> TrustIndex {
        let value: JSONValue
        do {
            value = try StrictJSON.parse(bytes)
        } catch {
            throw TrustStoreError([.init("\(path): \(error)")])
        }
        let log = ProblemLog()
        var version: Int?
        var keys: [Entry]?
        var authorities: [CAEntry]?
        if let reader = ObjectReader.make(value, pointer: "", log: log) {
            version = reader.integer("version", in: 0...Int(Int32.max))
            keys = reader.objects("keys") { entry in
                defer { entry.finish() }
                // `owner` and `file` may be read as blank here: the loader explains what a blank one means.
                let file = entry.text("file")
                let owner = entry.text("owner")
                let roles = readRoleNames(entry, log: log)
                let parsed = Entry(
                    file: file ?? "", keyid: entry.text("keyid", required: false), owner: owner ?? "",
                    roles: roles ?? [], scheme: entry.text("scheme", required: false),
                    notBefore: entry.text("notBefore", required: false),
                    notAfter: entry.text("notAfter", required: false),
                    revoked: entry.bool("revoked", required: false), note: entry.text("note", required: false))
                return file == nil || owner == nil || roles == nil ? nil : parsed
            }
            authorities = reader.objects("ca", required: false) { entry in
                defer { entry.finish() }
                let file = entry.text("file")
                let owner = entry.text("owner")
                let roles = readRoleNames(entry, log: log)
                let parsed = CAEntry(
                    file: file ?? "", fingerprint: entry.text("fingerprint", required: false), owner: owner ?? "",
                    roles: roles ?? [], notBefore: entry.text("notBefore", required: false),
                    notAfter: entry.text("notAfter", required: false),
                    revoked: entry.bool("revoked", required: false), note: entry.text("note", required: false))
                return file == nil || owner == nil || roles == nil ? nil : parsed
            }
            reader.finish()
        }
        guard log.problems.isEmpty, let version, let keys else {
            throw TrustStoreError(log.problems.map { .init($0.message, pointer: $0.pointer) })
        }
        return TrustIndex(version: version, keys: keys, ca: authorities ?? [])
    }

    /// An entry's `roles`: an array of strings (the loader says which names are unknown).
    private static func readRoleNames(_ entry: ObjectReader, log: ProblemLog) -> [String]? {
        entry.array("roles") { value, pointer -> String? in
            guard case .string(let name) = value else {
                log.add(pointer, "expected a string, found \(value.kindName)")
                return nil
            }
            return name
        }
    }
}
