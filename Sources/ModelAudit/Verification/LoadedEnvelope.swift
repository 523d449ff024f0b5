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
        try decode(try InputFile.read(file, limit: limits.maxBytes), file: file, limits: limits)
    }

    /// Decodes the bytes read from `file`, as `load` does; `parsed` is their JSON value when the caller already has
    /// it, so the file is not parsed twice.
    public static func decode(
        _ bytes: [UInt8], parsed: JSONValue? = nil, file: String, limits: JSONLimits
    ) throws -> LoadedEnvelope {
        let envelope: DSSEEnvelope
        do {
            envelope = try parsed.map(DSSEEnvelope.decode) ?? DSSEEnvelope.decode(bytes, limits: limits)
        } catch {
            if isUnsignedManifest(bytes, path: file, limits: limits) {
                throw EnvelopeError(
                    "\(file) is a manifest that is not signed yet, not a signed envelope; sign it, then verify the "
                        + "envelope: audit sign \(file) --key KEY -o model.json && audit verify model.json")
            }
            // Name the file: `report` reads many, and even `verify` may be one step of a longer script.
            switch error {
            case var parse as JSONParseError:
                parse.file = file
                throw parse
            case let malformed as EnvelopeError:
                throw EnvelopeError("\(file): \(malformed)", pointer: malformed.pointer)
            default:
                throw error
            }
        }
        return LoadedEnvelope(file: file, sha256: try Digests.sha256Hex(bytes), envelope: envelope)
    }

    /// Whether bytes that are not an envelope are an in-toto statement or manifest draft (JSON or YAML), which is
    /// what people most often pass by mistake before signing.
    static func isUnsignedManifest(_ bytes: [UInt8], path: String, limits: JSONLimits) -> Bool {
        guard let value = try? StructuredDocument.parse(bytes, path: path, limits: limits) else { return false }
        return value["_type"] != nil || value["predicateType"] != nil || value["predicate"] != nil
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
