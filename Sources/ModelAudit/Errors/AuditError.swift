import AuditCrypto

/// An error that means a command could not evaluate its input: unreadable or malformed files, an invalid trust
/// store, a key OpenSSL refuses, a model directory that cannot be walked, a write or lock that failed.
///
/// Every error the library throws to a caller conforms, and conforming is what makes the CLI answer "could not
/// evaluate" (exit 2) with the message on stderr and, under `--format json`, a JSON error document carrying the
/// code and pointer. An error that does not conform is a defect: the CLI reports it as an internal error, still
/// with exit 2, so a new error type can never pass for a failed verification (exit 1) or a pass.
public protocol AuditError: Error, Sendable, CustomStringConvertible {
    /// What kind of thing went wrong, stable for machines.
    var code: AuditErrorCode { get }
    /// The message for people, naming the file and what to do where it can.
    var message: String { get }
    /// JSON pointer to the offending member of the document, when there is one.
    var jsonPointer: String? { get }
}

extension AuditError {
    public var message: String { description }
    public var jsonPointer: String? { nil }
}

/// The kinds of `AuditError`, as they appear in JSON error documents (`"code"`).
public enum AuditErrorCode: String, Sendable, CaseIterable, Codable {
    /// A file is missing, unreadable, too large or not a regular file.
    case unreadableInput = "unreadable-input"
    /// A document is not valid JSON or YAML, or its structure is wrong.
    case malformedInput = "malformed-input"
    /// A policy could not be loaded.
    case invalidPolicy = "invalid-policy"
    /// The trust store is missing or invalid.
    case invalidTrustStore = "invalid-trust-store"
    /// A key, signature or certificate could not be used.
    case cryptography = "cryptography"
    /// A model directory could not be walked or holds an entry that is refused.
    case artifacts = "artifacts"
    /// Output could not be written.
    case writeFailed = "write-failed"
    /// Another process holds a file's lock.
    case locked = "locked"
    /// The audit ledger could not be reached, opened or written.
    case ledger = "ledger"
    /// The audit ledger holds data it did not write, or an import does not continue its chain.
    case ledgerIntegrity = "ledger-integrity"
}

extension CryptoError: AuditError {
    public var code: AuditErrorCode { .cryptography }
}
