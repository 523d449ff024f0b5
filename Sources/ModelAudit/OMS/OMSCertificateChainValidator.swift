import AuditCrypto
import Foundation

/// Which signing identity a certificate must carry in its subject alternative names (an e-mail or a URI).
public enum OMSCertificateIdentity: Sendable, Equatable {
    case exact(String)
    /// A regular expression that must match a whole SAN.
    case pattern(String)
}

/// Validates a bundle's certificate chain against the given roots only.
public struct OMSCertificateChainValidator: OMSCertificateValidator {
    public init(
        rootsPEM: [UInt8], rootsFile: String, intermediatesPEM: [UInt8]?, intermediatesFile: String?,
        identity: OMSCertificateIdentity?
    ) throws {
        throw CryptoError(.unsupportedKey, "X.509 certificate chains cannot be validated by this build")
    }

    public func signer(chain: [[UInt8]], at time: Date) -> Result<TrustedKey, OMSCertificateRejection> {
        .failure(OMSCertificateRejection("X.509 certificate chains cannot be validated by this build"))
    }
}
