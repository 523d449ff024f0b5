internal import COpenSSL

/// An error from the crypto layer: a key that cannot be used, or OpenSSL refusing an operation.
///
/// A signature that simply does not verify is *not* an error; verification returns `false` for it.
public struct CryptoError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        case malformedKey = "malformed key"
        case unsupportedKey = "unsupported key"
        case weakKey = "weak key"
        case passphraseRequired = "passphrase required"
        case wrongPassphrase = "wrong passphrase"
        case schemeMismatch = "scheme does not fit the key"
        case signingFailed = "signing failed"
        case verificationFailed = "verification could not run"
        case keyGenerationFailed = "key generation failed"
        case digestFailed = "digest failed"
        case io = "I/O error"
        case malformedCertificate = "malformed certificate"
        case certificateRejected = "certificate rejected"
        case malformedTimestamp = "malformed timestamp"
        case timestampRejected = "timestamp rejected"
    }

    public let kind: Kind
    public let message: String
    /// OpenSSL's error queue at the time of the failure, oldest first.
    public let openSSLErrors: [String]

    public init(_ kind: Kind, _ message: String, openSSLErrors: [String] = []) {
        self.kind = kind
        self.message = message
        self.openSSLErrors = openSSLErrors
    }

    public var description: String {
        if openSSLErrors.isEmpty { return message }
        return "\(message) (OpenSSL: \(openSSLErrors.joined(separator: "; ")))"
    }

    /// Builds an error carrying whatever OpenSSL queued, and leaves the queue empty.
    static func openSSL(_ kind: Kind, _ message: String) -> CryptoError {
        CryptoError(kind, message, openSSLErrors: OpenSSLErrorQueue.drain())
    }
}

/// OpenSSL's thread-local error queue.
enum OpenSSLErrorQueue {
    /// Removes every queued error and returns them as readable strings, oldest first.
    static func drain() -> [String] {
        var errors: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            let text = buffer.withUnsafeBufferPointer { ptr -> String in
                let bytes = ptr.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }
                return String(decoding: bytes, as: UTF8.self)
            }
            errors.append(text)
        }
        return errors
    }

    static func clear() {
        ERR_clear_error()
    }
}
