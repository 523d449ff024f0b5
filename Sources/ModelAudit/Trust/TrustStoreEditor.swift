import AuditCrypto
import Foundation

/// Edits a trust directory: creates it, adds, revokes and removes keys, so nobody hand-edits `trust.json`.
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

    /// Copies a PEM public key into the directory as `fileName` and lists it with `entry`.
    public func add(publicKeyPEM pem: [UInt8], fileName: String, entry: Entry) throws -> Change {
        let key = try PublicKey(pem: pem)
        return try edit { index in
            guard !fileName.isEmpty, !fileName.contains("/"), fileName.hasSuffix(".pub") || fileName.hasSuffix(".pem")
            else {
                throw TrustStoreError([.init("the key's file name \"\(fileName)\" must be a plain *.pub or *.pem name")])
            }
            if let existing = try index.keys.first(where: { try keyID(of: $0) == key.keyID }) {
                throw TrustStoreError([.init("\(key.keyID) is already listed as \(existing.file)")])
            }
            let keyPath = directory + "/" + fileName
            if FileManager.default.fileExists(atPath: keyPath) {
                throw TrustStoreError([.init("\(keyPath) already exists; choose another name with --name")])
            }
            index.keys.append(
                TrustIndex.Entry(
                    file: fileName, keyid: key.keyID, owner: entry.owner, roles: entry.roles.map(\.rawValue),
                    scheme: entry.scheme?.rawValue, notBefore: entry.notBefore.map(RFC3339.format),
                    notAfter: entry.notAfter.map(RFC3339.format), revoked: nil, note: entry.note))
            let roles = entry.roles.map(\.rawValue).joined(separator: ", ")
            return (
                Change(summary: "added \(fileName) (\(key.keyID)): owner \"\(entry.owner)\", roles \(roles)",
                    keyID: key.keyID),
                [(keyPath, Array(try key.pem.utf8))], []
            )
        }
    }

    /// Marks a key revoked: it stays listed, so results say it is revoked, but verifies nothing.
    public func revoke(_ selector: String, note: String? = nil) throws -> Change {
        try edit { index in
            let position = try find(selector, in: index)
            let id = try keyID(of: index.keys[position])
            if index.keys[position].revoked == true {
                throw TrustStoreError([.init("\(index.keys[position].file) (\(id)) is already revoked")])
            }
            index.keys[position].revoked = true
            if let note { index.keys[position].note = note }
            return (Change(summary: "revoked \(index.keys[position].file) (\(id))", keyID: id), [], [])
        }
    }

    /// Removes a key from the index and deletes its file (the loader refuses a key file the index does not list).
    public func remove(_ selector: String) throws -> Change {
        try edit { index in
            let position = try find(selector, in: index)
            let id = try keyID(of: index.keys[position])
            let removed = index.keys.remove(at: position)
            let summary = Change(summary: "removed \(removed.file) (\(id)), owner \"\(removed.owner)\"", keyID: id)
            return (summary, [], [directory + "/" + removed.file])
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
            // The editor may leave a store with no keys (as `init` does); anything else must load.
            if !index.keys.isEmpty {
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

    /// The entry a selector names: a key id (`sha256:…`, or a unique prefix of its hex of at least 8 digits) or the
    /// key's file name.
    private func find(_ selector: String, in index: TrustIndex) throws -> Int {
        let hex = selector.hasPrefix("sha256:") ? String(selector.dropFirst(7)) : selector
        var matches: [Int] = []
        for (position, entry) in index.keys.enumerated() {
            if entry.file == selector {
                return position
            }
            let id = try keyID(of: entry)
            if id == selector || (hex.count >= 8 && id.dropFirst(7).hasPrefix(hex.lowercased())) {
                matches.append(position)
            }
        }
        guard matches.count == 1 else {
            let what = matches.isEmpty ? "no key" : "\(matches.count) keys"
            throw TrustStoreError([
                .init("\(what) in \(indexPath) match \"\(selector)\"; name a key by its file or its full key id "
                    + "(`audit trust list --trust \(directory)`)")
            ])
        }
        return matches[0]
    }

    /// The id of a listed key: its pin, or derived from its file.
    private func keyID(of entry: TrustIndex.Entry) throws -> String {
        if let pinned = entry.keyid { return pinned }
        let pem = try InputFile.read(directory + "/" + entry.file, limit: 64 * 1024)
        return try PublicKey(pem: pem).keyID
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
        let document = JSONValue.object(
            try JSONObject([("version", .number(JSONNumber(index.version))), ("keys", .array(keys))]))
        return JSONText.terminalSafe(JSONWriter.write(document))
    }
}
