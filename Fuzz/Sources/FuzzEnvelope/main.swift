import FuzzSupport
import ModelAudit

/// DSSE envelope decoding on arbitrary bytes. An envelope it accepts must encode (pretty and as a custody
/// line) to bytes that decode to the same envelope, and its pre-authentication encoding must be computable.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEnvelope(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = FuzzSupport.bytes(data, size)
    guard let envelope = try? DSSEEnvelope.decode(bytes) else { return 0 }
    _ = envelope.preAuthenticationEncoding
    do {
        for encoded in [try envelope.encoded(), try envelope.encodedLine()] {
            let decoded = try DSSEEnvelope.decode(encoded)
            if decoded != envelope {
                FuzzSupport.invariantBroken("the envelope changed in an encode–decode round trip")
            }
        }
    } catch {
        FuzzSupport.invariantBroken("a decoded envelope does not re-encode and decode: \(error)")
    }
    return 0
}

FuzzSupport.runFuzzer(fuzzEnvelope)
