internal import COpenSSL
import Foundation

/// One name from a certificate's subjectAlternativeName extension, as identity policies compare it.
public enum SubjectAlternativeName: Sendable, Equatable, CustomStringConvertible {
    case email(String)
    case uri(String)
    case dns(String)
    /// Any other form (otherName, IP address, directory name…), described in OpenSSL's one-line form.
    case other(String)

    /// The name itself, without its kind.
    public var value: String {
        switch self {
        case .email(let text), .uri(let text), .dns(let text), .other(let text): return text
        }
    }

    public var description: String {
        switch self {
        case .email(let text): return "email:\(text)"
        case .uri(let text): return "URI:\(text)"
        case .dns(let text): return "DNS:\(text)"
        case .other(let text): return text
        }
    }
}

/// An X.509 certificate parsed by OpenSSL, with the fields signature verification and identity policies read.
///
/// Every field is read once when the certificate is loaded, so the object is immutable afterwards and safe to
/// share between tasks; the owned `X509` is only handed to OpenSSL for path validation, which reads it.
public final class X509Certificate: @unchecked Sendable, Equatable, CustomStringConvertible {
    let x509: OpaquePointer
    /// The certificate's DER encoding, exactly as it was given.
    public let der: [UInt8]
    /// The subject in RFC 2253 order on one line (`CN=…,O=…`); empty for Fulcio leaves, which have none.
    public let subject: String
    public let issuer: String
    /// Lowercase hex of the serial number, without leading zeros.
    public let serialNumberHex: String
    public let notBefore: Date
    public let notAfter: Date
    public let publicKey: PublicKey
    public let subjectAlternativeNames: [SubjectAlternativeName]
    /// True when a keyUsage extension is present and asserts digitalSignature.
    public let allowsDigitalSignature: Bool
    /// True when an extendedKeyUsage extension is present and lists id-kp-codeSigning.
    public let allowsCodeSigning: Bool
    /// True when basicConstraints says cA.
    public let isCA: Bool
    /// Lowercase hex SHA-256 of the DER, the certificate's fingerprint.
    public let fingerprintSHA256: String

    /// Fulcio's OIDC issuer extension, version 1: the raw issuer URL as the extension value.
    public static let fulcioIssuerV1OID = "1.3.6.1.4.1.57264.1.1"
    /// Fulcio's OIDC issuer extension, version 2: a DER UTF8String.
    public static let fulcioIssuerV2OID = "1.3.6.1.4.1.57264.1.8"

    /// Takes ownership of `x509`.
    init(owning x509: OpaquePointer) throws {
        do {
            let der = try Self.encode(x509)
            self.der = der
            self.subject = try Self.name(X509_get_subject_name(x509), what: "subject")
            self.issuer = try Self.name(X509_get_issuer_name(x509), what: "issuer")
            self.serialNumberHex = try Self.serialHex(x509)
            guard let notBefore = Self.date(X509_get0_notBefore(x509)),
                let notAfter = Self.date(X509_get0_notAfter(x509))
            else {
                throw CryptoError.openSSL(.malformedCertificate, "certificate validity dates cannot be read")
            }
            self.notBefore = notBefore
            self.notAfter = notAfter
            guard let pkey = X509_get_pubkey(x509) else {
                throw CryptoError.openSSL(.malformedCertificate, "certificate public key cannot be read")
            }
            self.publicKey = try PublicKey(owning: pkey)
            self.subjectAlternativeNames = Self.alternativeNames(x509)
            // Reading the flags makes OpenSSL cache the extensions; an invalid one sets EXFLAG_INVALID.
            let flags = X509_get_extension_flags(x509)
            guard flags & UInt32(EXFLAG_INVALID) == 0 else {
                throw CryptoError.openSSL(.malformedCertificate, "certificate has an invalid or repeated extension")
            }
            self.allowsDigitalSignature = flags & UInt32(EXFLAG_KUSAGE) != 0
                && X509_get_key_usage(x509) & UInt32(KU_DIGITAL_SIGNATURE) != 0
            self.allowsCodeSigning = flags & UInt32(EXFLAG_XKUSAGE) != 0
                && X509_get_extended_key_usage(x509) & UInt32(XKU_CODE_SIGN) != 0
            self.isCA = flags & UInt32(EXFLAG_BCONS) != 0 && flags & UInt32(EXFLAG_CA) != 0
            self.fingerprintSHA256 = try Digests.sha256Hex(der)
        } catch {
            X509_free(x509)
            OpenSSLErrorQueue.clear()
            throw error
        }
        self.x509 = x509
    }

    deinit {
        X509_free(x509)
    }

    /// Parses one DER certificate; trailing bytes are refused.
    public convenience init(der: [UInt8]) throws {
        guard !der.isEmpty else { throw CryptoError(.malformedCertificate, "empty certificate") }
        let x509 = try der.withUnsafeBufferPointer { buffer -> OpaquePointer in
            var cursor = buffer.baseAddress
            guard let start = buffer.baseAddress, let x509 = d2i_X509(nil, &cursor, buffer.count) else {
                throw CryptoError.openSSL(.malformedCertificate, "not a DER X.509 certificate")
            }
            guard cursor == start + buffer.count else {
                X509_free(x509)
                throw CryptoError(.malformedCertificate, "trailing bytes after the DER certificate")
            }
            return x509
        }
        try self.init(owning: x509)
    }

