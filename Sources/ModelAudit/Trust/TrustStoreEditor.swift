import AuditCrypto
import Foundation

/// Edits a trust directory: creates it, adds, revokes and removes keys and CA roots, so nobody hand-edits
/// `trust.json`.
///
/// Every edit holds the index's lock (a second editor at the same time is refused, never merged silently), checks
/// the result exactly as `TrustStore.load` would, and only then replaces `trust.json` atomically (temporary file,
/// fsync, rename). A refused edit leaves the directory as it was.
public struct TrustStoreEditor: Sendable {
    public let directory: String
    /// How long an edit waits for another editor; by default not at all.
    public let lockTimeout: Duration

    public init(directory: String, lockTimeout: Duration = .zero) {
        self.directory = directory
        self.lockTimeout = lockTimeout
    }

    var indexPath: String { directory + "/" + TrustStore.indexFileName }

    /// What an edit changed, for the command to print.
    public struct Change: Sendable {
        public let summary: String
        /// The key the edit concerned, when there is one.
        public let keyID: String?
    }

    /// What `add` records about a key besides the key itself.
    public struct Entry: Sendable {
        public var owner: String
        public var roles: [TrustRole]
        public var scheme: SignatureScheme?
        public var notBefore: Date?
        public var notAfter: Date?
        public var note: String?

        public init(
            owner: String, roles: [TrustRole], scheme: SignatureScheme? = nil, notBefore: Date? = nil,
            notAfter: Date? = nil, note: String? = nil
        ) {
            self.owner = owner
            self.roles = roles
            self.scheme = scheme
            self.notBefore = notBefore
            self.notAfter = notAfter
            self.note = note
        }
    }

