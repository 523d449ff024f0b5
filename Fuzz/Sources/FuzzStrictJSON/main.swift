import FuzzSupport
import ModelAudit

/// The strict JSON parser on arbitrary bytes. A document it accepts must survive a write–parse round trip in
/// both the compact and the pretty form, unchanged.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzStrictJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = FuzzSupport.bytes(data, size)
    guard let value = try? StrictJSON.parse(bytes) else { return 0 }
    for pretty in [false, true] {
        let written = JSONWriter.write(value, pretty: pretty)
        do {
            let reread = try StrictJSON.parse(written)
            if reread != value {
                FuzzSupport.invariantBroken("round trip changed the value (pretty: \(pretty))")
            }
        } catch {
            FuzzSupport.invariantBroken("the parser refuses what the writer wrote (pretty: \(pretty)): \(error)")
        }
    }
    return 0
}

FuzzSupport.runFuzzer(fuzzStrictJSON)
