/// Why Sigstore trust material or transparency evidence was refused: unreadable, or read and found wrong.
///
/// The two are kept apart because the command line answers them differently: an unreadable input is exit 2, a
/// failed check exit 1. A verifier turns `.rejected` into a failed check; one that reaches the command line as an
/// error still means "could not evaluate" (exit 2), never a pass.
public struct SigstoreError: AuditError, Equatable {
    public enum Kind: String, Sendable, Equatable {
        /// The input cannot be read as what it claims to be (bad JSON, bad base64, a field of the wrong size).
        case malformed
        /// The input was read and a check on it failed (a signature, a proof, a validity window).
        case rejected
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    public var code: AuditErrorCode {
        switch kind {
        case .malformed: return .malformedInput
        case .rejected: return .cryptography
        }
    }

    static func malformed(_ message: String) -> SigstoreError { SigstoreError(.malformed, message) }
    static func rejected(_ message: String) -> SigstoreError { SigstoreError(.rejected, message) }
}
