internal import COpenSSL
import Foundation

/// A public key loaded through OpenSSL, with its type and key id derived from the key itself.
///
/// `EVP_PKEY` is safe for concurrent read-only use in OpenSSL 3, which is all this type does with it.
public final class PublicKey: @unchecked Sendable, Equatable, CustomStringConvertible {
    let pkey: OpaquePointer
    public let type: KeyType
    /// DER SubjectPublicKeyInfo; an EC point is always in its uncompressed form here, however the key was given.
    public let subjectPublicKeyInfo: [UInt8]
    /// `sha256:` + lowercase hex of SHA-256 over the DER SubjectPublicKeyInfo (uncompressed EC point).
    public let keyID: String
    /// A verification context set up once for the key's only scheme (every type but RSA has one), copied for each
    /// check; `nil` for RSA keys. Setting a context up looks the algorithm up among OpenSSL 3.0's providers under
    /// their locks, walking its whole name table; a copy only takes references. Never changed after `init`, and
    /// only ever read (copied from), so checks on many threads share it.
    private let verifyTemplate: (scheme: SignatureScheme, context: OpaquePointer)?

    /// Takes ownership of `pkey`.
    init(owning pkey: OpaquePointer) throws {
        do {
            self.type = try OpenSSLSupport.keyType(of: pkey)
            try OpenSSLSupport.encodeECPointsUncompressed(pkey, type: type)
            self.subjectPublicKeyInfo = try OpenSSLSupport.subjectPublicKeyInfo(pkey, type: type)
            self.keyID = try KeyID.derive(fromSubjectPublicKeyInfo: subjectPublicKeyInfo)
        } catch {
            EVP_PKEY_free(pkey)
            throw error
        }
        self.pkey = pkey
        let schemes = type.compatibleSchemes
        if schemes.count == 1, let context = Self.verificationContext(pkey, scheme: schemes[0]) {
            verifyTemplate = (schemes[0], context)
        } else {
            // Without a template every check sets its context up, as it would anyway; nothing is lost but time, and
            // a failed setup's reasons must not be left for a later, unrelated error to report.
            if schemes.count == 1 { OpenSSLErrorQueue.clear() }
            verifyTemplate = nil
        }
    }

    deinit {
        EVP_MD_CTX_free(verifyTemplate?.context)
        EVP_PKEY_free(pkey)
    }

    /// A new context set up to verify `scheme` signatures with `pkey`, or `nil` when OpenSSL cannot set one up (its
    /// reasons left on the error queue).
    private static func verificationContext(_ pkey: OpaquePointer, scheme: SignatureScheme) -> OpaquePointer? {
        guard let context = EVP_MD_CTX_new() else { return nil }
        var pctx: OpaquePointer?
        guard EVP_DigestVerifyInit(context, &pctx, scheme.digest?.evpMD, nil, pkey) == 1,
            OpenSSLSupport.configure(pctx, for: scheme)
        else {
            EVP_MD_CTX_free(context)
            return nil
        }
        return context
    }

    /// A context ready to verify one `scheme` signature: a copy of the template when it is for that scheme, else
    /// one set up afresh.
    private func contextForOneCheck(_ scheme: SignatureScheme) -> OpaquePointer? {
        if let verifyTemplate, verifyTemplate.scheme == scheme, let copy = EVP_MD_CTX_new() {
            if EVP_MD_CTX_copy_ex(copy, verifyTemplate.context) == 1 { return copy }
            EVP_MD_CTX_free(copy)
            OpenSSLErrorQueue.clear()
        }
        return Self.verificationContext(pkey, scheme: scheme)
    }

    /// Loads a PEM `PUBLIC KEY` (SubjectPublicKeyInfo).
    public convenience init(pem: [UInt8]) throws {
        guard pem.count <= 64 * 1024 else { throw CryptoError(.malformedKey, "PEM public key larger than 64 KiB") }
        let begin = "-----BEGIN PUBLIC KEY-----"
        let end = "-----END PUBLIC KEY-----"
        guard let start = PEMText.firstRange(of: Array(begin.utf8), in: pem[...]) else {
            throw CryptoError(.malformedKey, "not a PEM public key (expected \(begin))")
        }
        // OpenSSL reads the first block only; a second key in the file would be silently ignored.
        guard PEMText.count(of: Array("-----BEGIN ".utf8), in: pem) == 1 else {
            throw CryptoError(.malformedKey, "more than one PEM block; a key file holds exactly one public key")
        }
        // The block is decoded here and its DER read with d2i_PUBKEY: OpenSSL 3's PEM reader builds a decoder chain
        // for every key, which costs more than everything else in loading a trust store. As PEM_read_bio_PUBKEY
        // does, text before the BEGIN line and after the END line is ignored.
        guard let stop = PEMText.firstRange(of: Array(end.utf8), in: pem[start.upperBound...]) else {
            throw CryptoError(.malformedKey, "cannot parse the PEM public key (no \(end) line)")
        }
        guard let der = PEMText.decodeBody(pem[start.upperBound..<stop.lowerBound]) else {
            throw CryptoError(.malformedKey, "cannot parse the PEM public key (its body is not base64)")
        }
        do {
            try self.init(subjectPublicKeyInfo: der)
        } catch let error as CryptoError where error.kind == .malformedKey {
            throw CryptoError(.malformedKey, "cannot parse the PEM public key: \(error.message)")
        }
    }

