import AuditCrypto
import Foundation

/// What a Sigstore bundle signed, as the Rekor entry body must restate it.
public enum SignedContent: Sendable, Equatable {
    /// A signature over an artifact's digest (`messageSignature` bundles; Rekor kind `hashedrekord`).
    case messageSignature(digestAlgorithm: DigestAlgorithm, digest: [UInt8], signature: [UInt8])
    /// A DSSE envelope (Rekor kinds `dsse` and `intoto`).
    case dsse(payloadType: String, payload: [UInt8], signatures: [[UInt8]])
}

/// One Rekor transparency log entry of a Sigstore bundle (`TransparencyLogEntry` in protobuf-specs): the entry
/// body, where the log put it, and the evidence that it did — the signed entry timestamp (inclusion promise) and
/// the inclusion proof with its signed checkpoint.
///
/// Verification against a trusted root (`verify(trustedRoot:timestampAuthorityTimes:)`):
/// 1. the log is one the trusted root names, and its key was valid at the integrated time (for a Rekor v2 entry,
///    which has none, at every time the bundle's verified RFC 3161 timestamps state, of which there must be one);
/// 2. the inclusion proof, when present, leads from the body to its root hash, and its checkpoint, when present,
///    is signed by the log and states that same root hash and tree size (bundles of v0.1 may carry a proof
///    without a checkpoint: such a proof is still recomputed, but it proves nothing on its own, since nobody
///    signed its root);
/// 3. the signed entry timestamp, when present, is the log's signature over the canonical JSON of body,
///    integrated time, log id and log index;
/// 4. a proof anchored by a checkpoint, or a signed entry timestamp, or both, verified. A Rekor v2 entry
///    (`hashedrekord` or `dsse` 0.0.2) has no signed entry timestamp: its proof and checkpoint are required.
/// Whether the body restates the bundle's signature and certificate is a separate check, `checkBody`.
public struct RekorEntry: Sendable {
    public let logIndex: Int64
    public let logID: [UInt8]
    public let kind: String
    public let kindVersion: String
    /// When a Rekor v1 log integrated the entry; `nil` for Rekor v2 entries, whose time comes from a timestamp
    /// authority instead.
    public let integratedTime: Int64?
    /// The entry as the log stored it (`canonicalizedBody`, base64-decoded).
    public let body: [UInt8]
    public let signedEntryTimestamp: [UInt8]?
    public let inclusionProof: MerkleInclusionProof?
    /// The checkpoint text of the inclusion proof, parsed lazily by `verify` so a bad one is reported there.
    public let checkpointText: String?

    public var integratedDate: Date? { integratedTime.map { Date(timeIntervalSince1970: TimeInterval($0)) } }

    /// Entry kinds only a Rekor v2 (tile-based) log writes: no integrated time, no signed entry timestamp, the
    /// checkpoint is the only evidence of inclusion. (`intoto` 0.0.2 is a Rekor v1 kind.)
    public var isRekorV2: Bool { (kind == "hashedrekord" || kind == "dsse") && kindVersion == "0.0.2" }

