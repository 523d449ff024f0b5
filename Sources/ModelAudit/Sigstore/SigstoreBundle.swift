import Foundation

/// A Sigstore bundle (JSON form of `dev.sigstore.bundle.v1.Bundle`, media types v0.1 to v0.3): the signed content
/// and the material that identifies its signer.
///
/// Read strictly: every member is checked with `ObjectReader`, so each problem is reported with its JSON pointer,
/// and unknown members are refused (a field we do not understand could change what the bundle means). Transparency
/// log entries and timestamps are parsed into values but not verified here: nothing in them is trusted until a
/// verifier that checks them says so.
public struct SigstoreBundle: Sendable, Equatable {
    /// The bundle media types of the Sigstore specification.
    public enum MediaType: String, Sendable, CaseIterable {
        case v01 = "application/vnd.dev.sigstore.bundle+json;version=0.1"
        case v02 = "application/vnd.dev.sigstore.bundle+json;version=0.2"
        case v03 = "application/vnd.dev.sigstore.bundle.v0.3+json"
        /// The older spelling of v0.3 that some clients still write.
        case v03Legacy = "application/vnd.dev.sigstore.bundle+json;version=0.3"

        /// The prefix every bundle media type shares, by which a file is recognised as a Sigstore bundle.
        public static let prefix = "application/vnd.dev.sigstore.bundle"
    }

    /// How the signer is identified.
    public enum SignerMaterial: Sendable, Equatable {
        /// A key known to the verifier; `hint` only names it (it never decides a verdict).
        case publicKey(hint: String?, rawBytes: [UInt8]?)
        /// DER certificates, leaf first.
        case x509CertificateChain([[UInt8]])
        /// One DER certificate (v0.3 and later; the Sigstore keyless form).
        case certificate([UInt8])
    }

    /// One transparency log entry, as the bundle carries it (unverified).
    public struct TransparencyLogEntry: Sendable, Equatable {
        public struct InclusionProof: Sendable, Equatable {
            public let logIndex: Int64
            public let rootHash: [UInt8]
            public let treeSize: Int64
            public let hashes: [[UInt8]]
            /// The signed checkpoint (note format) the proof ends at.
            public let checkpoint: String?
        }

        public let logIndex: Int64
        public let logID: [UInt8]
        public let kind: String
        public let version: String
        /// When a Rekor v1 log integrated the entry; Rekor v2 entries have none (protobuf JSON omits the zero
        /// value, and a stated 0 is read as absent too).
        public let integratedTime: Int64?
        public let signedEntryTimestamp: [UInt8]?
        public let inclusionProof: InclusionProof?
        public let canonicalizedBody: [UInt8]
    }

    /// A message signature: a digest of an artifact and a signature over it (no DSSE envelope).
    public struct MessageSignature: Sendable, Equatable {
        public let digestAlgorithm: String?
        public let digest: [UInt8]?
        public let signature: [UInt8]
    }

    /// What the bundle signs.
    public enum Content: Sendable, Equatable {
        case dsseEnvelope(DSSEEnvelope)
        case messageSignature(MessageSignature)
    }

    public var mediaType: MediaType
    public var signer: SignerMaterial
    public var transparencyLogEntries: [TransparencyLogEntry]
    /// DER RFC 3161 timestamp tokens (unverified).
    public var timestamps: [[UInt8]]
    public var content: Content

    public init(
        mediaType: MediaType, signer: SignerMaterial, transparencyLogEntries: [TransparencyLogEntry] = [],
        timestamps: [[UInt8]] = [], content: Content
    ) {
        self.mediaType = mediaType
        self.signer = signer
        self.transparencyLogEntries = transparencyLogEntries
        self.timestamps = timestamps
        self.content = content
    }

    /// The DSSE envelope, when the bundle carries one.
    public var dsseEnvelope: DSSEEnvelope? {
        if case .dsseEnvelope(let envelope) = content { return envelope }
        return nil
    }

    /// Whether a parsed JSON document is meant as a Sigstore bundle: an object with a bundle's members (a DSSE
    /// envelope has none of them), so a bundle with a wrong media type is reported as a bad bundle.
    public static func isBundle(_ value: JSONValue) -> Bool {
        guard case .object(let object) = value else { return false }
        return object["mediaType"] != nil || object["verificationMaterial"] != nil || object["dsseEnvelope"] != nil
            || object["messageSignature"] != nil
    }