    /// Every `CERTIFICATE` block of a PEM file, in order.
    ///
    /// Only whitespace (spaces, tabs, line breaks) may stand outside the blocks: text between or around them (another
    /// block type, a comment) is refused rather than skipped, so a file never means more or less than it seems to.
    /// The file is searched and decoded as bytes (`PEMText`), as key files are.
    public static func certificates(pem: [UInt8]) throws -> [X509Certificate] {
        guard pem.count <= 4 * 1024 * 1024 else {
            throw CryptoError(.malformedCertificate, "PEM certificate file larger than 4 MiB")
        }
        let begin = "-----BEGIN CERTIFICATE-----"
        let end = "-----END CERTIFICATE-----"
        let beginBytes = Array(begin.utf8), endBytes = Array(end.utf8)
        guard PEMText.firstRange(of: beginBytes, in: pem[...]) != nil else {
            throw CryptoError(.malformedCertificate, "not a PEM certificate file (no \(begin) line)")
        }
        var certificates: [X509Certificate] = []
        var rest = pem[...]
        while true {
            let start = PEMText.firstRange(of: beginBytes, in: rest)
            let outside = rest[..<(start?.lowerBound ?? rest.endIndex)]
            if outside.contains(where: { !PEMText.isASCIIWhitespace($0) }) {
                let position =
                    certificates.isEmpty ? "before the first certificate" : "after certificate \(certificates.count)"
                let sample = String(decoding: outside, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                throw CryptoError(.malformedCertificate, "unexpected text \(position): \"\(sample.prefix(40))\"")
            }
            guard let start else { break }
            let afterBegin = rest[start.upperBound...]
            guard let stop = PEMText.firstRange(of: endBytes, in: afterBegin) else {
                throw CryptoError(
                    .malformedCertificate, "certificate \(certificates.count + 1) has no \(end) line")
            }
            guard let der = PEMText.decodeBody(afterBegin[..<stop.lowerBound]) else {
                throw CryptoError(.malformedCertificate, "certificate \(certificates.count + 1) is not valid base64")
            }
            do {
                certificates.append(try X509Certificate(der: der))
            } catch let error as CryptoError {
                throw CryptoError(
                    error.kind, "certificate \(certificates.count + 1): \(error.message)",
                    openSSLErrors: error.openSSLErrors)
            }
            rest = afterBegin[stop.upperBound...]
        }
        return certificates
    }

    /// The certificate as one PEM `CERTIFICATE` block.
    public var pem: String {
        let body = Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return "-----BEGIN CERTIFICATE-----\n\(body)\n-----END CERTIFICATE-----\n"
    }

    /// The contents of the extnValue OCTET STRING of the extension `oid` (dotted form), or `nil` when absent.
    public func extensionValue(oid: String) -> [UInt8]? {
        guard let object = OBJ_txt2obj(oid, 1) else {
            OpenSSLErrorQueue.clear()
            return nil
        }
        defer { ASN1_OBJECT_free(object) }
        let index = X509_get_ext_by_OBJ(x509, object, -1)
        guard index >= 0, let ext = X509_get_ext(x509, index), let data = X509_EXTENSION_get_data(ext) else {
            return nil
        }
        return Self.bytes(of: data)
    }

    /// The OIDC issuer Fulcio recorded: the v2 extension (a DER UTF8String) when present, else the v1 raw string.
    public var fulcioIssuer: String? {
        if let value = extensionValue(oid: Self.fulcioIssuerV2OID) {
            return DERString.utf8String(value)
        }
        if let value = extensionValue(oid: Self.fulcioIssuerV1OID) {
            return String(validating: value, as: UTF8.self)
        }
        return nil
    }

    /// A name for messages: the subject, or for a subject-less leaf its first alternative name, plus the serial.
    public var displayName: String {
        let name = subject.isEmpty ? (subjectAlternativeNames.first?.description ?? "(no subject)") : subject
        return "\"\(name)\" (serial \(serialNumberHex))"
    }

    public var description: String { displayName }

    /// True when `other`'s subject names this certificate's issuer and its key signed this certificate.
    public func isIssued(by other: X509Certificate) -> Bool {
        let result = X509_check_issued(other.x509, x509) == X509_V_OK
        OpenSSLErrorQueue.clear()
        return result
    }

    public static func == (lhs: X509Certificate, rhs: X509Certificate) -> Bool {
        lhs.der == rhs.der
    }

    // MARK: - Reading fields

    private static func encode(_ x509: OpaquePointer) throws -> [UInt8] {
        let length = i2d_X509(x509, nil)
        guard length > 0 else { throw CryptoError.openSSL(.malformedCertificate, "certificate cannot be encoded") }
        var der = [UInt8](repeating: 0, count: Int(length))
        let written = der.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor = buffer.baseAddress
            return i2d_X509(x509, &cursor)
        }
        guard written == length else {
            throw CryptoError.openSSL(.malformedCertificate, "certificate cannot be encoded")
        }
        return der
    }

