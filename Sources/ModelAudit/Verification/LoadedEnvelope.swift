import AuditCrypto

/// A signed envelope as read from disk, once: its file, the SHA-256 of its bytes (how lineage, custody, waivers and
/// reports name it) and the strictly decoded envelope. Every step of the pipeline takes this value instead of
/// re-reading the file.
public struct LoadedEnvelope: Sendable {
    public let file: String
    public let sha256: String
    public let envelope: DSSEEnvelope

    public init(file: String, sha256: String, envelope: DSSEEnvelope) {
        self.file = file
        self.sha256 = sha256
        self.envelope = envelope
    }

    /// Reads `file` (at most `limits.maxBytes`), hashes it and decodes it; throws an `AuditError` when it cannot.
    public static func load(_ file: String, limits: JSONLimits) throws -> LoadedEnvelope {
        let bytes = try InputFile.read(file, limit: limits.maxBytes)
        return LoadedEnvelope(
            file: file, sha256: try Digests.sha256Hex(bytes), envelope: try DSSEEnvelope.decode(bytes, limits: limits))
    }
}

/// A model after the verification steps and before the policy: what `Auditor.verify` returns.
public struct VerifiedModel: Sendable {
    public let envelope: LoadedEnvelope
    /// The directory its files were checked in, when one was given.
    public let modelDirectory: String?
    public let verification: ModelVerification
    /// The ancestry, followed when the signatures verified.
    public let lineage: LineageResolver.Result?
}
