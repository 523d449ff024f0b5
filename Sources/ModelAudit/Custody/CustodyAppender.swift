import AuditCrypto
import Foundation

/// Builds and signs the next custody record of a model and appends it to its bundle.
public struct CustodyAppender {
    /// What the custodian states about the hop.
    public struct Hop {
        public var action: CustodyAction
        public var actor: LegalEntity
        public var country: String
        public var location: String?
        /// When the hop took place; `nil` means the moment the record is signed, taken under the bundle's lock so
        /// that concurrent appenders never write a time earlier than the record they extend.
        public var time: Date?
        public var note: String?
        /// For a transformation: the files after it.
        public var newSubject: [Subject]?

        public init(
            action: CustodyAction, actor: LegalEntity, country: String, location: String? = nil, time: Date?,
            note: String? = nil, newSubject: [Subject]? = nil
        ) {
            self.action = action
            self.actor = actor
            self.country = country
            self.location = location
            self.time = time
            self.note = note
            self.newSubject = newSubject
        }
    }

    /// The record a new hop extends: the bundle's last line, or the manifest for the first hop.
    private struct Tip {
        var existing: [UInt8]
        var previous: String
        var subject: [Subject]
        var time: Date?
    }

    /// Appends a signed record for `hop` after the bundle's last line (or the manifest, for the first hop).
    ///
    /// The manifest is read first; then, holding the bundle's `FileLock` (waiting at most `lockTimeout`):
    /// 1. temporary files left by a writer that was killed are removed;
    /// 2. the bundle is read and its last record — the current tip — checked: a custody record of this manifest
    ///    whose time is not after the new hop's;
    /// 3. the record naming the tip's digest is built and signed;
    /// 4. the bundle plus the new line is written with `AtomicFile` (write, fsync, rename, fsync directory).
    /// A concurrent appender therefore always extends the line written before it, and nothing is reported as
    /// appended unless it is on disk.
    ///
    /// - Returns: the new record's digest.
    @discardableResult
    public static func append(
        _ hop: Hop, manifestPath: String, bundlePath: String, key: PrivateKey,
        lockTimeout: Duration = FileLock.defaultTimeout
    ) throws -> String {
        let manifestBytes = try InputFile.read(manifestPath, limit: JSONLimits.default.maxBytes)
        let manifestDigest = try Digests.sha256Hex(manifestBytes)
        let envelope = try DSSEEnvelope.decode(manifestBytes)
        guard let manifest = try ManifestPayload.statement(in: envelope) else {
            throw EnvelopeError("\(manifestPath) does not carry a provenance manifest")
        }
        if hop.action.transformsArtifacts && hop.newSubject == nil {
            throw EnvelopeError("\(hop.action.rawValue) changes the files: give the model directory after it")
        }
        return try FileLock.withExclusiveLock(on: bundlePath, timeout: lockTimeout) {
            AtomicFile.removeAbandonedTemporaries(of: bundlePath)
            var tip = try currentTip(
                of: bundlePath, manifestDigest: manifestDigest, manifestSubject: manifest.subject)
            let time = hop.time ?? Date()
            if let tipTime = tip.time, time < tipTime {
                throw EnvelopeError("the new hop's time \(RFC3339.format(time)) is earlier than the last hop's "
                    + "(\(RFC3339.format(tipTime))): custody times never go backwards")
            }
            let statement = CustodyStatement(
                subject: (hop.newSubject ?? tip.subject).sorted(),
                predicate: CustodyPredicate(
                    action: hop.action, actor: hop.actor, country: hop.country, location: hop.location,
                    time: RFC3339.format(time), previous: DigestSet(sha256: tip.previous),
                    manifest: DigestSet(sha256: manifestDigest),
                    inputs: hop.action.transformsArtifacts ? tip.subject : nil, note: hop.note))
            let payload = try CanonicalJSON.encode(statement)
            // Validate what we are about to sign exactly as a verifier will read it.
            _ = try CustodyReader.read(try StrictJSON.parse(payload), document: "new custody record")
            var record = DSSEEnvelope(payloadType: DSSEEnvelope.inTotoPayloadType, payload: payload)
            try record.addSignature(by: key)
            let line = try CustodyBundle.line(for: record)
            if !tip.existing.isEmpty && tip.existing.last != 0x0A { tip.existing.append(0x0A) }
            try AtomicFile.write(tip.existing + line + [0x0A], to: bundlePath)
            return try Digests.sha256Hex(line)
        }
    }

    /// Reads the bundle (call it holding the lock) and checks its last record belongs to this manifest.
    ///
    /// Signatures are not checked here: the appender has no trust store, and `audit verify` checks the chain.
    private static func currentTip(
        of bundlePath: String, manifestDigest: String, manifestSubject: [Subject]
    ) throws -> Tip {
        var tip = Tip(existing: [], previous: manifestDigest, subject: manifestSubject, time: nil)
        guard FileManager.default.fileExists(atPath: bundlePath) else { return tip }
        tip.existing = try InputFile.read(bundlePath, limit: CustodyBundle.maxBytes)
        let bundle = try CustodyBundle.load(path: bundlePath)
        guard let last = bundle.lines.last else { return tip }
        let lastEnvelope = try DSSEEnvelope.decode(last.bytes)
        let lastStatement = try CustodyReader.read(
            try StrictJSON.parse(lastEnvelope.payload), document: "\(bundlePath) line \(last.number)")
        guard lastStatement.predicate.manifest.sha256 == manifestDigest else {
            throw EnvelopeError("\(bundlePath) line \(last.number) belongs to another model (manifest "
                + "sha256:\(lastStatement.predicate.manifest.sha256), this model's is sha256:\(manifestDigest)): "
                + "not extending it")
        }
        tip.previous = last.sha256
        tip.subject = lastStatement.subject
        tip.time = lastStatement.predicate.timeDate
        return tip
    }
}
