internal import COpenSSL

extension PublicKey {
    /// Loads a DER PKCS#1 `RSAPublicKey` (a bare modulus and exponent, no algorithm identifier), the form some
    /// older transparency-log keys are published in; trailing bytes are rejected.
    public convenience init(pkcs1RSAPublicKey der: [UInt8]) throws {
        let pkey = try der.withUnsafeBufferPointer { buffer -> OpaquePointer in
            var cursor = buffer.baseAddress
            guard let start = buffer.baseAddress, let pkey = d2i_PublicKey(EVP_PKEY_RSA, nil, &cursor, buffer.count)
            else {
                throw CryptoError.openSSL(.malformedKey, "cannot parse the DER PKCS#1 RSAPublicKey")
            }
            guard cursor == start + buffer.count else {
                EVP_PKEY_free(pkey)
                throw CryptoError(.malformedKey, "trailing bytes after the DER PKCS#1 RSAPublicKey")
            }
            return pkey
        }
        try self.init(owning: pkey)
    }
}