    public convenience init(pem: String) throws {
        try self.init(pem: Array(pem.utf8))
    }

    /// Loads a DER SubjectPublicKeyInfo; trailing bytes are rejected.
    ///
    /// The canonical encodings of Ed25519 and named-curve EC keys are read from their raw key bytes: OpenSSL 3's
    /// `d2i_PUBKEY` sets up a decoder chain for every key, about six times the cost of building the key from its
    /// parameters, and a trust store or trusted root holds a dozen keys. Every other encoding goes to `d2i_PUBKEY`.
    public convenience init(subjectPublicKeyInfo der: [UInt8]) throws {
        let pkey = try OpenSSLSupport.keyFromCanonicalSubjectPublicKeyInfo(der) ?? Self.decodedByOpenSSL(der)
        try self.init(owning: pkey)
    }

    /// `d2i_PUBKEY` on the whole of `der`, which must hold nothing after the key.
    static func decodedByOpenSSL(_ der: [UInt8]) throws -> OpaquePointer {
        try der.withUnsafeBufferPointer { buffer -> OpaquePointer in
            var cursor = buffer.baseAddress
            guard let start = buffer.baseAddress, let pkey = d2i_PUBKEY(nil, &cursor, buffer.count) else {
                throw CryptoError.openSSL(.malformedKey, "cannot parse the DER SubjectPublicKeyInfo")
            }
            guard cursor == start + buffer.count else {
                EVP_PKEY_free(pkey)
                throw CryptoError(.malformedKey, "trailing bytes after the DER SubjectPublicKeyInfo")
            }
            return pkey
        }
    }

    /// The key as a PEM `PUBLIC KEY` block.
    public var pem: String {
        get throws {
            let bytes = try OpenSSLSupport.collectBIO("public key") { PEM_write_bio_PUBKEY($0, pkey) }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// Checks `signature` over `message` under `scheme`.
    ///
    /// Returns `false` for any signature that does not verify, including malformed encodings; throws only
    /// when the scheme does not fit this key or OpenSSL cannot set up the check.
    public func isValidSignature(
        _ signature: [UInt8], for message: [UInt8], scheme: SignatureScheme,
        ecdsaEncoding: ECDSASignatureEncoding = .der
    ) throws -> Bool {
        guard type.compatibleSchemes.contains(scheme) else {
            throw CryptoError(.schemeMismatch, "a \(type) key cannot verify \(scheme.rawValue) signatures")
        }
        var signatureBytes = signature
        if let scalarBytes = scheme.ecdsaScalarBytes {
            switch ecdsaEncoding {
            case .der:
                break
            case .rawRS:
                guard let der = OpenSSLSupport.ecdsaRawToDER(signature, scalarBytes: scalarBytes) else { return false }
                signatureBytes = der
            case .derOrRawRS:
                if !OpenSSLSupport.isCanonicalECDSADER(signature) {
                    guard let der = OpenSSLSupport.ecdsaRawToDER(signature, scalarBytes: scalarBytes) else {
                        return false
                    }
                    signatureBytes = der
                }
            }
        }
        guard !signatureBytes.isEmpty else { return false }

        guard let context = contextForOneCheck(scheme) else {
            throw CryptoError.openSSL(.verificationFailed, "cannot set up \(scheme.rawValue) verification")
        }
        defer { EVP_MD_CTX_free(context) }
        let result = signatureBytes.withUnsafeBufferPointer { sig in
            OpenSSLSupport.withMessage(message) { tbs, tbsLength in
                EVP_DigestVerify(context, sig.baseAddress, sig.count, tbs, tbsLength)
            }
        }
        if result != 1 {
            // A failed verify leaves reasons on the queue; they must not leak into a later, unrelated error.
            OpenSSLErrorQueue.clear()
            return false
        }
        return true
    }

    public static func == (lhs: PublicKey, rhs: PublicKey) -> Bool {
        lhs.subjectPublicKeyInfo == rhs.subjectPublicKeyInfo
    }

    public var description: String { "\(type) \(keyID)" }
}

/// Key identifiers derived from key material.
public enum KeyID {
    /// `sha256:` + lowercase hex SHA-256 of the DER SubjectPublicKeyInfo.
    public static func derive(fromSubjectPublicKeyInfo der: [UInt8]) throws -> String {
        "sha256:" + (try Digests.sha256Hex(der))
    }
}
