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
    /// SHA-256 (hex) of `trust.json`, so reports can say exactly which trust store they used.
    public let indexSHA256: String

    public init(directory: String, keys: [TrustedKey], indexSHA256: String = "") {
        self.directory = directory
        self.keys = keys.sorted { $0.keyID < $1.keyID }
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
    /// Every `*.pub`/`*.pem` file directly in the directory must be listed in `trust.json`, and every listed
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

    /// The key files a trust directory holds directly: every one must be listed in the index.
    private static func keyFileNames(in directory: String) -> Set<String> {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return Set(names.filter { $0.hasSuffix(".pub") || $0.hasSuffix(".pem") })
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
        if index.keys.isEmpty {
            problems.append(.init("\(indexPath) lists no keys; add one with `audit trust add`", pointer: "/keys"))
        }
        var loaded: [TrustedKey] = []
        var listedFiles: Set<String> = []
        var firstEntryForKey: [String: Int] = [:]
        for (position, entry) in index.keys.enumerated() {
            let pointer = "/keys/\(position)"
            func problem(_ message: String, _ member: String? = nil) {
                problems.append(.init(message, pointer: member.map { "\(pointer)/\($0)" } ?? pointer))
            }
            guard !entry.file.isEmpty, !entry.file.contains("/"), entry.file != ".", entry.file != ".." else {
                problem("file must be a plain file name inside the trust directory", "file")
                continue
            }
            if !listedFiles.insert(entry.file).inserted {
                problem("\(entry.file) is listed twice", "file")
                continue
            }
            let path = directory + "/" + entry.file
            let pem: [UInt8]
            do {
                pem = try InputFile.read(path, limit: 64 * 1024)
            } catch let error where error.kind == .missing {
                problem("\(entry.file) is listed but does not exist", "file")
                continue
            } catch {
                problem("\(error)", "file")
                continue
            }
            if String(decoding: pem, as: UTF8.self).contains("PRIVATE KEY") {
                problem("\(entry.file) holds a private key; a trust store holds public keys only", "file")
                continue
            }
            let publicKey: PublicKey
            do {
                publicKey = try PublicKey(pem: pem)
            } catch {
                problem("\(entry.file): \(error)", "file")
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
            if entry.owner.trimmingCharacters(in: .whitespaces).isEmpty {
                problem("owner must not be empty", "owner")
            }
            var roles: [TrustRole] = []
            for (roleIndex, name) in entry.roles.enumerated() {
                if let role = TrustRole(rawValue: name) {
                    roles.append(role)
                } else {
                    let known = TrustRole.allCases.map(\.rawValue).joined(separator: ", ")
                    problem("unknown role \"\(name)\" (one of \(known))", "roles/\(roleIndex)")
                }
            }
            if entry.roles.isEmpty { problem("a key needs at least one role", "roles") }
            var notBefore: Date?
            var notAfter: Date?
            if let text = entry.notBefore {
                notBefore = RFC3339.parse(text)
                if notBefore == nil { problem("notBefore \"\(text)\" is not an RFC 3339 date-time", "notBefore") }
            }
            if let text = entry.notAfter {
                notAfter = RFC3339.parse(text)
                if notAfter == nil { problem("notAfter \"\(text)\" is not an RFC 3339 date-time", "notAfter") }
            }
            if let notBefore, let notAfter, notAfter < notBefore {
                problem("notAfter is before notBefore", "notAfter")
            }
            loaded.append(
                TrustedKey(
                    publicKey: publicKey, file: entry.file, owner: entry.owner, roles: roles, scheme: scheme,
                    notBefore: notBefore, notAfter: notAfter, revoked: entry.revoked ?? false, note: entry.note))
        }
        for file in pemFiles.subtracting(listedFiles).sorted() {
            problems.append(.init("\(file) is in the trust directory but not listed in \(indexFileName)"))
        }
        guard problems.isEmpty else { throw TrustStoreError(problems) }
        return TrustStore(directory: directory, keys: loaded, indexSHA256: try Digests.sha256Hex(bytes))
    }
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
        if let reader = ObjectReader.make(value, pointer: "", log: log) {
            version = reader.integer("version", in: 0...Int(Int32.max))
            keys = reader.objects("keys") { entry in
                defer { entry.finish() }
                // `owner` and `file` may be read as blank here: the loader explains what a blank one means.
                let file = entry.text("file")
                let owner = entry.text("owner")
                let roles = entry.array("roles") { value, pointer -> String? in
                    guard case .string(let name) = value else {
                        log.add(pointer, "expected a string, found \(value.kindName)")
                        return nil
                    }
                    return name
                }
                let parsed = Entry(
                    file: file ?? "", keyid: entry.text("keyid", required: false), owner: owner ?? "",
                    roles: roles ?? [], scheme: entry.text("scheme", required: false),
                    notBefore: entry.text("notBefore", required: false),
                    notAfter: entry.text("notAfter", required: false),
                    revoked: entry.bool("revoked", required: false), note: entry.text("note", required: false))
                return file == nil || owner == nil || roles == nil ? nil : parsed
            }
            reader.finish()
        }
        guard log.problems.isEmpty, let version, let keys else {
            throw TrustStoreError(log.problems.map { .init($0.message, pointer: $0.pointer) })
        }
        return TrustIndex(version: version, keys: keys)
    }
}