    /// Creates the directory (when missing) and an index with no keys; refuses to replace an existing index.
    public func initialize() throws -> Change {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw AtomicFile.WriteError(path: directory, reason: "cannot create the trust directory")
        }
        try AtomicFile.write(Self.encode(TrustIndex(version: 1, keys: [])), to: indexPath, overwrite: false)
        return Change(summary: "created \(indexPath) with no keys; add one with `audit trust add`", keyID: nil)
    }

    /// Copies a PEM public key, or a signer's X.509 certificate, into the directory as `fileName` and lists it with
    /// `entry`.
    ///
    /// A certificate is kept whole: its key signs, its subject names the holder and its validity bounds the key's. A
    /// CA certificate is refused here (it is added with `addCertificateAuthority`), as is one that has expired at
    /// `time`.
    /// `source` names the input in errors (by default `fileName`).
    public func add(
        publicKeyPEM pem: [UInt8], fileName: String, entry: Entry, at time: Date = Date(), source: String? = nil
    ) throws -> Change {
        let source = source ?? fileName
        let (key, certificate) = try TrustStore.publicKey(inFile: pem, named: source)
        if let certificate {
            try Self.refuseExpired(certificate, fileName: source, at: time)
        }
        let allowed = certificate == nil ? [".pub", ".pem"] : [".pem", ".crt"]
        return try edit { index in
            try checkNewFile(fileName, allowed: allowed, what: certificate == nil ? "key" : "certificate")
            if let existing = try index.keys.first(where: { try keyID(of: $0) == key.keyID }) {
                throw TrustStoreError([.init("\(key.keyID) is already listed as \(existing.file)")])
            }
            index.keys.append(
                TrustIndex.Entry(
                    file: fileName, keyid: key.keyID, owner: entry.owner, roles: entry.roles.map(\.rawValue),
                    scheme: entry.scheme?.rawValue, notBefore: entry.notBefore.map(RFC3339.format),
                    notAfter: entry.notAfter.map(RFC3339.format), revoked: nil, note: entry.note))
            let roles = entry.roles.map(\.rawValue).joined(separator: ", ")
            var summary = "added \(fileName) (\(key.keyID)): owner \"\(entry.owner)\", roles \(roles)"
            if let certificate {
                summary += "; certificate \(certificate.displayName), issued by \"\(certificate.issuer)\", valid "
                    + "\(RFC3339.format(certificate.notBefore)) to \(RFC3339.format(certificate.notAfter))"
            }
            let bytes = try certificate.map { Array($0.pem.utf8) } ?? Array(key.pem.utf8)
            return (Change(summary: summary, keyID: key.keyID), [(directory + "/" + fileName, bytes)], [])
        }
    }

    /// Copies a root CA certificate into the directory as `fileName` and lists it as a `ca` entry with `entry`
    /// (whose `scheme` must be empty): signing certificates that chain to it sign with its owner and roles.
    ///
    /// Refused: anything but one PEM certificate, a certificate that is not a CA or not self-signed (an intermediate
    /// is no trust anchor), one that has expired at `time`, and a root already listed.
    public func addCertificateAuthority(
        certificatePEM pem: [UInt8], fileName: String, entry: Entry, at time: Date = Date(), source: String? = nil
    ) throws -> Change {
        let source = source ?? fileName
        let text = String(decoding: pem, as: UTF8.self)
        if text.contains("PRIVATE KEY") {
            throw TrustFileError("\(source) holds a private key; give the CA's certificate")
        }
        if !text.contains("-----BEGIN CERTIFICATE-----") && text.contains("-----BEGIN PUBLIC KEY-----") {
            throw TrustFileError("\(source) is a public key, not a CA certificate; add a key without --ca")
        }
        let certificate = try TrustStore.singleCertificate(pem, named: source)
        try TrustStore.checkRoot(certificate, named: source)
        try Self.refuseExpired(certificate, fileName: source, at: time)
        if entry.scheme != nil {
            throw TrustFileError("a CA root has no signature scheme; leave out --scheme")
        }
        let fingerprint = "sha256:" + certificate.fingerprintSHA256
        return try edit { index in
            try checkNewFile(fileName, allowed: [".pem", ".crt"], what: "certificate")
            if let existing = index.ca.first(where: { $0.fingerprint == fingerprint }) {
                throw TrustStoreError([.init("\(fingerprint) is already listed as \(existing.file)")])
            }
            index.ca.append(
                TrustIndex.CAEntry(
                    file: fileName, fingerprint: fingerprint, owner: entry.owner, roles: entry.roles.map(\.rawValue),
                    notBefore: entry.notBefore.map(RFC3339.format), notAfter: entry.notAfter.map(RFC3339.format),
                    revoked: nil, note: entry.note))
            let roles = entry.roles.map(\.rawValue).joined(separator: ", ")
            let summary = "added CA root \(fileName) (\(fingerprint)): \(certificate.displayName), owner "
                + "\"\(entry.owner)\", roles \(roles), valid \(RFC3339.format(certificate.notBefore)) to "
                + RFC3339.format(certificate.notAfter)
            return (
                Change(summary: summary, keyID: fingerprint), [(directory + "/" + fileName, Array(certificate.pem.utf8))],
                []
            )
        }
    }

    /// A certificate that has already expired vouches for nothing, so adding it is a mistake worth stopping.
    private static func refuseExpired(_ certificate: X509Certificate, fileName: String, at time: Date) throws {
        if time > certificate.notAfter {
            throw TrustFileError(
                "\(fileName): \(certificate.displayName) expired at \(RFC3339.format(certificate.notAfter)); an "
                    + "expired certificate verifies nothing")
        }
    }

    /// A new file must have a plain name with one of the `allowed` endings and must not exist yet.
    private func checkNewFile(_ fileName: String, allowed: [String], what: String) throws {
        guard TrustStore.isPlainFileName(fileName), allowed.contains(where: { fileName.hasSuffix($0) }) else {
            let endings = allowed.map { "*\($0)" }.joined(separator: " or ")
            throw TrustStoreError([.init("the \(what)'s file name \"\(fileName)\" must be a plain \(endings) name")])
        }
        let path = directory + "/" + fileName
        if FileManager.default.fileExists(atPath: path) {
            throw TrustStoreError([.init("\(path) already exists; choose another name with --name")])
        }
    }

    /// Marks a key or CA root revoked: it stays listed, so results say it is revoked, but verifies nothing.
    public func revoke(_ selector: String, note: String? = nil) throws -> Change {
        try edit { index in
            switch try find(selector, in: index) {
            case .key(let position):
                let id = try keyID(of: index.keys[position])
                if index.keys[position].revoked == true {
                    throw TrustStoreError([.init("\(index.keys[position].file) (\(id)) is already revoked")])
                }
                index.keys[position].revoked = true
                if let note { index.keys[position].note = note }
                return (Change(summary: "revoked \(index.keys[position].file) (\(id))", keyID: id), [], [])
            case .authority(let position):
                let id = try fingerprint(of: index.ca[position])
                if index.ca[position].revoked == true {
                    throw TrustStoreError([.init("CA root \(index.ca[position].file) (\(id)) is already revoked")])
                }
                index.ca[position].revoked = true
                if let note { index.ca[position].note = note }
                return (Change(summary: "revoked CA root \(index.ca[position].file) (\(id))", keyID: id), [], [])
            }
        }
    }

    /// Removes a key or CA root from the index and deletes its file (the loader refuses a file the index does not
    /// list).
    public func remove(_ selector: String) throws -> Change {
        try edit { index in
            switch try find(selector, in: index) {
            case .key(let position):
                let id = try keyID(of: index.keys[position])
                let removed = index.keys.remove(at: position)
                let summary = Change(summary: "removed \(removed.file) (\(id)), owner \"\(removed.owner)\"", keyID: id)
                return (summary, [], [directory + "/" + removed.file])
            case .authority(let position):
                let id = try fingerprint(of: index.ca[position])
                let removed = index.ca.remove(at: position)
                let summary = Change(
                    summary: "removed CA root \(removed.file) (\(id)), owner \"\(removed.owner)\"", keyID: id)
                return (summary, [], [directory + "/" + removed.file])
            }
        }
    }

    // MARK: - Editing

    /// Reads the index under its lock, lets `change` edit it (returning key files to add and to remove), applies the
    /// file changes, validates the result as the loader would, and replaces the index. When anything fails, added
    /// files are deleted and removed ones put back, so the directory is as it was.
    private func edit(
        _ change: (inout TrustIndex) throws -> (Change, [(path: String, bytes: [UInt8])], [String])
    ) throws -> Change {
        guard FileManager.default.fileExists(atPath: indexPath) else {
            throw TrustStoreError([
                .init("\(indexPath) does not exist; create the trust store with `audit trust init --trust \(directory)`")
            ])
        }
        let lock = try FileLock.acquire(for: indexPath, timeout: lockTimeout)
        defer { lock.release() }
        let before = try InputFile.read(indexPath, limit: TrustStore.maxIndexBytes)
        var index = try TrustIndex.read(before, path: indexPath)
        let (summary, added, removed) = try change(&index)
        var written: [String] = []
        var setAside: [(path: String, aside: String)] = []
        do {
            for file in added {
                try AtomicFile.write(file.bytes, to: file.path, mode: 0o644, overwrite: false)
                written.append(file.path)
            }
            for path in removed {
                let aside = "\(path).removing-\(getpid())"
                guard rename(path, aside) == 0 || errno == ENOENT else {
                    throw AtomicFile.WriteError(path: path, reason: String(cString: strerror(errno)))
                }
                setAside.append((path, aside))
            }
            let after = try Self.encode(index)
            // The editor may leave a store with no keys and no CA roots (as `init` does); anything else must load.
            if !index.keys.isEmpty || !index.ca.isEmpty {
                _ = try TrustStore.load(index: after, directory: directory)
            }
            try AtomicFile.write(after, to: indexPath)
        } catch {
            for path in written { try? FileManager.default.removeItem(atPath: path) }
            for file in setAside { _ = rename(file.aside, file.path) }
            throw error
        }
        for file in setAside { try? FileManager.default.removeItem(atPath: file.aside) }
        return summary
    }

    /// Where a selector points: a key entry or a `ca` entry, by position.
    private enum Listed {
        case key(Int)
        case authority(Int)
    }

    /// The entry a selector names: a key id or CA fingerprint (`sha256:…`, or a unique prefix of its hex of at least 8
    /// digits) or the entry's file name.
    private func find(_ selector: String, in index: TrustIndex) throws -> Listed {
        let hex = selector.hasPrefix("sha256:") ? String(selector.dropFirst(7)) : selector
        func matches(_ id: String) -> Bool {
            id == selector || (hex.count >= 8 && id.dropFirst(7).hasPrefix(hex.lowercased()))
        }
        var found: [Listed] = []
        for (position, entry) in index.keys.enumerated() {
            if entry.file == selector { return .key(position) }
            if matches(try keyID(of: entry)) { found.append(.key(position)) }
        }
        for (position, entry) in index.ca.enumerated() {
            if entry.file == selector { return .authority(position) }
            if matches(try fingerprint(of: entry)) { found.append(.authority(position)) }
        }
        guard found.count == 1, let only = found.first else {
            let what = found.isEmpty ? "no entry" : "\(found.count) entries"
            throw TrustStoreError([
                .init("\(what) in \(indexPath) match \"\(selector)\"; name a key or CA root by its file, its full key id "
                    + "or fingerprint (`audit trust list --trust \(directory)`)")
            ])
        }
        return only
    }

    /// The id of a listed key: its pin, or derived from its file (a public key or a certificate).
    private func keyID(of entry: TrustIndex.Entry) throws -> String {
        if let pinned = entry.keyid { return pinned }
        let pem = try InputFile.read(directory + "/" + entry.file, limit: 64 * 1024)
        return try TrustStore.publicKey(inFile: pem, named: entry.file).0.keyID
    }

    /// The fingerprint of a listed CA root: its pin, or derived from its certificate.
    private func fingerprint(of entry: TrustIndex.CAEntry) throws -> String {
        if let pinned = entry.fingerprint { return pinned }
        let pem = try InputFile.read(directory + "/" + entry.file, limit: 64 * 1024)
        return "sha256:" + (try TrustStore.singleCertificate(pem, named: entry.file)).fingerprintSHA256
    }

    /// `trust.json` as the editor writes it: pretty JSON, members in the documented order, one newline at the end.
    static func encode(_ index: TrustIndex) throws -> [UInt8] {
        let keys = try index.keys.map { entry -> JSONValue in
            var members: [(key: String, value: JSONValue)] = [("file", .string(entry.file))]
            if let keyid = entry.keyid { members.append(("keyid", .string(keyid))) }
            members.append(("owner", .string(entry.owner)))
            members.append(("roles", .array(entry.roles.map(JSONValue.string))))
            if let scheme = entry.scheme { members.append(("scheme", .string(scheme))) }
            if let notBefore = entry.notBefore { members.append(("notBefore", .string(notBefore))) }
            if let notAfter = entry.notAfter { members.append(("notAfter", .string(notAfter))) }
            if let revoked = entry.revoked { members.append(("revoked", .bool(revoked))) }
            if let note = entry.note { members.append(("note", .string(note))) }
            return .object(try JSONObject(members))
        }
        var members: [(key: String, value: JSONValue)] = [
            ("version", .number(JSONNumber(index.version))), ("keys", .array(keys)),
        ]
        if !index.ca.isEmpty {
            let authorities = try index.ca.map { entry -> JSONValue in
                var members: [(key: String, value: JSONValue)] = [("file", .string(entry.file))]
                if let fingerprint = entry.fingerprint { members.append(("fingerprint", .string(fingerprint))) }
                members.append(("owner", .string(entry.owner)))
                members.append(("roles", .array(entry.roles.map(JSONValue.string))))
                if let notBefore = entry.notBefore { members.append(("notBefore", .string(notBefore))) }
                if let notAfter = entry.notAfter { members.append(("notAfter", .string(notAfter))) }
                if let revoked = entry.revoked { members.append(("revoked", .bool(revoked))) }
                if let note = entry.note { members.append(("note", .string(note))) }
                return .object(try JSONObject(members))
            }
            members.append(("ca", .array(authorities)))
        }
        let document = JSONValue.object(try JSONObject(members))
        return JSONText.terminalSafe(JSONWriter.write(document))
    }
}