    /// Parses a bundle from untrusted bytes; every problem is listed with its JSON pointer.
    public static func decode(_ bytes: [UInt8], limits: JSONLimits = .default) throws -> SigstoreBundle {
        try decode(StrictJSON.parse(bytes, limits: limits))
    }

    /// Reads a bundle from a parsed document; throws `InvalidDocumentError` naming every problem.
    public static func decode(_ value: JSONValue) throws -> SigstoreBundle {
        let log = ProblemLog()
        let bundle = read(value, log: log)
        if let bundle, log.problems.isEmpty { return bundle }
        if log.problems.isEmpty { log.add("", "not a Sigstore bundle") }
        throw InvalidDocumentError(document: "Sigstore bundle", problems: log.problems)
    }

    private static func read(_ value: JSONValue, log: ProblemLog) -> SigstoreBundle? {
        guard let root = ObjectReader.make(value, pointer: "", log: log) else { return nil }
        defer { root.finish() }
        var mediaType: MediaType?
        if let text = root.string("mediaType") {
            mediaType = MediaType(rawValue: text)
            if mediaType == nil {
                let known = MediaType.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
                log.add("/mediaType", "unknown bundle media type \"\(text)\" (known: \(known))")
            }
        }
        let material = root.object("verificationMaterial").flatMap { readMaterial($0, mediaType: mediaType) }
        let envelopeValue = root.value("dsseEnvelope", required: false)
        let messageValue = root.value("messageSignature", required: false)
        var content: Content?
        switch (envelopeValue, messageValue) {
        case (.some(let envelope), nil):
            content = readEnvelope(envelope, log: log).map(Content.dsseEnvelope)
        case (nil, .some(let message)):
            content = ObjectReader.make(message, pointer: "/messageSignature", log: log)
                .flatMap(readMessageSignature).map(Content.messageSignature)
        case (.some, .some):
            log.add("", "a bundle holds either \"dsseEnvelope\" or \"messageSignature\", not both")
        case (nil, nil):
            log.add("/dsseEnvelope", "required member is missing (the bundle signs nothing)")
        }
        guard let mediaType, let material, let content else { return nil }
        return SigstoreBundle(
            mediaType: mediaType, signer: material.signer, transparencyLogEntries: material.entries,
            timestamps: material.timestamps, content: content)
    }

    private static func readMaterial(
        _ reader: ObjectReader, mediaType: MediaType?
    )
        -> (signer: SignerMaterial, entries: [TransparencyLogEntry], timestamps: [[UInt8]])?
    {
        defer { reader.finish() }
        let log = reader.log
        var signers: [SignerMaterial] = []
        if let key = reader.object("publicKey", required: false) {
            let hint = key.value("hint", required: false)?.stringValue
            let raw = key.string("rawBytes", required: false).flatMap { text -> [UInt8]? in
                let bytes = Base64.decode(text)
                if bytes == nil { log.add(key.path("rawBytes"), "not valid base64") }
                return bytes
            }
            if let value = key.value("hint", required: false), value.stringValue == nil {
                log.add(key.path("hint"), "expected a string, found \(value.kindName)")
            }
            // Old bundles carry the key's algorithm beside its bytes; the key itself decides the algorithm.
            _ = key.value("keyDetails", required: false)
            key.finish()
            signers.append(.publicKey(hint: hint, rawBytes: raw))
        }
        if let chain = reader.object("x509CertificateChain", required: false) {
            let certificates = chain.objects("certificates") { readCertificate($0) } ?? []
            if chain.object["certificates"]?.arrayValue?.isEmpty == true {
                log.add(chain.path("certificates"), "the certificate chain is empty")
            }
            chain.finish()
            signers.append(.x509CertificateChain(certificates))
        }
        if let certificate = reader.object("certificate", required: false) {
            if mediaType == .v01 || mediaType == .v02 {
                log.add(reader.path("certificate"), "a single \"certificate\" needs bundle media type v0.3")
            }
            if let der = readCertificate(certificate) { signers.append(.certificate(der)) }
        }
        if signers.count != 1 {
            log.add(
                reader.pointer,
                signers.isEmpty
                    ? "no signer: expected one of \"publicKey\", \"x509CertificateChain\", \"certificate\""
                    : "more than one signer: give one of \"publicKey\", \"x509CertificateChain\", \"certificate\"")
        }
        let entries = reader.objects("tlogEntries", required: false) { readLogEntry($0) } ?? []
        var timestamps: [[UInt8]] = []
        if let data = reader.object("timestampVerificationData", required: false) {
            timestamps =
                data.objects("rfc3161Timestamps", required: false) { stamp in
                    defer { stamp.finish() }
                    return bytes(stamp, "signedTimestamp")
                } ?? []
            data.finish()
        }
        guard signers.count == 1 else { return nil }
        return (signers[0], entries, timestamps)
    }

