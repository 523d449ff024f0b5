/// The kind of a public or private key, as OpenSSL reports it.
public enum KeyType: Sendable, Equatable, CustomStringConvertible {
    case ed25519
    case ecdsaP256
    case ecdsaP384
    case ecdsaP521
    /// An `rsaEncryption` key, usable with PSS or PKCS#1 v1.5 signatures.
    case rsa(bits: Int)
    /// An `id-RSASSA-PSS` key, usable with PSS signatures only.
    case rsaPSS(bits: Int)

    public var description: String {
        switch self {
        case .ed25519: return "Ed25519"
        case .ecdsaP256: return "ECDSA P-256"
        case .ecdsaP384: return "ECDSA P-384"
        case .ecdsaP521: return "ECDSA P-521"
        case .rsa(let bits): return "RSA-\(bits)"
        case .rsaPSS(let bits): return "RSA-PSS-\(bits)"
        }
    }

    /// The schemes a key of this type may verify.
    public var compatibleSchemes: [SignatureScheme] {
        switch self {
        case .ed25519: return [.ed25519]
        case .ecdsaP256: return [.ecdsaP256SHA256]
        case .ecdsaP384: return [.ecdsaP384SHA384]
        case .ecdsaP521: return [.ecdsaP521SHA512]
        case .rsa: return [.rsaPSSSHA256, .rsaPKCS1v15SHA256]
        case .rsaPSS: return [.rsaPSSSHA256]
        }
    }

    /// The one scheme this key type implies, or `nil` when the owner must say (an `rsaEncryption` key).
    public var impliedScheme: SignatureScheme? {
        let schemes = compatibleSchemes
        return schemes.count == 1 ? schemes[0] : nil
    }
}

/// A signature scheme: the algorithm, hash and encoding a trusted key signs with.
///
/// The scheme always comes from the trusted key and its metadata, never from a signed document.
public enum SignatureScheme: String, Sendable, Equatable, CaseIterable, Codable {
    case ed25519 = "ed25519"
    case ecdsaP256SHA256 = "ecdsa-p256-sha256"
    case ecdsaP384SHA384 = "ecdsa-p384-sha384"
    case ecdsaP521SHA512 = "ecdsa-p521-sha512"
    /// RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt.
    case rsaPSSSHA256 = "rsa-pss-sha256"
    case rsaPKCS1v15SHA256 = "rsa-pkcs1v15-sha256"

    var digest: DigestAlgorithm? {
        switch self {
        case .ed25519: return nil
        case .ecdsaP256SHA256, .rsaPSSSHA256, .rsaPKCS1v15SHA256: return .sha256
        case .ecdsaP384SHA384: return .sha384
        case .ecdsaP521SHA512: return .sha512
        }
    }

    /// Bytes of each of r and s in a raw (IEEE P1363) ECDSA signature.
    var ecdsaScalarBytes: Int? {
        switch self {
        case .ecdsaP256SHA256: return 32
        case .ecdsaP384SHA384: return 48
        // 521 bits round up to 66 bytes.
        case .ecdsaP521SHA512: return 66
        default: return nil
        }
    }
}

/// How an ECDSA signature's bytes are laid out.
public enum ECDSASignatureEncoding: Sendable, Equatable {
    /// ASN.1 DER `ECDSA-Sig-Value` only.
    case der
    /// Raw fixed-width r‖s (IEEE P1363) only; converted to DER before it reaches OpenSSL.
    case rawRS
    /// Strict DER when the bytes are a canonical DER `ECDSA-Sig-Value`, otherwise raw r‖s when the length is
    /// exactly twice the scalar size. DSSE signers in the field emit both.
    case derOrRawRS
}