    /// Reads a bundle's `tlogEntries[i]` object; throws `InvalidDocumentError` naming every problem's pointer.
    public init(json value: JSONValue, pointer: String) throws {
        let log = ProblemLog()
        guard let reader = ObjectReader.make(value, pointer: pointer, log: log) else {
            throw InvalidDocumentError(document: "Rekor entry", problems: log.problems)
        }
        let logIndex = Self.int64(reader, "logIndex")
        let logID = reader.object("logId").flatMap { idReader -> [UInt8]? in
            defer { idReader.finish() }
            return TrustedRoot.bytes(idReader, "keyId")
        }
        var kind: String?
        var version: String?
        if let kindReader = reader.object("kindVersion") {
            kind = kindReader.string("kind")
            version = kindReader.string("version")
            kindReader.finish()
        }
        let integratedTime = Self.int64(reader, "integratedTime", required: false).flatMap { $0 == 0 ? nil : $0 }
        let body = TrustedRoot.bytes(reader, "canonicalizedBody")
        let promise = reader.object("inclusionPromise", required: false).flatMap { promiseReader -> [UInt8]? in
            defer { promiseReader.finish() }
            return TrustedRoot.bytes(promiseReader, "signedEntryTimestamp")
        }
        var proof: MerkleInclusionProof?
        var checkpoint: String?
        if let proofReader = reader.object("inclusionProof", required: false) {
            (proof, checkpoint) = Self.proof(proofReader)
            proofReader.finish()
        }
        reader.finish()
        guard log.problems.isEmpty, let logIndex, let logID, let kind, let version, let body else {
            throw InvalidDocumentError(document: "Rekor entry", problems: log.problems)
        }
        self.logIndex = logIndex
        self.logID = logID
        self.kind = kind
        self.kindVersion = version
        self.integratedTime = integratedTime
        self.body = body
        self.signedEntryTimestamp = promise
        self.inclusionProof = proof
        self.checkpointText = checkpoint
    }

    /// An entry whose fields were read elsewhere (a bundle reader); nothing in it is trusted until `verify`.
    public init(
        logIndex: Int64, logID: [UInt8], kind: String, kindVersion: String, integratedTime: Int64?, body: [UInt8],
        signedEntryTimestamp: [UInt8]?, inclusionProof: MerkleInclusionProof?, checkpointText: String?
    ) {
        self.logIndex = logIndex
        self.logID = logID
        self.kind = kind
        self.kindVersion = kindVersion
        self.integratedTime = integratedTime
        self.body = body
        self.signedEntryTimestamp = signedEntryTimestamp
        self.inclusionProof = inclusionProof
        self.checkpointText = checkpointText
    }

    private static func proof(_ reader: ObjectReader) -> (MerkleInclusionProof?, String?) {
        let index = int64(reader, "logIndex")
        let size = int64(reader, "treeSize")
        let root = TrustedRoot.bytes(reader, "rootHash")
        let hashes = reader.array("hashes") { value, pointer -> [UInt8]? in
            guard case .string(let text) = value, let hash = Base64.decode(text) else {
                reader.log.add(pointer, "expected a base64 hash, found \(value.kindName)")
                return nil
            }
            return hash
        }
        var checkpoint: String?
        if let checkpointReader = reader.object("checkpoint", required: false) {
            checkpoint = checkpointReader.string("envelope")
            checkpointReader.finish()
        }
        guard let index, let size, let root, let hashes else { return (nil, checkpoint) }
        do {
            return (
                try MerkleInclusionProof(
                    leafIndex: UInt64(index), treeSize: UInt64(size), hashes: hashes, rootHash: root),
                checkpoint
            )
        } catch let error as SigstoreError {
            reader.log.add(reader.pointer, error.message)
        } catch {
            reader.log.add(reader.pointer, "\(error)")
        }
        return (nil, checkpoint)
    }

    /// A non-negative 64-bit integer, which protobuf JSON writes as a decimal string (a plain number is accepted).
    private static func int64(_ reader: ObjectReader, _ key: String, required: Bool = true) -> Int64? {
        guard let value = reader.value(key, required: required) else { return nil }
        let text: String
        switch value {
        case .string(let string): text = string
        case .number(let number): text = number.literal
        default:
            reader.log.add(reader.path(key), "expected a whole number, found \(value.kindName)")
            return nil
        }
        guard !text.isEmpty, text.count <= 19, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            text == "0" || !text.hasPrefix("0"), let number = Int64(text)
        else {
            reader.log.add(reader.path(key), "\"\(text.prefix(40))\" is not a non-negative whole number")
            return nil
        }
        return number
    }

    // MARK: - Verification

    /// What `verify` established.
    public struct Verification: Sendable, Equatable {
        public let logBaseURL: String
        /// The inclusion proof led to a root hash the log signed in a checkpoint.
        public let inclusionProofVerified: Bool
        public let signedEntryTimestampVerified: Bool
    }

