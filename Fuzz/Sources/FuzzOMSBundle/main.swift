import FuzzSupport
import ModelAudit

/// The Sigstore bundle reader and the OMS statement reader on arbitrary bytes.
///
/// An accepted bundle must encode and read back to the same value; the statement reader runs on the decoded DSSE
/// payload and, so that mutations reach it without surviving base64, on the input itself when it is not a bundle.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOMSBundle(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = FuzzSupport.bytes(data, size)
    guard let value = try? StrictJSON.parse(bytes) else { return 0 }
    guard SigstoreBundle.isBundle(value) else {
        _ = try? OMSStatement.read(value)
        return 0
    }
    guard let bundle = try? SigstoreBundle.decode(value) else { return 0 }
    if let envelope = bundle.dsseEnvelope, let payload = try? StrictJSON.parse(envelope.payload) {
        _ = try? OMSStatement.read(payload)
    }
    if bundle.transparencyLogEntries.isEmpty, bundle.timestamps.isEmpty, let encoded = try? bundle.encoded() {
        guard let again = try? SigstoreBundle.decode(encoded), again == bundle else {
            fatalError("fuzz invariant broken: an accepted bundle does not read back after encoding")
        }
    }
    return 0
}

FuzzSupport.runFuzzer(fuzzOMSBundle)
