import AuditCrypto
import FuzzSupport

/// PEM key loading on arbitrary bytes: as a public key, as an unencrypted private key, and as the DER
/// SubjectPublicKeyInfo a public key wraps. A public key it accepts must survive a PEM round trip.
///
/// An encrypted private key is refused before OpenSSL sees it (no passphrase is given), so no input can make a run
/// spend its time deriving keys.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPEMKey(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = FuzzSupport.bytes(data, size)
    if let key = try? PublicKey(pem: bytes) {
        do {
            let reread = try PublicKey(pem: key.pem)
            if reread != key || reread.keyID != key.keyID {
                FuzzSupport.invariantBroken("the public key changed in a PEM round trip")
            }
        } catch {
            FuzzSupport.invariantBroken("a loaded public key does not reload from its own PEM: \(error)")
        }
    }
    if let key = try? PrivateKey(pem: bytes) {
        _ = key.publicKey.keyID
    }
    _ = try? PublicKey(subjectPublicKeyInfo: bytes)
    return 0
}

FuzzSupport.runFuzzer(fuzzPEMKey)