    /// Verifies the entry's log evidence against the trusted root (steps 1–4 of the type's description).
    /// - Parameter timestampAuthorityTimes: the times the bundle's RFC 3161 timestamps stated, each already verified
    ///   against a timestamp authority; the only time a Rekor v2 entry has.
    @discardableResult
    public func verify(trustedRoot: TrustedRoot, timestampAuthorityTimes: [Date] = []) throws -> Verification {
        let logIDText = Base64.encode(logID)
        guard let log = trustedRoot.transparencyLog(id: logID) else {
            throw SigstoreError.rejected("Rekor entry \(logIndex) names log \(logIDText), which the trusted root does not list")
        }
        if isRekorV2 {
            try checkRekorV2Shape(timestampAuthorityTimes: timestampAuthorityTimes)
        } else if integratedTime == nil {
            throw SigstoreError.malformed(
                "Rekor entry \(logIndex) (\(kind) \(kindVersion)) has no integrated time, which a Rekor v1 entry needs")
        }
        if let integratedDate {
            guard log.validity.contains(integratedDate) else {
                throw SigstoreError.rejected(
                    "Rekor entry \(logIndex) was integrated at \(RFC3339.format(integratedDate)), outside the validity "
                        + "of log \(logIDText) (\(log.validity.description))")
            }
        } else {
            for time in timestampAuthorityTimes where !log.validity.contains(time) {
                throw SigstoreError.rejected(
                    "Rekor entry \(logIndex): the timestamp authority's time \(RFC3339.format(time)) is outside the "
                        + "validity of log \(logIDText) (\(log.validity.description))")
            }
        }
        var proofVerified = false
        if let proof = inclusionProof {
            proofVerified = try verifyInclusion(proof, log: log)
        }
        var promiseVerified = false
        if let promise = signedEntryTimestamp {
            guard try log.publicKey.isValidSignature(promise, for: signedEntryTimestampPayload, scheme: log.scheme)
            else {
                throw SigstoreError.rejected(
                    "Rekor entry \(logIndex): the signed entry timestamp does not verify with the key of log \(logIDText)")
            }
            promiseVerified = true
        }
        if isRekorV2, !proofVerified {
            throw SigstoreError.rejected(
                "Rekor v2 entry \(logIndex): its inclusion proof has no checkpoint, and a Rekor v2 entry has no other "
                    + "evidence of inclusion")
        }
        guard proofVerified || promiseVerified else {
            throw SigstoreError.rejected(
                "Rekor entry \(logIndex) carries neither an inclusion proof with a checkpoint nor a signed entry "
                    + "timestamp")
        }
        return Verification(
            logBaseURL: log.baseURL, inclusionProofVerified: proofVerified, signedEntryTimestampVerified: promiseVerified)
    }

    /// A Rekor v2 log signs no entry timestamp and states no integrated time, so an entry that claims either was not
    /// written by one; and only a timestamp authority can say when it was logged, so the bundle must carry one.
    private func checkRekorV2Shape(timestampAuthorityTimes: [Date]) throws {
        guard integratedTime == nil, signedEntryTimestamp == nil else {
            throw SigstoreError.malformed(
                "Rekor v2 entry \(logIndex) (\(kind) \(kindVersion)) carries an integrated time or a signed entry "
                    + "timestamp, which Rekor v2 logs never write")
        }
        guard inclusionProof != nil else {
            throw SigstoreError.rejected(
                "Rekor v2 entry \(logIndex) carries no inclusion proof, the only evidence a Rekor v2 log gives")
        }
        guard !timestampAuthorityTimes.isEmpty else {
            throw SigstoreError.rejected(
                "Rekor v2 entry \(logIndex) has no integrated time and the bundle has no RFC 3161 timestamp, so "
                    + "nothing says when it was signed")
        }
    }