    private static func name(_ name: OpaquePointer?, what: String) throws -> String {
        guard let name else { throw CryptoError.openSSL(.malformedCertificate, "certificate \(what) missing") }
        // Fulcio leaves have an empty subject; OpenSSL prints nothing for it.
        guard X509_NAME_entry_count(name) > 0 else { return "" }
        // XN_FLAG_RFC2253 without escaping UTF-8 bytes, so names read as written (the macro does not import).
        let stringFlags: UInt = UInt(ASN1_STRFLGS_ESC_2253) | UInt(ASN1_STRFLGS_ESC_CTRL)
            | UInt(ASN1_STRFLGS_UTF8_CONVERT) | UInt(ASN1_STRFLGS_DUMP_UNKNOWN) | UInt(ASN1_STRFLGS_DUMP_DER)
        let nameFlags: UInt = UInt(XN_FLAG_SEP_COMMA_PLUS) | UInt(XN_FLAG_DN_REV) | UInt(XN_FLAG_DUMP_UNKNOWN_FIELDS)
        let flags = stringFlags | nameFlags
        let bytes = try OpenSSLSupport.collectBIO("certificate \(what)") { bio in
            X509_NAME_print_ex(bio, name, 0, flags) >= 0 ? 1 : 0
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func serialHex(_ x509: OpaquePointer) throws -> String {
        guard let serial = X509_get0_serialNumber(x509), let number = ASN1_INTEGER_to_BN(serial, nil) else {
            throw CryptoError.openSSL(.malformedCertificate, "certificate serial number cannot be read")
        }
        defer { BN_free(number) }
        guard let hex = BN_bn2hex(number) else {
            throw CryptoError.openSSL(.malformedCertificate, "certificate serial number cannot be read")
        }
        defer { CRYPTO_free(hex, #fileID, #line) }
        return String(cString: hex).lowercased()
    }

    private static func date(_ time: UnsafePointer<ASN1_TIME>?) -> Date? {
        guard let time else { return nil }
        var parts = tm()
        guard ASN1_TIME_to_tm(time, &parts) == 1 else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(timegm(&parts)))
    }

    static func bytes(of string: UnsafePointer<ASN1_STRING>) -> [UInt8] {
        let length = Int(ASN1_STRING_length(string))
        guard length > 0, let data = ASN1_STRING_get0_data(string) else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: length))
    }

    private static func alternativeNames(_ x509: OpaquePointer) -> [SubjectAlternativeName] {
        guard let raw = X509_get_ext_d2i(x509, NID_subject_alt_name, nil, nil) else {
            OpenSSLErrorQueue.clear()
            return []
        }
        let names = OpaquePointer(raw)
        defer { GENERAL_NAMES_free(names) }
        var out: [SubjectAlternativeName] = []
        for index in 0..<OPENSSL_sk_num(names) {
            guard let element = OPENSSL_sk_value(names, index) else { continue }
            let name = element.assumingMemoryBound(to: GENERAL_NAME.self)
            switch name.pointee.type {
            case GEN_EMAIL:
                out.append(.email(text(name.pointee.d.rfc822Name)))
            case GEN_URI:
                out.append(.uri(text(name.pointee.d.uniformResourceIdentifier)))
            case GEN_DNS:
                out.append(.dns(text(name.pointee.d.dNSName)))
            default:
                out.append(.other(otherDescription(name)))
            }
        }
        return out
    }

    private static func text(_ string: UnsafeMutablePointer<ASN1_STRING>?) -> String {
        guard let string else { return "" }
        return String(decoding: bytes(of: string), as: UTF8.self)
    }

    /// OpenSSL's own one-line rendering of a name form this type does not model (e.g. `othername: …`).
    private static func otherDescription(_ name: UnsafeMutablePointer<GENERAL_NAME>) -> String {
        let bytes = try? OpenSSLSupport.collectBIO("alternative name") { bio in GENERAL_NAME_print(bio, name) }
        return bytes.map { String(decoding: $0, as: UTF8.self) } ?? "unreadable name"
    }
}

/// The few DER string shapes certificate extensions carry.
enum DERString {
    /// The text of a DER UTF8String (tag 12) that fills `bytes` exactly; `nil` for anything else.
    static func utf8String(_ bytes: [UInt8]) -> String? {
        guard bytes.count >= 2, bytes[0] == 0x0C else { return nil }
        var length = 0
        var offset = 2
        if bytes[1] < 0x80 {
            length = Int(bytes[1])
        } else {
            let count = Int(bytes[1] & 0x7F)
            guard count >= 1, count <= 3, bytes.count >= 2 + count else { return nil }
            for byte in bytes[2..<(2 + count)] { length = length << 8 | Int(byte) }
            offset = 2 + count
        }
        guard bytes.count == offset + length else { return nil }
        return String(validating: bytes[offset...], as: UTF8.self)
    }
}
