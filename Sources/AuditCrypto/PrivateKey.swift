internal import COpenSSL
import Foundation

/// The key algorithms `audit keygen` can create.
public enum KeyGenerationAlgorithm: String, Sendable, CaseIterable {
    case ed25519
    case ecdsaP256 = "ecdsa-p256"
    case ecdsaP384 = "ecdsa-p384"
    case ecdsaP521 = "ecdsa-p521"
    case rsa3072 = "rsa-3072"
}

/// A private signing key loaded through OpenSSL. Its bytes are never printed or logged.
public final class PrivateKey: @unchecked Sendable {
    let pkey: OpaquePointer
    /// The key's public half, derived once; its type and size checks apply to the private key too.
    public let publicKey: PublicKey
    public var type: KeyType { publicKey.type }

    init(owning pkey: OpaquePointer) throws {
        do {
            self.publicKey = try PublicKey(subjectPublicKeyInfo: try OpenSSLSupport.subjectPublicKeyInfo(pkey))
        } catch {
            EVP_PKEY_free(pkey)
            throw error
        }
        self.pkey = pkey
    }

    deinit {
        EVP_PKEY_free(pkey)
    }

    /// Loads a PEM private key: PKCS#8 (`PRIVATE KEY`), encrypted PKCS#8 (`ENCRYPTED PRIVATE KEY`), or the
    /// traditional SEC1 (`EC PRIVATE KEY`) and PKCS#1 (`RSA PRIVATE KEY`) forms OpenSSL reads.
    ///
    /// - Parameter passphrase: required for an encrypted key; OpenSSL never prompts on a terminal.
    public convenience init(pem: [UInt8], passphrase: [UInt8]? = nil) throws {
        guard pem.count <= 64 * 1024 else { throw CryptoError(.malformedKey, "PEM private key larger than 64 KiB") }
        let text = String(decoding: pem, as: UTF8.self)
        guard text.contains("-----BEGIN"), text.contains("PRIVATE KEY-----") else {
            throw CryptoError(.malformedKey, "not a PEM private key (expected -----BEGIN PRIVATE KEY-----)")
        }
        let encrypted = text.contains("ENCRYPTED")
        if encrypted && passphrase == nil {
            throw CryptoError(
                .passphraseRequired,
                "the private key is encrypted; give its passphrase through an environment variable or a file")
        }
        let box = PassphraseBox(passphrase ?? [])
        let pkey = try OpenSSLSupport.withReadBIO(pem) { bio -> OpaquePointer in
            let userdata = Unmanaged.passUnretained(box).toOpaque()
            guard let pkey = PEM_read_bio_PrivateKey(bio, nil, passphraseCallback, userdata) else {
                if encrypted {
                    // OpenSSL's queue only restates the bad decrypt; one line says it.
                    _ = OpenSSLErrorQueue.drain()
                    throw CryptoError(.wrongPassphrase, "cannot decrypt the private key: wrong passphrase")
                }
                throw CryptoError.openSSL(.malformedKey, "cannot parse the PEM private key")
            }
            return pkey
        }
        try self.init(owning: pkey)
    }