    private static func readCertificate(_ reader: ObjectReader) -> [UInt8]? {
        defer { reader.finish() }
        return bytes(reader, "rawBytes")
    }

    /// A required base64 member, decoded; empty bytes are refused.
    private static func bytes(_ reader: ObjectReader, _ key: String, required: Bool = true) -> [UInt8]? {
        guard let text = reader.string(key, required: required) else { return nil }
        guard let decoded = Base64.decode(text), !decoded.isEmpty else {
            reader.log.add(reader.path(key), "not valid base64")
            return nil
        }
        return decoded
    }

    /// Protobuf JSON writes 64-bit integers as decimal strings; numbers are accepted too.
    private static func int64(_ reader: ObjectReader, _ key: String, required: Bool = true) -> Int64? {
        guard let value = reader.value(key, required: required) else { return nil }
        let parsed: Int64?
        switch value {
        case .string(let text): parsed = Int64(text)
        case .number(let number): parsed = number.int64
        default: parsed = nil
        }
        guard let parsed, parsed >= 0 else {
            reader.log.add(reader.path(key), "expected a non-negative whole number, found \(value.kindName)")
            return nil
        }
        return parsed
    }

    private static func readLogEntry(_ reader: ObjectReader) -> TransparencyLogEntry? {
        defer { reader.finish() }
        let logIndex = int64(reader, "logIndex")
        let logID = reader.object("logId").flatMap { id -> [UInt8]? in
            defer { id.finish() }
            return bytes(id, "keyId")
        }
        let kindVersion = reader.object("kindVersion").flatMap { kv -> (String, String)? in
            defer { kv.finish() }
            guard let kind = kv.string("kind"), let version = kv.string("version") else { return nil }
            return (kind, version)
        }
        let integratedTime = int64(reader, "integratedTime", required: false).flatMap { $0 == 0 ? nil : $0 }
        var promise: [UInt8]?
        if let object = reader.object("inclusionPromise", required: false) {
            promise = bytes(object, "signedEntryTimestamp")
            object.finish()
        }
        var proof: TransparencyLogEntry.InclusionProof?
        if let object = reader.object("inclusionProof", required: false) {
            let index = int64(object, "logIndex")
            let root = bytes(object, "rootHash")
            let size = int64(object, "treeSize")
            let hashes = object.array("hashes") { value, pointer -> [UInt8]? in
                guard let text = value.stringValue, let decoded = Base64.decode(text) else {
                    object.log.add(pointer, "expected a base64 hash")
                    return nil
                }
                return decoded
            }
            let checkpoint = object.object("checkpoint", required: false).flatMap { point -> String? in
                defer { point.finish() }
                return point.string("envelope")
            }
            object.finish()
            if let index, let root, let size, let hashes {
                proof = .init(logIndex: index, rootHash: root, treeSize: size, hashes: hashes, checkpoint: checkpoint)
            }
        }
        let body = bytes(reader, "canonicalizedBody")
        guard let logIndex, let logID, let kindVersion, let body else { return nil }
        return TransparencyLogEntry(
            logIndex: logIndex, logID: logID, kind: kindVersion.0, version: kindVersion.1,
            integratedTime: integratedTime, signedEntryTimestamp: promise, inclusionProof: proof,
            canonicalizedBody: body)
    }

