internal import COpenSSL
import Foundation

/// Private keys held in a PKCS#11 token (a hardware security module, a smart card, a cloud KMS's PKCS#11 module,
/// or SoftHSM), used through OpenSSL's `pkcs11` engine (libp11, Debian's `libengine-pkcs11-openssl`).
///
/// The key never leaves the token: OpenSSL hands each signature request to the module. Which module serves the
/// token is the module path given here, or the engine's default (p11-kit's proxy, which loads every module
/// registered with p11-kit).
extension PrivateKey {
    /// Whether a `--key` value names a token key (an RFC 7512 `pkcs11:` URI) rather than a PEM file.
    public static func isPKCS11URI(_ text: String) -> Bool {
        text.hasPrefix("pkcs11:")
    }

    /// Loads the private key a `pkcs11:` URI names (e.g. `pkcs11:token=release;object=signing-key`).
    ///
    /// - Parameter pin: the token's user PIN; `nil` when the token needs none or the URI carries `pin-value`.
    /// - Parameter modulePath: the PKCS#11 module (`.so`) serving the token; `nil` for the engine's default.
    public static func pkcs11(uri: String, pin: [UInt8]?, modulePath: String?) throws -> PrivateKey {
        guard isPKCS11URI(uri) else {
            throw CryptoError(.malformedKey, "\"\(uri)\" is not a pkcs11: URI (RFC 7512)")
        }
        guard let engine = ENGINE_by_id("pkcs11") else {
            throw CryptoError.openSSL(
                .unsupportedKey,
                "OpenSSL's pkcs11 engine is not installed (Debian: apt-get install libengine-pkcs11-openssl)")
        }
        defer { ENGINE_free(engine) }
        if let modulePath {
            guard FileManager.default.fileExists(atPath: modulePath) else {
                throw CryptoError(.io, "PKCS#11 module \(modulePath) does not exist")
            }
            guard ENGINE_ctrl_cmd_string(engine, "MODULE_PATH", modulePath, 0) == 1 else {
                throw CryptoError.openSSL(.unsupportedKey, "the pkcs11 engine refused the module \(modulePath)")
            }
        }
        if let pin {
            guard !pin.contains(0) else { throw CryptoError(.malformedKey, "the PIN contains a NUL byte") }
            let accepted = (pin + [0]).withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { ENGINE_ctrl_cmd_string(engine, "PIN", $0.baseAddress, 0) }
            }
            guard accepted == 1 else { throw CryptoError.openSSL(.malformedKey, "the pkcs11 engine refused the PIN") }
        }
        guard ENGINE_init(engine) == 1 else {
            throw CryptoError.openSSL(.unsupportedKey, "cannot start the pkcs11 engine (is the module path right?)")
        }
        defer { ENGINE_finish(engine) }
        // libp11 writes its own diagnostics ("Login failed") to stderr; the error below says it once, in our words.
        let pkey = withStandardErrorSilenced { ENGINE_load_private_key(engine, uri, nil, nil) }
        guard let pkey else {
            _ = OpenSSLErrorQueue.drain()
            throw CryptoError(
                .malformedKey,
                "no private key at \(redactingPIN(uri)) (check token, object and PIN; `pkcs11-tool -O` lists the "
                    + "token's objects)")
        }
        return try PrivateKey(owning: pkey)
    }

    /// The URI with any `pin-value` attribute hidden, for messages.
    static func redactingPIN(_ uri: String) -> String {
        uri.split(separator: ";", omittingEmptySubsequences: false).map { part in
            part.lowercased().hasPrefix("pin-value=") || part.lowercased().contains("?pin-value=")
                ? (part.split(separator: "=").first.map { "\($0)=…" } ?? "…") : String(part)
        }.joined(separator: ";")
    }

    /// Runs `body` with file descriptor 2 pointed at /dev/null, restoring it afterwards.
    private static func withStandardErrorSilenced<T>(_ body: () -> T) -> T {
        let saved = dup(STDERR_FILENO)
        let null = open("/dev/null", O_WRONLY | O_CLOEXEC)
        guard saved >= 0, null >= 0 else {
            if saved >= 0 { close(saved) }
            if null >= 0 { close(null) }
            return body()
        }
        dup2(null, STDERR_FILENO)
        close(null)
        defer {
            dup2(saved, STDERR_FILENO)
            close(saved)
        }
        return body()
    }
}
