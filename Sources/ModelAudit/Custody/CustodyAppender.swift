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
        public var time: Date
        public var note: String?
        /// For a transformation: the files after it.
        public var newSubject: [Subject]?

        public init(
            action: CustodyAction, actor: LegalEntity, country: String, location: String? = nil, time: Date,
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

    /// Appends a signed record for `hop` after the bundle's last line (or the manifest, for the first hop).
    ///
    /// - Returns: the new record's digest.
    @discardableResult
    public static func append(
        _ hop: Hop, manifestPath: String, bundlePath: String, key: PrivateKey
    ) throws -> String {
        let manifestBytes = try InputFile.read(manifestPath, limit: JSONLimits.default.maxBytes)
        let manifestDigest = try Digests.sha256Hex(manifestBytes)
        let envelope = try DSSEEnvelope.decode(manifestBytes)
        guard let manifest = try ModelVerifier.provenanceStatement(of: envelope) else {
            throw EnvelopeError("\(manifestPath) does not carry a provenance manifest")
        }
        var existing: [UInt8] = []
        var previous = manifestDigest
        var current = manifest.subject
        if FileManager.default.fileExists(atPath: bundlePath) {
            existing = try InputFile.read(bundlePath, limit: CustodyBundle.maxBytes)
            let bundle = try CustodyBundle.load(path: bundlePath)
            if let last = bundle.lines.last {
                previous = last.sha256
                let lastEnvelope = try DSSEEnvelope.decode(last.bytes)
                let lastStatement = try CustodyReader.read(
                    try StrictJSON.parse(lastEnvelope.payload), document: "\(bundlePath) line \(last.number)")
                current = lastStatement.subject
                if let lastTime = lastStatement.predicate.timeDate, hop.time < lastTime {
                    throw EnvelopeError("the new hop's time \(RFC3339.format(hop.time)) is earlier than the last hop's "
                        + "(\(lastStatement.predicate.time)): custody times never go backwards")
                }
            }
        }
        if hop.action.transformsArtifacts && hop.newSubject == nil {
            throw EnvelopeError("\(hop.action.rawValue) changes the files: give the model directory after it")
        }
        let statement = CustodyStatement(
            subject: (hop.newSubject ?? current).sorted(),
            predicate: CustodyPredicate(
                action: hop.action, actor: hop.actor, country: hop.country, location: hop.location,
                time: RFC3339.format(hop.time), previous: DigestSet(sha256: previous),
                manifest: DigestSet(sha256: manifestDigest),
                inputs: hop.action.transformsArtifacts ? current : nil, note: hop.note))
        let payload = try ReportJSON.canonical(statement)
        // Validate what we are about to sign exactly as a verifier will read it.
        _ = try CustodyReader.read(try StrictJSON.parse(payload), document: "new custody record")
        var record = DSSEEnvelope(payloadType: DSSEEnvelope.inTotoPayloadType, payload: payload)
        try record.addSignature(by: key)
        let line = try CustodyBundle.line(for: record)
        if !existing.isEmpty && existing.last != 0x0A { existing.append(0x0A) }
        try AtomicFile.write(existing + line + [0x0A], to: bundlePath)
        return try Digests.sha256Hex(line)
    }
}
