import AuditCrypto
import Foundation

/// The certificate half of keyless verification: a Fulcio-issued leaf checked against a trusted root.
extension TrustedRoot {
    /// What the certificate checks established.
    public struct FulcioCertificate: Sendable {
        /// The validated path, leaf first.
        public let path: [X509Certificate]
        public let authority: CertificateAuthority
        public var leaf: X509Certificate { path[0] }
    }

    /// Validates `leaf` (with the certificates the bundle carried after it) to a Fulcio CA of this root that was
    /// valid at `time`, checking every certificate on the path at `time` (the integrated time, since a keyless
    /// leaf lives for minutes).
    public func validateFulcioCertificate(
        _ leaf: X509Certificate, chain: [X509Certificate], at time: Date
    ) throws -> FulcioCertificate {
        let current = certificateAuthorities.filter { $0.validity.contains(time) }
        guard !current.isEmpty else {
            throw SigstoreError.rejected(
                "no Fulcio CA of the trusted root was valid at \(RFC3339.format(time)) (windows: "
                    + certificateAuthorities.map { $0.validity.description }.joined(separator: "; ") + ")")
        }
        var failures: [String] = []
        for authority in current {
            guard let root = authority.root else { continue }
            let verifier = CertificateChainVerifier(roots: [root], intermediates: authority.intermediates)
            do {
                let path = try verifier.verify(leaf: leaf, untrustedChain: chain, at: time, requireCodeSigning: true)
                return FulcioCertificate(path: path, authority: authority)
            } catch let error as CryptoError {
                failures.append("\(authority.subject) (\(authority.validity.description)): \(error.message)")
            }
        }
        throw SigstoreError.rejected(
            "certificate \(leaf.displayName) does not chain to a Fulcio CA valid at \(RFC3339.format(time)): "
                + failures.joined(separator: "; "))
    }

    /// Verifies the leaf's embedded SCTs with this root's CT log keys; at least one must come from a known log,
    /// verify, and carry a timestamp inside that log key's validity window. Returns the SCTs that did.
    public func verifyEmbeddedSCTs(_ certificate: FulcioCertificate) throws -> [SignedCertificateTimestamp] {
        guard certificate.path.count >= 2 else {
            throw SigstoreError.rejected("certificate \(certificate.leaf.displayName) has no issuer to check its SCT")
        }
        var keys: [[UInt8]: PublicKey] = [:]
        for log in ctLogs { keys[log.logID] = log.publicKey }
        let verified: [SignedCertificateTimestamp]
        do {
            verified = try EmbeddedSCTs.verify(certificate.leaf, issuer: certificate.path[1], logs: keys)
        } catch let error as CryptoError {
            throw SigstoreError(error.kind == .malformedCertificate ? .malformed : .rejected, error.message)
        }
        let current = verified.filter { sct in ctLog(id: sct.logID)?.validity.contains(sct.date) == true }
        guard !current.isEmpty else {
            let seen = (try? EmbeddedSCTs.parse(certificate.leaf))?.map { Base64.encode($0.logID) } ?? []
            throw SigstoreError.rejected(
                "certificate \(certificate.leaf.displayName) has no SCT from a CT log of the trusted root that was "
                    + "valid at the SCT's time (SCT logs: \(seen.joined(separator: ", ")))")
        }
        return current
    }
}
