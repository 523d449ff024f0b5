import AuditCrypto
import Foundation

/// The Sigstore trust material a keyless signature is verified against, read from a `TrustedRoot` JSON document
/// (sigstore/protobuf-specs `dev.sigstore.trustroot.v1.TrustedRoot`): Fulcio CAs, Rekor logs, CT logs and TSAs,
/// each with the time window it may be used in.
///
/// The document is read strictly: unknown members, bad base64, certificates or keys that do not parse and key
/// types this tool cannot verify are errors naming the JSON pointer, never silently dropped, because a trust
/// anchor that quietly disappears changes what verifies.
public struct TrustedRoot: Sendable {
    /// A time range; an absent end means "still in use".
    public struct ValidityWindow: Sendable, Equatable {
        public let start: Date?
        public let end: Date?

        public init(start: Date?, end: Date?) {
            self.start = start
            self.end = end
        }

        public func contains(_ date: Date) -> Bool {
            if let start, date < start { return false }
            if let end, date > end { return false }
            return true
        }

        public var description: String {
            "\(start.map(RFC3339.format) ?? "the beginning") to \(end.map(RFC3339.format) ?? "now")"
        }
    }

    /// A transparency log (Rekor or a CT log): its key, the id entries name it by, and when the key was in use.
    public struct TransparencyLog: Sendable {
        public let baseURL: String
        public let logID: [UInt8]
        public let publicKey: PublicKey
        /// The protobuf-specs `PublicKeyDetails` name, e.g. `PKIX_ECDSA_P256_SHA_256`.
        public let keyDetails: String
        public let scheme: SignatureScheme
        public let validity: ValidityWindow
        /// The signed-note key id of the log's checkpoints, when the trusted root states it apart from the log id
        /// (`checkpointKeyId`, trusted root v0.2); otherwise checkpoints are signed under the log id itself.
        public let checkpointKeyID: [UInt8]?

        /// The id as Sigstore bundles and messages print it.
        public var logIDBase64: String { Base64.encode(logID) }

        /// The four bytes a checkpoint signature line starts with when this log signed it.
        public var checkpointKeyHint: [UInt8] { Array((checkpointKeyID ?? logID).prefix(4)) }
    }

    /// A certificate authority (Fulcio or a TSA): its chain, intermediate-side first and root last.
    public struct CertificateAuthority: Sendable {
        /// Where the authority serves; optional in protobuf-specs and never used offline, so an entry without one
        /// is as usable as any.
        public let uri: String?
        public let subject: String
        public let chain: [X509Certificate]
        public let validity: ValidityWindow

        /// The self-signed end of the chain, the path validation anchor.
        public var root: X509Certificate? { chain.last }
        public var intermediates: [X509Certificate] { Array(chain.dropLast()) }
    }

    public static let mediaTypes = [
        "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
        "application/vnd.dev.sigstore.trustedroot.v0.2+json",
    ]

    public let mediaType: String
    public let transparencyLogs: [TransparencyLog]
    public let certificateAuthorities: [CertificateAuthority]
    public let ctLogs: [TransparencyLog]
    public let timestampAuthorities: [CertificateAuthority]

    /// The Rekor log with this id, if the root has one.
    public func transparencyLog(id: [UInt8]) -> TransparencyLog? {
        transparencyLogs.first { $0.logID == id }
    }

    public func ctLog(id: [UInt8]) -> TransparencyLog? {
        ctLogs.first { $0.logID == id }
    }

