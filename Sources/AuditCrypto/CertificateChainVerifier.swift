internal import COpenSSL
import Foundation

/// Validates a certificate path from a leaf to one of a fixed set of root certificates, at a given time.
///
/// Only the given roots are trust anchors: the system store is never consulted and partial chains are not
/// accepted, so an intermediate listed among the roots does not make a path that stops at it trusted. The
/// caller's chain must be in order (each certificate issued by the next) and every certificate in it must lie
/// on the validated path; a shuffled chain or a stray certificate is refused by name rather than quietly
/// rearranged, because a bundle that says something different from what it proves should not verify.
public struct CertificateChainVerifier: Sendable {
    public let roots: [X509Certificate]
    public let intermediates: [X509Certificate]

    public init(roots: [X509Certificate], intermediates: [X509Certificate] = []) {
        self.roots = roots
        self.intermediates = intermediates
    }

    /// The validated path leaf…root.
    ///
    /// - Parameters:
    ///   - untrustedChain: the certificates that came with the leaf, after it, leaf-side first; a copy of the
    ///     leaf at its head is ignored.
    ///   - time: the instant every certificate on the path must be valid at.
    ///   - requireCodeSigning: the leaf must carry keyUsage digitalSignature and extendedKeyUsage codeSigning.
    /// - Throws: `CryptoError` (`.certificateRejected`) naming the certificate and the reason.
    public func verify(
        leaf: X509Certificate, untrustedChain: [X509Certificate], at time: Date, requireCodeSigning: Bool = true
    ) throws -> [X509Certificate] {
        guard !roots.isEmpty else {
            throw CryptoError(.certificateRejected, "no root certificates to validate \(leaf.displayName) against")
        }
        var chain = untrustedChain
        if chain.first == leaf { chain.removeFirst() }
        try checkOrder(leaf: leaf, chain: chain)
        let path = try validatedPath(leaf: leaf, untrusted: chain + intermediates, at: time)
        for certificate in chain where !path.contains(certificate) {
            throw CryptoError(
                .certificateRejected,
                "certificate \(certificate.displayName) in the chain is not on the path from \(leaf.displayName) "
                    + "to a trusted root")
        }
        if requireCodeSigning {
            guard leaf.allowsDigitalSignature else {
                throw CryptoError(
                    .certificateRejected, "leaf certificate \(leaf.displayName) lacks keyUsage digitalSignature")
            }
            guard leaf.allowsCodeSigning else {
                throw CryptoError(
                    .certificateRejected, "leaf certificate \(leaf.displayName) lacks extendedKeyUsage codeSigning")
            }
        }
        return path
    }

    /// Each certificate of the chain must be issued by the one after it, starting from the leaf.
    private func checkOrder(leaf: X509Certificate, chain: [X509Certificate]) throws {
        var child = leaf
        for (position, certificate) in chain.enumerated() {
            guard child.isIssued(by: certificate) else {
                let issuerElsewhere = chain.contains { child.isIssued(by: $0) }
                let reason = issuerElsewhere
                    ? "the chain is out of order (each certificate must be followed by its issuer)"
                    : "it did not issue \(child.displayName)"
                throw CryptoError(
                    .certificateRejected,
                    "chain certificate \(position + 1) \(certificate.displayName) is misplaced: \(reason)")
            }
            child = certificate
        }
    }

    private func validatedPath(
        leaf: X509Certificate, untrusted: [X509Certificate], at time: Date
    ) throws -> [X509Certificate] {
        guard let store = X509_STORE_new() else {
            throw CryptoError.openSSL(.certificateRejected, "cannot allocate a certificate store")
        }
        defer { X509_STORE_free(store) }
        for root in roots where X509_STORE_add_cert(store, root.x509) != 1 {
            // A root given twice is harmless; anything else OpenSSL refuses is not.
            let errors = OpenSSLErrorQueue.drain()
            if !errors.allSatisfy({ $0.contains("already in hash table") }) {
                throw CryptoError(.certificateRejected, "cannot add root \(root.displayName)", openSSLErrors: errors)
            }
        }
        guard let stack = OPENSSL_sk_new_null() else {
            throw CryptoError.openSSL(.certificateRejected, "cannot allocate a certificate list")
        }
        defer { OPENSSL_sk_free(stack) }
        for certificate in untrusted {
            guard OPENSSL_sk_push(stack, UnsafeRawPointer(certificate.x509)) > 0 else {
                throw CryptoError.openSSL(.certificateRejected, "cannot build the certificate list")
            }
        }
        guard let context = X509_STORE_CTX_new() else {
            throw CryptoError.openSSL(.certificateRejected, "cannot allocate a verification context")
        }
        defer { X509_STORE_CTX_free(context) }
        guard X509_STORE_CTX_init(context, store, leaf.x509, stack) == 1,
            let parameters = X509_STORE_CTX_get0_param(context)
        else {
            throw CryptoError.openSSL(.certificateRejected, "cannot set up certificate path validation")
        }
        X509_VERIFY_PARAM_set_time(parameters, time_t(time.timeIntervalSince1970.rounded(.down)))
        // No X509_V_FLAG_PARTIAL_CHAIN: a path must end at a self-signed root from `roots`.
        X509_VERIFY_PARAM_clear_flags(parameters, UInt(X509_V_FLAG_PARTIAL_CHAIN))

        guard X509_verify_cert(context) == 1 else {
            let code = X509_STORE_CTX_get_error(context)
            let depth = X509_STORE_CTX_get_error_depth(context)
            let reason = X509_verify_cert_error_string(Int(code)).map { String(cString: $0) } ?? "error \(code)"
            let culprit = X509_STORE_CTX_get_current_cert(context).flatMap { pointer -> String? in
                if pointer == leaf.x509 { return "leaf certificate \(leaf.displayName)" }
                return (untrusted + roots).first { $0.x509 == pointer }.map { "certificate \($0.displayName)" }
            } ?? "certificate at depth \(depth)"
            OpenSSLErrorQueue.clear()
            let when = Self.timestamp(time)
            throw CryptoError(.certificateRejected, "\(culprit) rejected at \(when): \(reason)")
        }
        guard let validated = X509_STORE_CTX_get0_chain(context) else {
            throw CryptoError.openSSL(.certificateRejected, "OpenSSL validated no path")
        }
        var path: [X509Certificate] = []
        let known = [leaf] + untrusted + roots
        for index in 0..<OPENSSL_sk_num(validated) {
            guard let element = OPENSSL_sk_value(validated, index),
                let certificate = known.first(where: { UnsafeMutableRawPointer($0.x509) == element })
                    ?? known.first(where: { Self.sameCertificate($0, element) })
            else {
                throw CryptoError(.certificateRejected, "validated path holds a certificate nobody supplied")
            }
            path.append(certificate)
        }
        return path
    }

    private static func sameCertificate(_ certificate: X509Certificate, _ other: UnsafeMutableRawPointer) -> Bool {
        X509_cmp(certificate.x509, OpaquePointer(other)) == 0
    }

    private static func timestamp(_ time: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: time)
    }
}
