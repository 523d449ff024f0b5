import AuditCrypto
import Dispatch
import Foundation

/// The digest of one artifact file.
public struct ArtifactDigest: Sendable, Equatable, Codable {
    /// Relative POSIX path inside the model directory.
    public let path: String
    public let algorithm: DigestAlgorithm
    /// Lowercase hex.
    public let digest: String
    /// Bytes hashed.
    public let size: UInt64

    public init(path: String, algorithm: DigestAlgorithm = .sha256, digest: String, size: UInt64) {
        self.path = path
        self.algorithm = algorithm
        self.digest = digest
        self.size = size
    }

    /// The lowercase hex SHA-256, or `nil` when the digest was made with another algorithm.
    public var sha256: String? { algorithm == .sha256 ? digest : nil }
}

/// Receives hashing progress; called from several worker threads at once.
public protocol DigestProgress: Sendable {
    func started(totalBytes: UInt64, files: Int)
    func advanced(bytes: UInt64)
    func finished()
}