    /// Parses a `trusted_root.json`; throws `JSONParseError` for bytes that are not JSON and
    /// `InvalidDocumentError` listing every problem, each at its JSON pointer.
    public static func parse(_ bytes: [UInt8]) throws -> TrustedRoot {
        let value = try StrictJSON.parse(bytes)
        let log = ProblemLog()
        guard let reader = ObjectReader.make(value, pointer: "", log: log) else {
            throw InvalidDocumentError(document: "trusted root", problems: log.problems)
        }
        let mediaType = reader.string("mediaType")
        if let mediaType, !mediaTypes.contains(mediaType) {
            log.add(reader.path("mediaType"), "unsupported media type \"\(mediaType)\" (expected one of "
                + mediaTypes.map { "\"\($0)\"" }.joined(separator: ", ") + ")")
        }
        let tlogs = reader.objects("tlogs", required: false) { transparencyLog($0) } ?? []
        let cas = reader.objects("certificateAuthorities", required: false) { certificateAuthority($0) } ?? []
        let ctlogs = reader.objects("ctlogs", required: false) { transparencyLog($0) } ?? []
        let tsas = reader.objects("timestampAuthorities", required: false) { certificateAuthority($0) } ?? []
        reader.finish()
        guard log.problems.isEmpty, let mediaType else {
            throw InvalidDocumentError(document: "trusted root", problems: log.problems)
        }
        return TrustedRoot(
            mediaType: mediaType, transparencyLogs: tlogs, certificateAuthorities: cas, ctLogs: ctlogs,
            timestampAuthorities: tsas)
    }

    // MARK: - Members

    private static func transparencyLog(_ reader: ObjectReader) -> TransparencyLog? {
        defer { reader.finish() }
        let baseURL = reader.string("baseUrl")
        if let hash = reader.string("hashAlgorithm"), hash != "SHA2_256" {
            reader.log.add(reader.path("hashAlgorithm"), "unsupported log hash algorithm \"\(hash)\" (SHA2_256 only)")
        }
        let key = reader.object("publicKey").flatMap { publicKey($0) }
        let logID = reader.object("logId").flatMap { keyID($0) }
        // A trusted root may name the signed-note key id of the log's checkpoints apart from its log id. It only
        // picks which checkpoint signature line to check; the signature must still verify with the log's key.
        let checkpointKeyID = reader.object("checkpointKeyId", required: false).flatMap { keyID($0) }
        _ = reader.string("operator", required: false)
        guard let baseURL, let key, let logID else { return nil }
        return TransparencyLog(
            baseURL: baseURL, logID: logID, publicKey: key.key, keyDetails: key.details, scheme: key.scheme,
            validity: key.validity, checkpointKeyID: checkpointKeyID)
    }

    private static func certificateAuthority(_ reader: ObjectReader) -> CertificateAuthority? {
        defer { reader.finish() }
        var subject = ""
        if let name = reader.object("subject", required: false) {
            let organization = name.string("organization", required: false)
            let commonName = name.string("commonName", required: false)
            name.finish()
            subject = [commonName.map { "CN=\($0)" }, organization.map { "O=\($0)" }].compactMap { $0 }
                .joined(separator: ",")
        }
        let uri = reader.string("uri", required: false)
        _ = reader.string("operator", required: false)
        let chain = reader.object("certChain").flatMap { chainReader -> [X509Certificate]? in
            defer { chainReader.finish() }
            let certificates = chainReader.objects("certificates") { certificate($0) }
            if let certificates, certificates.isEmpty {
                chainReader.log.add(chainReader.path("certificates"), "a certificate chain needs at least one certificate")
                return nil
            }
            return certificates
        }
        let validity = reader.object("validFor").flatMap { window($0) }
        guard let chain, let validity else { return nil }
        guard let root = chain.last, root.isIssued(by: root) else {
            reader.log.add(
                JSONPointer.appending("certificates", to: reader.path("certChain")),
                "the last certificate of the chain must be a self-signed root")
            return nil
        }
        for (index, certificate) in chain.dropLast().enumerated() where !certificate.isIssued(by: chain[index + 1]) {
            reader.log.add(
                JSONPointer.appending(String(index), to: JSONPointer.appending("certificates", to: reader.path("certChain"))),
                "certificate \(certificate.displayName) is not issued by the next certificate of the chain")
            return nil
        }
        return CertificateAuthority(uri: uri, subject: subject, chain: chain, validity: validity)
    }

    private static func certificate(_ reader: ObjectReader) -> X509Certificate? {
        defer { reader.finish() }
        guard let der = bytes(reader, "rawBytes") else { return nil }
        do {
            return try X509Certificate(der: der)
        } catch {
            reader.log.add(reader.path("rawBytes"), "not a usable certificate: \(error)")
            return nil
        }
    }