    /// Generates a new key.
    public static func generate(_ algorithm: KeyGenerationAlgorithm) throws -> PrivateKey {
        let name: String
        switch algorithm {
        case .ed25519: name = "ED25519"
        case .ecdsaP256, .ecdsaP384, .ecdsaP521: name = "EC"
        case .rsa3072: name = "RSA"
        }
        guard let ctx = EVP_PKEY_CTX_new_from_name(nil, name, nil) else {
            throw CryptoError.openSSL(.keyGenerationFailed, "cannot create a \(algorithm.rawValue) key context")
        }
        defer { EVP_PKEY_CTX_free(ctx) }
        guard EVP_PKEY_keygen_init(ctx) == 1 else {
            throw CryptoError.openSSL(.keyGenerationFailed, "cannot initialise \(algorithm.rawValue) key generation")
        }
        let configured: Bool
        switch algorithm {
        case .ed25519: configured = true
        case .ecdsaP256: configured = EVP_PKEY_CTX_set_group_name(ctx, "P-256") == 1
        case .ecdsaP384: configured = EVP_PKEY_CTX_set_group_name(ctx, "P-384") == 1
        case .ecdsaP521: configured = EVP_PKEY_CTX_set_group_name(ctx, "P-521") == 1
        case .rsa3072: configured = EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, 3072) == 1
        }
        var pkey: OpaquePointer?
        guard configured, EVP_PKEY_generate(ctx, &pkey) == 1, let pkey else {
            throw CryptoError.openSSL(.keyGenerationFailed, "cannot generate a \(algorithm.rawValue) key")
        }
        return try PrivateKey(owning: pkey)
    }

    /// The scheme this key signs with by default: the only one it supports, or RSA-PSS for an RSA key.
    public var defaultScheme: SignatureScheme {
        type.impliedScheme ?? .rsaPSSSHA256
    }

    /// Signs `message`; ECDSA signatures come out DER-encoded.
    public func signature(for message: [UInt8], scheme: SignatureScheme? = nil) throws -> [UInt8] {
        let scheme = scheme ?? defaultScheme
        guard type.compatibleSchemes.contains(scheme) else {
            throw CryptoError(.schemeMismatch, "a \(type) key cannot make \(scheme.rawValue) signatures")
        }
        guard let context = EVP_MD_CTX_new() else {
            throw CryptoError.openSSL(.signingFailed, "cannot allocate a signing context")
        }
        defer { EVP_MD_CTX_free(context) }
        var pctx: OpaquePointer?
        guard EVP_DigestSignInit(context, &pctx, scheme.digest?.evpMD, nil, pkey) == 1,
            OpenSSLSupport.configure(pctx, for: scheme)
        else {
            throw CryptoError.openSSL(.signingFailed, "cannot set up \(scheme.rawValue) signing")
        }
        return try OpenSSLSupport.withMessage(message) { tbs, tbsLength -> [UInt8] in
            var length = 0
            guard EVP_DigestSign(context, nil, &length, tbs, tbsLength) == 1 else {
                throw CryptoError.openSSL(.signingFailed, "cannot size the \(scheme.rawValue) signature")
            }
            var signature = [UInt8](repeating: 0, count: length)
            let ok = signature.withUnsafeMutableBufferPointer { buffer in
                EVP_DigestSign(context, buffer.baseAddress, &length, tbs, tbsLength)
            }
            guard ok == 1 else {
                throw CryptoError.openSSL(.signingFailed, "\(scheme.rawValue) signing failed")
            }
            return Array(signature.prefix(length))
        }
    }

    /// The key as PEM PKCS#8, encrypted with AES-256-CBC (PBKDF2) when a passphrase is given.
    public func pkcs8PEM(passphrase: [UInt8]? = nil) throws -> [UInt8] {
        try OpenSSLSupport.collectBIO("private key") { bio -> Int32 in
            guard let passphrase, !passphrase.isEmpty else {
                return PEM_write_bio_PKCS8PrivateKey(bio, pkey, nil, nil, 0, nil, nil)
            }
            return passphrase.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { chars in
                    PEM_write_bio_PKCS8PrivateKey(
                        bio, pkey, EVP_aes_256_cbc(), chars.baseAddress, Int32(chars.count), nil, nil)
                }
            }
        }
    }
}

/// Carries a passphrase to OpenSSL's C callback without a global.
private final class PassphraseBox {
    let bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }
}

/// OpenSSL's `pem_password_cb`: copies the passphrase, or returns 0 (no passphrase) so OpenSSL never prompts.
private let passphraseCallback: @convention(c) (UnsafeMutablePointer<CChar>?, Int32, Int32, UnsafeMutableRawPointer?)
    -> Int32 = { buffer, size, _, userdata in
        guard let buffer, let userdata else { return 0 }
        let box = Unmanaged<PassphraseBox>.fromOpaque(userdata).takeUnretainedValue()
        let count = min(box.bytes.count, Int(size))
        guard count > 0 else { return 0 }
        box.bytes.withUnsafeBufferPointer { source in
            source.withMemoryRebound(to: CChar.self) { chars in
                if let base = chars.baseAddress { buffer.update(from: base, count: count) }
            }
        }
        return Int32(count)
    }
