import AuditCrypto
import Foundation

/// Which signing identity a certificate must carry in its subject alternative names (an e-mail or a URI).
public enum OMSCertificateIdentity: Sendable, Equatable {
    case exact(String)
    /// A regular expression that must match a whole SAN.
    case pattern(String)
}

/// Validates a bundle's certificate chain (leaf first) against the given roots only, at the evaluation time.
///
/// 1. Each certificate must be DER X.509; the leaf comes first (a CA certificate first, or a leaf later in the
///    list, is a chain in the wrong order).
/// 2. The chain is path-validated by OpenSSL to one of the roots — those given directly (`--ca-roots`) and the trust
///    store's `ca` entries — with `intermediates` and the bundle's own certificates as untrusted helpers; validity is
///    checked at the time given, not at the leaf's start date. A trust store root must also be usable at that time
///    (not revoked, inside its entry's window).
/// 3. The leaf must allow digitalSignature and codeSigning, and carry the required identity when one is set.
/// The leaf's key then signs for the bundle. Under a trust store root it signs with that CA's owner and roles; under a
/// root given directly it is named by the certificate's subject and issuer and has no roles.
public struct OMSCertificateChainValidator: OMSCertificateValidator {
    let verifier: CertificateChainVerifier
    let identity: OMSCertificateIdentity?
    /// The trust store's roots, whose owner and roles a certificate chaining to them signs with.
    let authorities: [TrustedCA]

    public init(
        rootsPEM: [UInt8], rootsFile: String, intermediatesPEM: [UInt8]?, intermediatesFile: String?,
        identity: OMSCertificateIdentity?
    ) throws {
        try self.init(
            roots: try Self.roots(pem: rootsPEM, file: rootsFile), authorities: [], intermediatesPEM: intermediatesPEM, intermediatesFile: intermediatesFile,
            identity: identity)
    }

    /// The certificates of a `--ca-roots` file: at least one, every block a certificate.
    public static func roots(pem: [UInt8], file: String) throws -> [X509Certificate] {
        let roots: [X509Certificate]
        do {
            roots = try X509Certificate.certificates(pem: pem)
        } catch {
            throw CryptoError(.malformedCertificate, "--ca-roots \(file): \(error)")
        }
        guard !roots.isEmpty else {
            throw CryptoError(.malformedCertificate, "--ca-roots \(file): no PEM certificates")
        }
        return roots
    }

    /// Roots given directly (already read) and the trust store's CA roots; at least one of the two.
    public init(
        roots: [X509Certificate], authorities: [TrustedCA], intermediatesPEM: [UInt8]?, intermediatesFile: String?,
        identity: OMSCertificateIdentity?
    ) throws {
        guard !roots.isEmpty || !authorities.isEmpty else {
            throw CryptoError(.malformedCertificate, "no CA roots to validate certificates against")
        }
        var intermediates: [X509Certificate] = []
        if let intermediatesPEM {
            do {
                intermediates = try X509Certificate.certificates(pem: intermediatesPEM)
            } catch {
                throw CryptoError(
                    .malformedCertificate, "--ca-intermediates \(intermediatesFile ?? ""): \(error)")
            }
        }
        // Only self-signed roots anchor a path (the verifier allows no partial chain), so an intermediate given as a
        // root never makes a chain that stops at it trusted.
        verifier = CertificateChainVerifier(
            roots: roots + authorities.map(\.certificate), intermediates: intermediates)
        self.identity = identity
        self.authorities = authorities
    }

    public func signer(chain: [[UInt8]], at time: Date) -> Result<OMSCertificateSigner, OMSCertificateRejection> {
        var certificates: [X509Certificate] = []
        for (index, der) in chain.enumerated() {
            do {
                certificates.append(try X509Certificate(der: der))
            } catch {
                return .failure(
                    OMSCertificateRejection(
                        "certificate \(index) of the bundle is not a DER X.509 certificate: \(error)"))
            }
        }
        guard let leaf = certificates.first else {
            return .failure(OMSCertificateRejection("the bundle carries no certificate"))
        }
        if leaf.isCA {
            return .failure(
                OMSCertificateRejection(
                    "the chain is in the wrong order: certificate 0, \(leaf.displayName), is a CA; the signing "
                        + "certificate comes first"))
        }
        if let misplaced = certificates.dropFirst().firstIndex(where: { !$0.isCA }) {
            return .failure(
                OMSCertificateRejection(
                    "the chain is in the wrong order: certificate \(misplaced), "
                        + "\(certificates[misplaced].displayName), is not a CA"))
        }
        let path: [X509Certificate]
        do {
            path = try verifier.verify(
                leaf: leaf, untrustedChain: Array(certificates.dropFirst()), at: time, requireCodeSigning: true)
        } catch {
            return .failure(OMSCertificateRejection("\(error)"))
        }
        // The store's entry decides for its root even when the same root was also given directly: a revoked or
        // expired entry must not be revived by a command-line flag.
        let authority = path.last.flatMap { anchor in authorities.first { $0.certificate == anchor } }
        if let authority {
            let status = authority.status(at: time)
            guard status.isValid else {
                return .failure(
                    OMSCertificateRejection(
                        "\(leaf.displayName) chains to the trusted CA root \(authority.file) (\(authority.owner)), "
                            + "but that CA is \(status)"))
            }
        }
        guard leaf.allowsDigitalSignature, leaf.allowsCodeSigning else {
            return .failure(
                OMSCertificateRejection(
                    "\(leaf.displayName) may not sign code (it needs key usage digitalSignature and extended key usage "
                        + "codeSigning)"))
        }
        let identities = leaf.subjectAlternativeNames.compactMap { name -> String? in
            switch name {
            case .email(let value), .uri(let value): return value
            default: return nil
            }
        }
        if let identity {
            let matches: Bool
            switch identity {
            case .exact(let wanted):
                matches = identities.contains(wanted)
            case .pattern(let pattern):
                let regex = try? NSRegularExpression(pattern: "^(?:\(pattern))$")
                matches = identities.contains { value in
                    regex?.firstMatch(in: value, range: NSRange(value.startIndex..., in: value)) != nil
                }
            }
            guard matches else {
                let shown = identities.isEmpty ? "none" : identities.joined(separator: ", ")
                return .failure(
                    OMSCertificateRejection(
                        "\(leaf.displayName) is not the required identity (its e-mail and URI names: \(shown))"))
            }
        }
        guard let scheme = leaf.publicKey.type.impliedScheme else {
            return .failure(
                OMSCertificateRejection(
                    "\(leaf.displayName) holds a \(leaf.publicKey.type) key, which OMS does not use"))
        }
        let certificate = "\(leaf.subject) (issued by \(leaf.issuer))"
        let identity = SignerIdentity(
            kind: .certificate, keyID: leaf.publicKey.keyID, certificateSubject: leaf.subject,
            certificateIssuer: leaf.issuer)
        guard let authority else {
            return .success(
                OMSCertificateSigner(
                    key: TrustedKey(
                        publicKey: leaf.publicKey, file: "certificate \(leaf.serialNumberHex)", owner: certificate,
                        roles: [], scheme: scheme, identity: identity),
                    certificate: certificate))
        }
        return .success(
            OMSCertificateSigner(
                key: TrustedKey(
                    publicKey: leaf.publicKey, file: "certificate \(leaf.serialNumberHex) under \(authority.file)",
                    owner: authority.owner, roles: authority.roles, scheme: scheme, identity: identity),
                certificate: certificate, authority: authority))
    }
}