    private struct LogKey {
        let key: PublicKey
        let details: String
        let scheme: SignatureScheme
        let validity: ValidityWindow
    }

    /// The key types a log may use here, with the scheme and key type each implies.
    private static let keyDetails: [String: (type: KeyType?, scheme: SignatureScheme, pkcs1: Bool)] = [
        "PKIX_ECDSA_P256_SHA_256": (.ecdsaP256, .ecdsaP256SHA256, false),
        "PKIX_ECDSA_P384_SHA_384": (.ecdsaP384, .ecdsaP384SHA384, false),
        "PKIX_ECDSA_P521_SHA_512": (.ecdsaP521, .ecdsaP521SHA512, false),
        "PKIX_ED25519": (.ed25519, .ed25519, false),
        "PKIX_RSA_PKCS1V15_2048_SHA256": (.rsa(bits: 2048), .rsaPKCS1v15SHA256, false),
        "PKIX_RSA_PKCS1V15_3072_SHA256": (.rsa(bits: 3072), .rsaPKCS1v15SHA256, false),
        "PKIX_RSA_PKCS1V15_4096_SHA256": (.rsa(bits: 4096), .rsaPKCS1v15SHA256, false),
        // Deprecated in protobuf-specs but still in Sigstore's staging root: a bare PKCS#1 RSAPublicKey.
        "PKCS1_RSA_PKCS1V5": (nil, .rsaPKCS1v15SHA256, true),
    ]

    private static func publicKey(_ reader: ObjectReader) -> LogKey? {
        defer { reader.finish() }
        let raw = bytes(reader, "rawBytes")
        let details = reader.string("keyDetails")
        let validity = reader.object("validFor", required: false).flatMap { window($0) }
            ?? ValidityWindow(start: nil, end: nil)
        guard let raw, let details else { return nil }
        guard let expected = keyDetails[details] else {
            reader.log.add(
                reader.path("keyDetails"),
                "unsupported key type \"\(details)\" (supported: \(keyDetails.keys.sorted().joined(separator: ", ")))")
            return nil
        }
        do {
            let key = expected.pkcs1 ? try PublicKey(pkcs1RSAPublicKey: raw) : try PublicKey(subjectPublicKeyInfo: raw)
            let fits: Bool
            switch (expected.type, key.type) {
            case (nil, .rsa): fits = true
            case (let type?, let actual): fits = type == actual
            default: fits = false
            }
            guard fits else {
                reader.log.add(reader.path("rawBytes"), "a \(key.type) key does not match keyDetails \"\(details)\"")
                return nil
            }
            return LogKey(key: key, details: details, scheme: expected.scheme, validity: validity)
        } catch {
            reader.log.add(reader.path("rawBytes"), "not a usable public key: \(error)")
            return nil
        }
    }

    private static func keyID(_ reader: ObjectReader) -> [UInt8]? {
        defer { reader.finish() }
        guard let id = bytes(reader, "keyId") else { return nil }
        guard id.count == 32 else {
            reader.log.add(reader.path("keyId"), "a log id is 32 bytes, found \(id.count)")
            return nil
        }
        return id
    }

    private static func window(_ reader: ObjectReader) -> ValidityWindow? {
        defer { reader.finish() }
        let start = reader.timestamp("start", required: false).flatMap(RFC3339.parse)
        let end = reader.timestamp("end", required: false).flatMap(RFC3339.parse)
        if let start, let end, end < start {
            reader.log.add(reader.path("end"), "the window ends before it starts")
            return nil
        }
        return ValidityWindow(start: start, end: end)
    }

    /// A base64 member (standard alphabet, as protobuf JSON writes bytes).
    static func bytes(_ reader: ObjectReader, _ key: String) -> [UInt8]? {
        guard let text = reader.string(key) else { return nil }
        guard let decoded = Base64.decode(text), !decoded.isEmpty else {
            reader.log.add(reader.path(key), "not valid base64")
            return nil
        }
        return decoded
    }
}
