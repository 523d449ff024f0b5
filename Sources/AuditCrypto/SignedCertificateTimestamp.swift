internal import COpenSSL
import Foundation

/// A Certificate Transparency log's promise to publish a precertificate (RFC 6962 §3.2), as embedded in the
/// certificate's SCT-list extension.
public struct SignedCertificateTimestamp: Sendable, Equatable {
    public let version: UInt8
    /// SHA-256 of the log's DER SubjectPublicKeyInfo.
    public let logID: [UInt8]
    /// Milliseconds since the Unix epoch.
    public let timestamp: UInt64
    public let extensions: [UInt8]
    /// TLS `HashAlgorithm` (4 = SHA-256, 5 = SHA-384) and `SignatureAlgorithm` (1 = RSA, 3 = ECDSA).
    public let hashAlgorithm: UInt8
    public let signatureAlgorithm: UInt8
    public let signature: [UInt8]

    public var date: Date { Date(timeIntervalSince1970: TimeInterval(timestamp) / 1000) }

    /// The embedded SCT-list extension's OID.
    public static let extensionOID = "1.3.6.1.4.1.11129.2.4.2"
}

/// Reads and checks the SCTs a CA embedded in a certificate it issued.
///
/// The signed data is rebuilt from the certificate (RFC 6962 §3.2: the TBSCertificate without the SCT extension,
/// bound to the issuer's key hash), so nothing the log signed is taken from anywhere but the certificate itself.
public enum EmbeddedSCTs {
    /// The SCTs of the certificate's SCT-list extension, in order; empty when it has none.
    public static func parse(_ certificate: X509Certificate) throws -> [SignedCertificateTimestamp] {
        guard let value = certificate.extensionValue(oid: SignedCertificateTimestamp.extensionOID) else { return [] }
        var outer = TLSReader(value, what: "SCT extension")
        // extnValue holds an OCTET STRING whose contents are the TLS-encoded list.
        guard try outer.byte() == 0x04 else { throw malformed("SCT extension is not an OCTET STRING") }
        let contentLength = try outer.derLength()
        var list = TLSReader(try outer.bytes(contentLength), what: "SCT list")
        try outer.expectEnd()
        var entries = TLSReader(try list.vector(lengthBytes: 2), what: "SCT list")
        try list.expectEnd()
        var timestamps: [SignedCertificateTimestamp] = []
        while !entries.isAtEnd {
            var sct = TLSReader(try entries.vector(lengthBytes: 2), what: "SCT \(timestamps.count + 1)")
            let version = try sct.byte()
            guard version == 0 else { throw malformed("SCT \(timestamps.count + 1) has unknown version \(version)") }
            let logID = try sct.bytes(32)
            let timestamp = try sct.integer(8)
            let extensions = try sct.vector(lengthBytes: 2)
            let hash = try sct.byte()
            let algorithm = try sct.byte()
            let signature = try sct.vector(lengthBytes: 2)
            try sct.expectEnd()
            timestamps.append(
                SignedCertificateTimestamp(
                    version: version, logID: logID, timestamp: timestamp, extensions: extensions,
                    hashAlgorithm: hash, signatureAlgorithm: algorithm, signature: signature))
        }
        guard !timestamps.isEmpty else { throw malformed("SCT list is empty") }
        return timestamps
    }

    /// The SCTs whose log is among `logs` (keyed by log id) and whose signature verifies.
    ///
    /// An SCT naming a known log with a signature that does not verify is an error, not a skip: the certificate
    /// was altered, or the log misbehaved. SCTs of unknown logs are left out of the result.
    public static func verify(
        _ certificate: X509Certificate, issuer: X509Certificate, logs: [[UInt8]: PublicKey]
    ) throws -> [SignedCertificateTimestamp] {
        let timestamps = try parse(certificate)
        guard !timestamps.isEmpty else {
            throw CryptoError(.certificateRejected, "certificate \(certificate.displayName) has no embedded SCT")
        }
        let tbs = try precertificateTBS(certificate)
        let issuerKeyHash = try Digests.hash(issuer.publicKey.subjectPublicKeyInfo)
        var verified: [SignedCertificateTimestamp] = []
        for (position, sct) in timestamps.enumerated() {
            guard let key = logs[sct.logID] else { continue }
            let scheme = try scheme(for: sct, key: key, position: position + 1)
            let signed = signedData(sct, tbs: tbs, issuerKeyHash: issuerKeyHash)
            guard try key.isValidSignature(sct.signature, for: signed, scheme: scheme) else {
                throw CryptoError(
                    .certificateRejected,
                    "SCT \(position + 1) of certificate \(certificate.displayName) does not verify with the key of "
                        + "CT log \(Data(sct.logID).base64EncodedString())")
            }
            verified.append(sct)
        }
        return verified
    }

