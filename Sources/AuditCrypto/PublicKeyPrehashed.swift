internal import COpenSSL

extension PublicKey {
    /// Checks an ECDSA (DER) or RSA PKCS#1 v1.5 signature over a digest computed elsewhere, as Sigstore message
    /// signatures are checked when the bundle carries the artifact's digest rather than the artifact.
    ///
    /// Returns `false` for any signature that does not verify; throws when the key type cannot sign a digest this
    /// way (Ed25519 signs messages, never digests) or the digest has the wrong length for `algorithm`.
    public func isValidSignature(_ signature: [UInt8], forDigest digest: [UInt8], algorithm: DigestAlgorithm) throws
        -> Bool
    {
        let isRSA: Bool
        switch type {
        case .ecdsaP256, .ecdsaP384, .ecdsaP521: isRSA = false
        case .rsa: isRSA = true
        case .ed25519, .rsaPSS:
            throw CryptoError(.schemeMismatch, "a \(type) key cannot verify a signature over a precomputed digest")
        }
        guard digest.count == algorithm.byteCount else {
            throw CryptoError(
                .verificationFailed, "a \(algorithm.rawValue) digest is \(algorithm.byteCount) bytes, not \(digest.count)")
        }
        guard !signature.isEmpty else { return false }
        guard let context = EVP_PKEY_CTX_new(pkey, nil) else {
            throw CryptoError.openSSL(.verificationFailed, "cannot allocate a verification context")
        }
        defer { EVP_PKEY_CTX_free(context) }
        guard EVP_PKEY_verify_init(context) == 1, EVP_PKEY_CTX_set_signature_md(context, algorithm.evpMD) == 1,
            !isRSA || EVP_PKEY_CTX_set_rsa_padding(context, RSA_PKCS1_PADDING) == 1
        else {
            throw CryptoError.openSSL(.verificationFailed, "cannot set up verification over a digest")
        }
        let result = signature.withUnsafeBufferPointer { sig in
            digest.withUnsafeBufferPointer { tbs in
                EVP_PKEY_verify(context, sig.baseAddress, sig.count, tbs.baseAddress, tbs.count)
            }
        }
        if result != 1 {
            OpenSSLErrorQueue.clear()
            return false
        }
        return true
    }
}