    /// Recomputes the proof; true when a checkpoint signed by the log vouches for its root.
    private func verifyInclusion(_ proof: MerkleInclusionProof, log: TrustedRoot.TransparencyLog) throws -> Bool {
        do {
            try proof.verify(leaf: body)
        } catch let error as SigstoreError {
            throw SigstoreError(error.kind, "Rekor entry \(logIndex): \(error.message)")
        }
        guard let checkpointText else { return false }
        let checkpoint = try Checkpoint(parsing: checkpointText)
        try checkpoint.verify(with: log)
        guard checkpoint.rootHash == proof.rootHash, checkpoint.treeSize == proof.treeSize else {
            throw SigstoreError.rejected(
                "Rekor entry \(logIndex): the checkpoint (size \(checkpoint.treeSize), root "
                    + "\(Hex.encode(checkpoint.rootHash))) is not the tree of the inclusion proof (size "
                    + "\(proof.treeSize), root \(Hex.encode(proof.rootHash)))")
        }
        return true
    }

    /// The bytes Rekor signs as the inclusion promise: RFC 8785 canonical JSON of body (base64), integrated time,
    /// log id (hex) and log index. Every value is a number or a base64/hex string, so no escaping can arise.
    public var signedEntryTimestampPayload: [UInt8] {
        let text = "{\"body\":\"\(Base64.encode(body))\",\"integratedTime\":\(integratedTime ?? 0),"
            + "\"logID\":\"\(Hex.encode(logID))\",\"logIndex\":\(logIndex)}"
        return Array(text.utf8)
    }

    // MARK: - Body

    /// Checks that the entry body records `content` signed with `certificate`'s key: the same digest or payload,
    /// the same signature and the same certificate. The log proves it holds the body, so a body about something
    /// else proves nothing about this bundle.
    public func checkBody(matches content: SignedContent, certificate: X509Certificate) throws {
        let parsed: JSONValue
        do {
            parsed = try StrictJSON.parse(body)
        } catch {
            throw SigstoreError.malformed("Rekor entry \(logIndex): the body is not JSON (\(error))")
        }
        guard parsed["kind"]?.stringValue == kind, parsed["apiVersion"]?.stringValue == kindVersion,
            let spec = parsed["spec"]
        else {
            throw SigstoreError.rejected(
                "Rekor entry \(logIndex): the body is not a \(kind) \(kindVersion) entry as its kindVersion says")
        }
        switch (kind, kindVersion, content) {
        case ("hashedrekord", "0.0.1", .messageSignature(let algorithm, let digest, let signature)):
            try checkHashedRekord(spec, algorithm: algorithm, digest: digest, signature: signature, certificate)
        case ("dsse", "0.0.1", .dsse(_, let payload, let signatures)):
            try checkDSSE(spec, payload: payload, signatures: signatures, certificate)
        case ("intoto", "0.0.2", .dsse(let payloadType, let payload, let signatures)):
            try checkInToto(spec, payloadType: payloadType, payload: payload, signatures: signatures, certificate)
        case ("hashedrekord", "0.0.2", .messageSignature(let algorithm, let digest, let signature)):
            try checkHashedRekordV2(
                spec["hashedRekordV002"], digest: (algorithm, digest), digestName: "artifact digest", signature,
                certificate)
        case ("hashedrekord", "0.0.2", .dsse(let payloadType, let payload, let signatures)):
            // Rekor v2 logs a DSSE envelope as a hashedrekord over its pre-authentication encoding, which only
            // one signature can share.
            guard signatures.count == 1 else {
                throw SigstoreError.rejected(
                    "Rekor entry \(logIndex): a hashedrekord 0.0.2 entry records one DSSE signature, the envelope has "
                        + "\(signatures.count)")
            }
            let record = spec["hashedRekordV002"]
            let algorithm = try Self.hashAlgorithm(record?["data"]?["algorithm"]?.stringValue, entry: logIndex)
            let pae = DSSEEnvelope.preAuthenticationEncoding(payloadType: payloadType, payload: payload)
            try checkHashedRekordV2(
                record, digest: (algorithm, try Digests.hash(pae, algorithm: algorithm)),
                digestName: "digest of the envelope's pre-authentication encoding", signatures[0], certificate)
        case ("dsse", "0.0.2", .dsse(_, let payload, let signatures)):
            try checkDSSEV2(spec["dsseV002"], payload: payload, signatures: signatures, certificate)
        default:
            throw SigstoreError.rejected(
                "Rekor entry \(logIndex): a \(kind) \(kindVersion) entry cannot record this bundle's content "
                    + "(supported: hashedrekord 0.0.1 and 0.0.2 for message signatures, dsse 0.0.1, dsse 0.0.2, "
                    + "intoto 0.0.2 and hashedrekord 0.0.2 for DSSE)")
        }
    }