    /// The certificate's TBSCertificate re-encoded without the SCT-list extension: what the log saw.
    public static func precertificateTBS(_ certificate: X509Certificate) throws -> [UInt8] {
        guard let copy = X509_dup(certificate.x509) else {
            throw CryptoError.openSSL(.malformedCertificate, "cannot copy the certificate")
        }
        defer { X509_free(copy) }
        let index = X509_get_ext_by_NID(copy, NID_ct_precert_scts, -1)
        guard index >= 0 else {
            throw CryptoError(.certificateRejected, "certificate \(certificate.displayName) has no embedded SCT")
        }
        guard X509_get_ext_by_NID(copy, NID_ct_precert_scts, index) < 0 else {
            throw malformed("certificate \(certificate.displayName) has two SCT-list extensions")
        }
        guard let removed = X509_delete_ext(copy, index) else {
            throw CryptoError.openSSL(.malformedCertificate, "cannot remove the SCT-list extension")
        }
        X509_EXTENSION_free(removed)
        let length = i2d_re_X509_tbs(copy, nil)
        guard length > 0 else { throw CryptoError.openSSL(.malformedCertificate, "cannot encode the precertificate") }
        var tbs = [UInt8](repeating: 0, count: Int(length))
        let written = tbs.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor = buffer.baseAddress
            return i2d_re_X509_tbs(copy, &cursor)
        }
        guard written == length else {
            throw CryptoError.openSSL(.malformedCertificate, "cannot encode the precertificate")
        }
        return tbs
    }

    /// RFC 6962 §3.2 `digitally-signed` input for a precert entry.
    static func signedData(_ sct: SignedCertificateTimestamp, tbs: [UInt8], issuerKeyHash: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [sct.version, 0]  // signature_type certificate_timestamp
        out += bigEndian(sct.timestamp, bytes: 8)
        out += [0, 1]  // entry_type precert_entry
        out += issuerKeyHash
        out += bigEndian(UInt64(tbs.count), bytes: 3) + tbs
        out += bigEndian(UInt64(sct.extensions.count), bytes: 2) + sct.extensions
        return out
    }

    private static func scheme(
        for sct: SignedCertificateTimestamp, key: PublicKey, position: Int
    ) throws -> SignatureScheme {
        switch (sct.hashAlgorithm, sct.signatureAlgorithm, key.type) {
        case (4, 3, .ecdsaP256): return .ecdsaP256SHA256
        case (5, 3, .ecdsaP384): return .ecdsaP384SHA384
        case (4, 1, .rsa): return .rsaPKCS1v15SHA256
        default:
            throw CryptoError(
                .certificateRejected,
                "SCT \(position) uses hash \(sct.hashAlgorithm) / signature \(sct.signatureAlgorithm), which does not "
                    + "fit the \(key.type) key of its log")
        }
    }

    private static func bigEndian(_ value: UInt64, bytes: Int) -> [UInt8] {
        (0..<bytes).reversed().map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
    }

    fileprivate static func malformed(_ message: String) -> CryptoError {
        CryptoError(.malformedCertificate, message)
    }
}

/// A cursor over TLS presentation-language bytes (big-endian integers, length-prefixed vectors).
private struct TLSReader {
    private let bytes: [UInt8]
    private var offset = 0
    private let what: String

    init(_ bytes: [UInt8], what: String) {
        self.bytes = bytes
        self.what = what
    }

    var isAtEnd: Bool { offset == bytes.count }

    mutating func byte() throws -> UInt8 {
        try bytes(1)[0]
    }

    mutating func bytes(_ count: Int) throws -> [UInt8] {
        guard count >= 0, bytes.count - offset >= count else {
            throw EmbeddedSCTs.malformed("\(what) is truncated")
        }
        defer { offset += count }
        return Array(bytes[offset..<(offset + count)])
    }

    mutating func integer(_ count: Int) throws -> UInt64 {
        try bytes(count).reduce(0) { $0 << 8 | UInt64($1) }
    }

    mutating func vector(lengthBytes: Int) throws -> [UInt8] {
        try bytes(Int(try integer(lengthBytes)))
    }

    /// A DER length (short or long form, at most four length bytes).
    mutating func derLength() throws -> Int {
        let first = try byte()
        if first < 0x80 { return Int(first) }
        let count = Int(first & 0x7F)
        guard count >= 1, count <= 4 else { throw EmbeddedSCTs.malformed("\(what) has a bad DER length") }
        return Int(try integer(count))
    }

    func expectEnd() throws {
        guard isAtEnd else { throw EmbeddedSCTs.malformed("\(what) has \(bytes.count - offset) trailing bytes") }
    }
}
