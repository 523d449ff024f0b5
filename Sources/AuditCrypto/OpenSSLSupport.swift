internal import COpenSSL
import Foundation

/// Small owned wrappers and conversions shared by the key types; all OpenSSL pointers stay in this module.
enum OpenSSLSupport {
    /// Runs `body` with a read-only memory BIO over `bytes`.
    static func withReadBIO<T>(_ bytes: [UInt8], _ body: (OpaquePointer) throws -> T) throws -> T {
        try bytes.withUnsafeBytes { raw -> T in
            guard let base = raw.baseAddress, raw.count > 0, raw.count <= Int(Int32.max),
                let bio = BIO_new_mem_buf(base, Int32(raw.count))
            else {
                throw CryptoError.openSSL(.malformedKey, "cannot read key material")
            }
            defer { BIO_free(bio) }
            return try body(bio)
        }
    }

    /// Runs `write` against a fresh memory BIO and returns what it wrote.
    static func collectBIO(_ what: String, _ write: (OpaquePointer) -> Int32) throws -> [UInt8] {
        guard let bio = BIO_new(BIO_s_mem()) else {
            throw CryptoError.openSSL(.io, "cannot allocate a memory buffer for \(what)")
        }
        defer { BIO_free(bio) }
        guard write(bio) == 1 else {
            throw CryptoError.openSSL(.io, "cannot encode \(what)")
        }
        let pending = Int(BIO_ctrl_pending(bio))
        var out = [UInt8](repeating: 0, count: pending)
        let read = out.withUnsafeMutableBytes { BIO_read(bio, $0.baseAddress, Int32(pending)) }
        guard read == pending else {
            throw CryptoError.openSSL(.io, "cannot encode \(what)")
        }
        return out
    }

