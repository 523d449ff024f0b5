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
/// 2. The chain is path-validated by OpenSSL to one of `roots`, with `intermediates` and the bundle's own
///    certificates as untrusted helpers; validity is checked at the time given, not at the leaf's start date.
/// 3. The leaf must allow digitalSignature and codeSigning, and carry the required identity when one is set.
/// The leaf's key then signs for the bundle, named by the certificate's subject and issuer.
public struct OMSCertificateChainValidator: OMSCertificateValidator {
    let verifier: CertificateChainVerifier
    let identity: OMSCertificateIdentity?

    public init(
        rootsPEM: [UInt8], rootsFile: String, intermediatesPEM: [UInt8]?, intermediatesFile: String?,
        identity: OMSCertificateIdentity?
    ) throws {
        let roots: [X509Certificate]
        do {
            roots = try X509Certificate.certificates(pem: rootsPEM)
        } catch {
            throw CryptoError(.malformedCertificate, "--ca-roots \(rootsFile): \(error)")
        }
        guard !roots.isEmpty else {
            throw CryptoError(.malformedCertificate, "--ca-roots \(rootsFile): no PEM certificates")
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
        verifier = CertificateChainVerifier(roots: roots, intermediates: intermediates)
        self.identity = identity
    }

    public func signer(chain: [[UInt8]], at time: Date) -> Result<TrustedKey, OMSCertificateRejection> {
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
        do {
            _ = try verifier.verify(
                leaf: leaf, untrustedChain: Array(certificates.dropFirst()), at: time, requireCodeSigning: true)
        } catch {
            return .failure(OMSCertificateRejection("\(error)"))
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
        let owner = "\(leaf.subject) (issued by \(leaf.issuer))"
        return .success(
            TrustedKey(
                publicKey: leaf.publicKey, file: "certificate \(leaf.serialNumberHex)", owner: owner, roles: [],
                scheme: scheme,
                identity: SignerIdentity(
                    kind: .certificate, keyID: leaf.publicKey.keyID, certificateSubject: leaf.subject,
                    certificateIssuer: leaf.issuer)))
    }
}