    // MARK: - Rekor v2 bodies

    /// The protobuf-specs `HashAlgorithm` names a Rekor v2 body may use.
    private static let hashAlgorithms: [String: DigestAlgorithm] = [
        "SHA2_256": .sha256, "SHA2_384": .sha384, "SHA2_512": .sha512,
    ]

    private static func hashAlgorithm(_ name: String?, entry: Int64) throws -> DigestAlgorithm {
        guard let name, let algorithm = hashAlgorithms[name] else {
            throw SigstoreError.rejected(
                "Rekor entry \(entry): the entry body names no supported digest algorithm "
                    + "(\(name.map { "\"\($0)\"" } ?? "none"); supported: SHA2_256, SHA2_384, SHA2_512)")
        }
        return algorithm
    }

    /// `hashedRekordV002`: `data` {algorithm, base64 digest} and `signature` {base64 content, verifier}.
    private func checkHashedRekordV2(
        _ record: JSONValue?, digest: (algorithm: DigestAlgorithm, value: [UInt8]), digestName: String,
        _ signature: [UInt8], _ certificate: X509Certificate
    ) throws {
        guard let record else {
            throw SigstoreError.rejected("Rekor entry \(logIndex): the entry body has no hashedRekordV002 record")
        }
        let data = record["data"]
        guard let name = data?["algorithm"]?.stringValue, Self.hashAlgorithms[name] == digest.algorithm,
            let value = data?["digest"]?.stringValue, Base64.decode(value) == digest.value
        else { throw mismatch(digestName) }
        guard let content = record["signature"]?["content"]?.stringValue, Base64.decode(content) == signature else {
            throw mismatch("signature")
        }
        try checkVerifier(record["signature"]?["verifier"], certificate)
    }

    /// `dsseV002`: `payloadHash` {algorithm, base64 digest} of the payload and `signatures`, each {base64 content,
    /// verifier}, the same signatures as the envelope's.
    private func checkDSSEV2(
        _ record: JSONValue?, payload: [UInt8], signatures: [[UInt8]], _ certificate: X509Certificate
    ) throws {
        guard let record else {
            throw SigstoreError.rejected("Rekor entry \(logIndex): the entry body has no dsseV002 record")
        }
        let hash = record["payloadHash"]
        let algorithm = try Self.hashAlgorithm(hash?["algorithm"]?.stringValue, entry: logIndex)
        let payloadDigest = try Digests.hash(payload, algorithm: algorithm)
        guard let value = hash?["digest"]?.stringValue, Base64.decode(value) == payloadDigest else {
            throw mismatch("payload hash")
        }
        guard let recorded = record["signatures"]?.arrayValue, recorded.count == signatures.count else {
            throw mismatch("signature list")
        }
        var unmatched = signatures
        for entry in recorded {
            guard let text = entry["content"]?.stringValue, let signature = Base64.decode(text),
                let position = unmatched.firstIndex(of: signature)
            else { throw mismatch("signature") }
            unmatched.remove(at: position)
            try checkVerifier(entry["verifier"], certificate)
        }
    }

    /// A Rekor v2 `Verifier` names the signer by its DER certificate and key details; both must be the leaf's.
    private func checkVerifier(_ verifier: JSONValue?, _ certificate: X509Certificate) throws {
        guard let raw = verifier?["x509Certificate"]?["rawBytes"]?.stringValue, Base64.decode(raw) == certificate.der
        else { throw mismatch("certificate") }
        guard let details = verifier?["keyDetails"]?.stringValue,
            details == Self.keyDetails(of: certificate.publicKey.type)
        else { throw mismatch("key details") }
    }

    /// The protobuf-specs `PublicKeyDetails` a Sigstore client states for a leaf key of this type.
    private static func keyDetails(of type: KeyType) -> String? {
        switch type {
        case .ecdsaP256: return "PKIX_ECDSA_P256_SHA_256"
        case .ecdsaP384: return "PKIX_ECDSA_P384_SHA_384"
        case .ecdsaP521: return "PKIX_ECDSA_P521_SHA_512"
        case .ed25519: return "PKIX_ED25519"
        case .rsa(let bits) where [2048, 3072, 4096].contains(bits): return "PKIX_RSA_PKCS1V15_\(bits)_SHA256"
        default: return nil
        }
    }

    private func mismatch(_ what: String) -> SigstoreError {
        SigstoreError.rejected("Rekor entry \(logIndex): the entry body's \(what) is not the bundle's")
    }

    private func checkHashedRekord(
        _ spec: JSONValue, algorithm: DigestAlgorithm, digest: [UInt8], signature: [UInt8],
        _ certificate: X509Certificate
    ) throws {
        let hash = spec["data"]?["hash"]
        guard hash?["algorithm"]?.stringValue == algorithm.rawValue,
            let value = hash?["value"]?.stringValue, Hex.decode(value) == digest
        else { throw mismatch("artifact digest") }
        guard let content = spec["signature"]?["content"]?.stringValue, Base64.decode(content) == signature else {
            throw mismatch("signature")
        }
        try checkCertificate(spec["signature"]?["publicKey"]?["content"]?.stringValue, certificate)
    }

    private func checkDSSE(
        _ spec: JSONValue, payload: [UInt8], signatures: [[UInt8]], _ certificate: X509Certificate
    ) throws {
        try checkPayloadHash(spec["payloadHash"], payload: payload)
        guard let recorded = spec["signatures"]?.arrayValue, recorded.count == signatures.count else {
            throw mismatch("signature list")
        }
        for entry in recorded {
            guard let text = entry["signature"]?.stringValue, let signature = Base64.decode(text),
                signatures.contains(signature)
            else { throw mismatch("signature") }
            try checkCertificate(entry["verifier"]?.stringValue, certificate)
        }
    }

    private func checkInToto(
        _ spec: JSONValue, payloadType: String, payload: [UInt8], signatures: [[UInt8]],
        _ certificate: X509Certificate
    ) throws {
        let content = spec["content"]
        try checkPayloadHash(content?["payloadHash"], payload: payload)
        let envelope = content?["envelope"]
        guard envelope?["payloadType"]?.stringValue == payloadType else { throw mismatch("payload type") }
        guard let recorded = envelope?["signatures"]?.arrayValue, recorded.count == signatures.count else {
            throw mismatch("signature list")
        }
        for entry in recorded {
            // intoto 0.0.2 stores each signature base64-encoded twice.
            guard let outer = entry["sig"]?.stringValue, let inner = Base64.decode(outer),
                let signature = Base64.decode(String(decoding: inner, as: UTF8.self)), signatures.contains(signature)
            else { throw mismatch("signature") }
            try checkCertificate(entry["publicKey"]?.stringValue, certificate)
        }
    }

    private func checkPayloadHash(_ hash: JSONValue?, payload: [UInt8]) throws {
        guard hash?["algorithm"]?.stringValue == "sha256", let value = hash?["value"]?.stringValue,
            Hex.decode(value) == (try Digests.hash(payload))
        else { throw mismatch("payload hash") }
    }

    /// The body names the signer as base64 of a PEM certificate; it must be the bundle's leaf.
    private func checkCertificate(_ base64PEM: String?, _ certificate: X509Certificate) throws {
        guard let base64PEM, let pem = Base64.decode(base64PEM),
            let recorded = try? X509Certificate.certificates(pem: pem), recorded.first == certificate
        else { throw mismatch("certificate") }
    }
}