    private static func readMessageSignature(_ reader: ObjectReader) -> MessageSignature? {
        defer { reader.finish() }
        var algorithm: String?
        var digest: [UInt8]?
        if let object = reader.object("messageDigest", required: false) {
            algorithm = object.string("algorithm")
            digest = bytes(object, "digest")
            object.finish()
        }
        guard let signature = bytes(reader, "signature") else { return nil }
        return MessageSignature(digestAlgorithm: algorithm, digest: digest, signature: signature)
    }

    /// The DSSE envelope inside a bundle: protobuf JSON allows `keyid` to be absent, empty or null.
    private static func readEnvelope(_ value: JSONValue, log: ProblemLog) -> DSSEEnvelope? {
        guard let reader = ObjectReader.make(value, pointer: "/dsseEnvelope", log: log) else { return nil }
        defer { reader.finish() }
        let payloadType = reader.value("payloadType", required: true)?.stringValue
        if reader.object["payloadType"] != nil, payloadType == nil {
            log.add(reader.path("payloadType"), "expected a string")
        }
        let payload = reader.string("payload").flatMap { text -> [UInt8]? in
            let decoded = Base64.decode(text)
            if decoded == nil { log.add(reader.path("payload"), "not valid base64") }
            return decoded
        }
        let signatures = reader.objects("signatures") { entry -> DSSESignature? in
            defer { entry.finish() }
            var keyID: String?
            if let hint = entry.value("keyid", required: false) {
                guard case .string(let text) = hint else {
                    log.add(entry.path("keyid"), "expected a string or null, found \(hint.kindName)")
                    return nil
                }
                keyID = text.isEmpty ? nil : text
            }
            guard let sig = bytes(entry, "sig") else { return nil }
            return DSSESignature(keyID: keyID, signature: sig)
        }
        if let signatures {
            if signatures.isEmpty, reader.object["signatures"]?.arrayValue?.isEmpty == true {
                log.add(reader.path("signatures"), "the envelope carries no signatures")
            }
            if signatures.count > DSSEEnvelope.maxSignatures {
                log.add(
                    reader.path("signatures"),
                    "\(signatures.count) signatures exceed the limit of \(DSSEEnvelope.maxSignatures)")
            }
        }
        guard let payloadType, let payload, let signatures else { return nil }
        return DSSEEnvelope(payloadType: payloadType, payload: payload, signatures: signatures)
    }
}

extension SigstoreBundle {
    /// The bundle as compact JSON in the member order the Sigstore clients write, ending in a newline.
    public func encoded() throws -> [UInt8] {
        var material: [(key: String, value: JSONValue)] = []
        switch signer {
        case .publicKey(let hint, let rawBytes):
            var key: [(key: String, value: JSONValue)] = []
            if let hint { key.append(("hint", .string(hint))) }
            if let rawBytes { key.append(("rawBytes", .string(Base64.encode(rawBytes)))) }
            material.append(("publicKey", .object(try JSONObject(key))))
        case .x509CertificateChain(let certificates):
            let list = try certificates.map {
                JSONValue.object(try JSONObject([("rawBytes", .string(Base64.encode($0)))]))
            }
            material.append(("x509CertificateChain", .object(try JSONObject([("certificates", .array(list))]))))
        case .certificate(let der):
            material.append(("certificate", .object(try JSONObject([("rawBytes", .string(Base64.encode(der)))]))))
        }
        material.append(("tlogEntries", .array([])))
        var members: [(key: String, value: JSONValue)] = [
            ("mediaType", .string(mediaType.rawValue)), ("verificationMaterial", .object(try JSONObject(material))),
        ]
        switch content {
        case .dsseEnvelope(let envelope):
            let signatures = try envelope.signatures.map {
                JSONValue.object(
                    try JSONObject([("sig", .string(Base64.encode($0.signature))), ("keyid", .string($0.keyID ?? ""))]))
            }
            members.append(
                (
                    "dsseEnvelope",
                    .object(
                        try JSONObject([
                            ("payload", .string(Base64.encode(envelope.payload))),
                            ("payloadType", .string(envelope.payloadType)), ("signatures", .array(signatures)),
                        ]))
                ))
        case .messageSignature:
            throw EnvelopeError("writing message-signature bundles is not supported", pointer: "/messageSignature")
        }
        return JSONWriter.write(.object(try JSONObject(members)), pretty: false) + [UInt8(ascii: "\n")]
    }
}