    /// The key's DER SubjectPublicKeyInfo.
    static func subjectPublicKeyInfo(_ pkey: OpaquePointer) throws -> [UInt8] {
        // One call that allocates: OpenSSL 3 sets up an encoder per i2d call, so sizing first doubles the cost.
        var out: UnsafeMutablePointer<UInt8>?
        let length = i2d_PUBKEY(pkey, &out)
        guard length > 0, let out else {
            throw CryptoError.openSSL(.malformedKey, "cannot encode the public key as SubjectPublicKeyInfo")
        }
        defer { CRYPTO_free(out, #fileID, #line) }
        return Array(UnsafeBufferPointer(start: out, count: Int(length)))
    }

    /// The DER SubjectPublicKeyInfo up to the key bytes, for the key types whose encoding is fixed: Ed25519 (RFC 8410)
    /// and the named NIST curves with an uncompressed point (RFC 5480), exactly as `i2d_PUBKEY` writes them.
    static func fixedSubjectPublicKeyInfoPrefix(_ type: KeyType) -> (prefix: [UInt8], keyBytes: Int)? {
        switch type {
        case .ed25519:
            return ([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00], 32)
        case .ecdsaP256:
            return (
                [0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
                 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00], 65)
        case .ecdsaP384:
            return (
                [0x30, 0x76, 0x30, 0x10, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x05, 0x2b,
                 0x81, 0x04, 0x00, 0x22, 0x03, 0x62, 0x00], 97)
        case .ecdsaP521:
            return (
                [0x30, 0x81, 0x9b, 0x30, 0x10, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x05,
                 0x2b, 0x81, 0x04, 0x00, 0x23, 0x03, 0x81, 0x86, 0x00], 133)
        case .rsa, .rsaPSS:
            return nil
        }
    }

    /// The key held by a SubjectPublicKeyInfo in exactly the canonical encoding `fixedSubjectPublicKeyInfoPrefix`
    /// describes (Ed25519; P-256, P-384 or P-521 by curve OID with an uncompressed point), built from its raw bytes;
    /// `nil` for any other encoding. The EC point is checked to lie on its curve, as `d2i_PUBKEY` does.
    static func keyFromCanonicalSubjectPublicKeyInfo(_ der: [UInt8]) throws -> OpaquePointer? {
        let candidates: [(KeyType, String?)] = [(.ed25519, nil), (.ecdsaP256, "P-256"), (.ecdsaP384, "P-384"),
                                                (.ecdsaP521, "P-521")]
        for (type, group) in candidates {
            guard let fixed = fixedSubjectPublicKeyInfoPrefix(type), der.count == fixed.prefix.count + fixed.keyBytes,
                der.starts(with: fixed.prefix)
            else { continue }
            let raw = Array(der[fixed.prefix.count...])
            guard let group else {
                guard let pkey = PublicKeyBuilder.ed25519.build(publicKey: raw) else {
                    throw CryptoError.openSSL(.malformedKey, "cannot parse the DER SubjectPublicKeyInfo")
                }
                return pkey
            }
            guard raw.first == 0x04 else { return nil }
            return try ecPublicKey(group: group, point: raw)
        }
        return nil
    }

    /// An EC public key on the named `group` from its encoded point, through `EVP_PKEY_fromdata`, which refuses a
    /// point that is not on the curve.
    static func ecPublicKey(group: String, point: [UInt8]) throws -> OpaquePointer {
        guard let pkey = PublicKeyBuilder.ec.build(publicKey: point, group: group) else {
            throw CryptoError.openSSL(.malformedKey, "cannot parse the DER SubjectPublicKeyInfo")
        }
        return pkey
    }

    /// `EVP_PKEY_PUBLIC_KEY`: the public key with its domain and other parameters (a macro Swift does not import).
    static let selectPublicKey = Int32(
        OSSL_KEYMGMT_SELECT_PUBLIC_KEY | OSSL_KEYMGMT_SELECT_DOMAIN_PARAMETERS | OSSL_KEYMGMT_SELECT_OTHER_PARAMETERS)

    /// The canonical SubjectPublicKeyInfo of a key already classified as `type`: assembled from the raw key for
    /// Ed25519 and named-curve EC keys (OpenSSL 3 builds an encoder for every `i2d_PUBKEY`, which costs more than
    /// the rest of reading a key), by `i2d_PUBKEY` for anything else or whenever the raw key cannot be read. Both
    /// give the same bytes (`KeyTests` checks it), so a key id never depends on the path taken.
    static func subjectPublicKeyInfo(_ pkey: OpaquePointer, type: KeyType) throws -> [UInt8] {
        guard let fixed = fixedSubjectPublicKeyInfoPrefix(type) else { return try subjectPublicKeyInfo(pkey) }
        var key = [UInt8](repeating: 0, count: fixed.keyBytes)
        var length = 0
        if type == .ed25519 {
            length = fixed.keyBytes
            guard EVP_PKEY_get_raw_public_key(pkey, &key, &length) == 1, length == fixed.keyBytes else {
                OpenSSLErrorQueue.clear()
                return try subjectPublicKeyInfo(pkey)
            }
            return fixed.prefix + key
        }
        // Only a named-curve key is written with the curve's OID; explicit parameters take the encoder's path.
        var encoding = [CChar](repeating: 0, count: 32)
        var encodingLength = 0
        guard EVP_PKEY_get_utf8_string_param(pkey, "encoding", &encoding, encoding.count, &encodingLength) == 1,
            String(decoding: encoding.prefix(encodingLength).map { UInt8(bitPattern: $0) }, as: UTF8.self)
                == "named_curve",
            EVP_PKEY_get_octet_string_param(pkey, "encoded-pub-key", &key, key.count, &length) == 1,
            length == fixed.keyBytes, key.first == 0x04
        else {
            OpenSSLErrorQueue.clear()
            return try subjectPublicKeyInfo(pkey)
        }
        return fixed.prefix + key
    }

    /// Classifies a key and enforces the minimum sizes.
    static func keyType(of pkey: OpaquePointer) throws -> KeyType {
        if EVP_PKEY_is_a(pkey, "ED25519") == 1 { return .ed25519 }
        if EVP_PKEY_is_a(pkey, "EC") == 1 {
            var name = [CChar](repeating: 0, count: 64)
            var length = 0
            guard EVP_PKEY_get_utf8_string_param(pkey, "group", &name, name.count, &length) == 1 else {
                throw CryptoError.openSSL(.unsupportedKey, "EC key without a named curve")
            }
            let curve = String(decoding: name.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            switch curve {
            case "prime256v1", "P-256", "secp256r1": return .ecdsaP256
            case "secp384r1", "P-384": return .ecdsaP384
            case "secp521r1", "P-521": return .ecdsaP521
            default:
                throw CryptoError(
                    .unsupportedKey, "unsupported EC curve \(curve) (P-256, P-384 and P-521 are supported)")
            }
        }
        let isPSS = EVP_PKEY_is_a(pkey, "RSA-PSS") == 1
        if isPSS || EVP_PKEY_is_a(pkey, "RSA") == 1 {
            let bits = Int(EVP_PKEY_get_bits(pkey))
            guard bits >= 2048 else {
                throw CryptoError(.weakKey, "RSA key of \(bits) bits is too small (at least 2048 bits required)")
            }
            return isPSS ? .rsaPSS(bits: bits) : .rsa(bits: bits)
        }
        let typeName = EVP_PKEY_get0_type_name(pkey).map { String(cString: $0) } ?? "unknown"
        throw CryptoError(
            .unsupportedKey,
            "unsupported key type \(typeName) (Ed25519, ECDSA P-256/P-384/P-521 and RSA ≥ 2048 bits are supported)")
    }

    /// Makes OpenSSL encode an EC key's point uncompressed, whichever form it was read in.
    ///
    /// OpenSSL keeps the form it decoded, so without this one key given compressed and uncompressed would have
    /// two SubjectPublicKeyInfo encodings, two key ids, and could count twice towards a threshold of distinct keys.
    static func encodeECPointsUncompressed(_ pkey: OpaquePointer, type: KeyType) throws {
        switch type {
        case .ecdsaP256, .ecdsaP384, .ecdsaP521:
            guard EVP_PKEY_set_utf8_string_param(pkey, "point-format", "uncompressed") == 1 else {
                throw CryptoError.openSSL(.malformedKey, "cannot set the EC point format of the key")
            }
        case .ed25519, .rsa, .rsaPSS:
            break
        }
    }

    /// Converts raw fixed-width r‖s to a DER `ECDSA-Sig-Value`; `nil` when the length is wrong.
    static func ecdsaRawToDER(_ raw: [UInt8], scalarBytes: Int) -> [UInt8]? {
        guard raw.count == 2 * scalarBytes, let sig = ECDSA_SIG_new() else { return nil }
        defer { ECDSA_SIG_free(sig) }
        let (r, s) = raw.withUnsafeBufferPointer { buffer in
            (
                BN_bin2bn(buffer.baseAddress, Int32(scalarBytes), nil),
                BN_bin2bn(buffer.baseAddress.map { $0 + scalarBytes }, Int32(scalarBytes), nil)
            )
        }
        guard let r, let s else {
            BN_free(r)
            BN_free(s)
            return nil
        }
        guard ECDSA_SIG_set0(sig, r, s) == 1 else {
            BN_free(r)
            BN_free(s)
            return nil
        }
        let length = i2d_ECDSA_SIG(sig, nil)
        guard length > 0 else { return nil }
        var der = [UInt8](repeating: 0, count: Int(length))
        let written = der.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor = buffer.baseAddress
            return i2d_ECDSA_SIG(sig, &cursor)
        }
        return written == length ? der : nil
    }

    /// True when `bytes` are exactly one canonical DER `ECDSA-Sig-Value` (re-encoding gives the same bytes).
    static func isCanonicalECDSADER(_ bytes: [UInt8]) -> Bool {
        guard !bytes.isEmpty, bytes[0] == 0x30 else { return false }
        return bytes.withUnsafeBufferPointer { buffer -> Bool in
            var cursor = buffer.baseAddress
            guard let sig = d2i_ECDSA_SIG(nil, &cursor, buffer.count) else {
                OpenSSLErrorQueue.clear()
                return false
            }
            defer { ECDSA_SIG_free(sig) }
            guard let start = buffer.baseAddress, cursor == start + buffer.count else { return false }
            let length = i2d_ECDSA_SIG(sig, nil)
            guard length == Int32(buffer.count) else { return false }
            var again = [UInt8](repeating: 0, count: Int(length))
            _ = again.withUnsafeMutableBufferPointer { out -> Int32 in
                var c = out.baseAddress
                return i2d_ECDSA_SIG(sig, &c)
            }
            return again.elementsEqual(buffer)
        }
    }

    /// Configures padding for RSA schemes on a signing or verifying context.
    static func configure(_ pctx: OpaquePointer?, for scheme: SignatureScheme) -> Bool {
        switch scheme {
        case .rsaPSSSHA256:
            return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1
                && EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1
                && EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) == 1
        case .rsaPKCS1v15SHA256:
            return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1
        case .ed25519, .ecdsaP256SHA256, .ecdsaP384SHA384, .ecdsaP521SHA512:
            return true
        }
    }

    /// Calls `body` with a pointer/length for `bytes`, never a null pointer (OpenSSL rejects NULL even with 0 length).
    static func withMessage<T>(_ bytes: [UInt8], _ body: (UnsafePointer<UInt8>, Int) throws -> T) rethrows -> T {
        try bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress, buffer.count > 0 else {
                var zero: UInt8 = 0
                return try body(&zero, 0)
            }
            return try body(base, buffer.count)
        }
    }
}

