import AuditCrypto
import Foundation

/// A root certificate authority the organisation trusts for certificate-signed models, with who runs it, what the
/// certificates it issues may sign for, and when.
///
/// A signing certificate whose chain validates to this root signs with the CA entry's owner and roles. The entry
/// holds a self-signed CA certificate only: an intermediate listed here could otherwise end a partial chain.
public struct TrustedCA: Sendable {
    /// The root certificate, kept whole as the PEM file holds it.
    public let certificate: X509Certificate
    /// The PEM file's name inside the trust directory.
    public let file: String
    public let owner: String
    public let roles: [TrustRole]
    public let notBefore: Date?
    public let notAfter: Date?
    public let revoked: Bool
    public let note: String?

    public init(
        certificate: X509Certificate, file: String, owner: String, roles: [TrustRole], notBefore: Date? = nil,
        notAfter: Date? = nil, revoked: Bool = false, note: String? = nil
    ) {
        self.certificate = certificate
        self.file = file
        self.owner = owner
        self.roles = roles.sorted()
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.revoked = revoked
        self.note = note
    }

    /// `sha256:` and the lowercase hex SHA-256 of the certificate's DER, as `openssl x509 -fingerprint -sha256` shows
    /// it (without colons).
    public var fingerprint: String { "sha256:" + certificate.fingerprintSHA256 }

    /// Whether the CA may vouch for a signing certificate at `time`: not revoked, inside the entry's window and inside
    /// the certificate's own validity.
    public func status(at time: Date) -> KeyStatus {
        TrustedCertificateValidity.status(
            at: time, revoked: revoked, notBefore: notBefore, notAfter: notAfter, certificate: certificate)
    }
}

/// The validity rule shared by keys and CA roots: revocation, then the entry's window, then the certificate's own.
enum TrustedCertificateValidity {
    static func status(
        at time: Date, revoked: Bool, notBefore: Date?, notAfter: Date?, certificate: X509Certificate?
    ) -> KeyStatus {
        if revoked { return .revoked }
        if let notBefore, time < notBefore { return .notYetValid(notBefore) }
        if let notAfter, time > notAfter { return .expired(notAfter) }
        if let certificate {
            if time < certificate.notBefore { return .notYetValid(certificate.notBefore) }
            if time > certificate.notAfter { return .expired(certificate.notAfter) }
        }
        return .valid
    }
}
