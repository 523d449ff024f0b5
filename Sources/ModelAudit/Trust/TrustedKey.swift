import AuditCrypto
import Foundation

/// A role a key may sign for.
public enum TrustRole: String, Sendable, Codable, CaseIterable, Comparable {
    case developer
    case publisher
    case auditor
    case host
    case deployer
    /// May sign custody hops that change a model's files (converted, quantized, fine-tuned) for another
    /// developer's model; a developer may always transform its own.
    case transformer

    private var rank: Int {
        switch self {
        case .developer: return 0
        case .publisher: return 1
        case .auditor: return 2
        case .host: return 3
        case .deployer: return 4
        case .transformer: return 5
        }
    }

    public static func < (lhs: TrustRole, rhs: TrustRole) -> Bool {
        lhs.rank < rhs.rank
    }
}

/// A public key the organisation trusts, with who owns it, what it may sign for and when.
public struct TrustedKey: Sendable {
    /// Derived from the key (`sha256:` + hex of the DER SubjectPublicKeyInfo).
    public var keyID: String { publicKey.keyID }
    public let publicKey: PublicKey
    /// The PEM file's name inside the trust directory.
    public let file: String
    public let owner: String
    public let roles: [TrustRole]
    /// The scheme this key signs with; it comes from the key and its metadata, never from an envelope.
    public let scheme: SignatureScheme
    public let notBefore: Date?
    public let notAfter: Date?
    public let revoked: Bool
    public let note: String?
    /// Who a key taken from a verified certificate stands for (keyless signer or certificate subject).
    public let identity: SignerIdentity?

    public init(
        publicKey: PublicKey, file: String, owner: String, roles: [TrustRole], scheme: SignatureScheme,
        notBefore: Date? = nil, notAfter: Date? = nil, revoked: Bool = false, note: String? = nil,
        identity: SignerIdentity? = nil
    ) {
        self.identity = identity
        self.publicKey = publicKey
        self.file = file
        self.owner = owner
        self.roles = roles.sorted()
        self.scheme = scheme
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.revoked = revoked
        self.note = note
    }

    /// Whether the key may be used at `time`, and if not, why.
    public func status(at time: Date) -> KeyStatus {
        if revoked { return .revoked }
        if let notBefore, time < notBefore { return .notYetValid(notBefore) }
        if let notAfter, time > notAfter { return .expired(notAfter) }
        return .valid
    }
}

/// Whether a trusted key may verify anything at a given time.
public enum KeyStatus: Sendable, Equatable, CustomStringConvertible {
    case valid
    case revoked
    case notYetValid(Date)
    case expired(Date)

    public var isValid: Bool { self == .valid }

    public var description: String {
        switch self {
        case .valid: return "valid"
        case .revoked: return "revoked"
        case .notYetValid(let date): return "not valid before \(RFC3339.format(date))"
        case .expired(let date): return "expired at \(RFC3339.format(date))"
        }
    }
}