/// Builds public keys of one algorithm from their parameters (`EVP_PKEY_fromdata`) with one context made for the
/// whole process. Making the context looks the algorithm up among the loaded providers and engines, which cost
/// OpenSSL 3 several times as much as building the key itself, once for every key of a trust store or trusted root.
final class PublicKeyBuilder: @unchecked Sendable {
    static let ed25519 = PublicKeyBuilder(algorithm: "ED25519")
    static let ec = PublicKeyBuilder(algorithm: "EC")

    /// `nil` when OpenSSL could not set the context up; every key then fails to build, as it would have anyway.
    private let context: OpaquePointer?
    /// OpenSSL documents no thread safety for sharing a context, so one key is built at a time.
    private let lock = NSLock()

    private init(algorithm: String) {
        guard let context = EVP_PKEY_CTX_new_from_name(nil, algorithm, nil) else {
            self.context = nil
            return
        }
        guard EVP_PKEY_fromdata_init(context) == 1 else {
            EVP_PKEY_CTX_free(context)
            self.context = nil
            return
        }
        self.context = context
    }

    /// A new public key from its encoded public part (`pub`) and, for EC keys, the name of its curve (`group`); `nil`
    /// when OpenSSL refuses them (an EC point off its curve, a key of the wrong length).
    func build(publicKey: [UInt8], group: String? = nil) -> OpaquePointer? {
        guard let context else { return nil }
        var key = publicKey
        var groupName = Array((group ?? "").utf8CString)
        // OSSL_PARAM keeps the pointers it is given, so every string and buffer is pinned for the whole call.
        return "group".withCString { groupKey in
            "pub".withCString { pubKey in
                groupName.withUnsafeMutableBufferPointer { name in
                    key.withUnsafeMutableBytes { bytes -> OpaquePointer? in
                        var parameters = [OSSL_PARAM_construct_octet_string(pubKey, bytes.baseAddress, bytes.count)]
                        if group != nil {
                            parameters.append(OSSL_PARAM_construct_utf8_string(groupKey, name.baseAddress, 0))
                        }
                        parameters.append(OSSL_PARAM_construct_end())
                        lock.lock()
                        defer { lock.unlock() }
                        var pkey: OpaquePointer?
                        guard EVP_PKEY_fromdata(context, &pkey, OpenSSLSupport.selectPublicKey, &parameters) == 1 else {
                            return nil
                        }
                        return pkey
                    }
                }
            }
        }
    }
}
