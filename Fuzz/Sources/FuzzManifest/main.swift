import FuzzSupport
import ModelAudit

/// The manifest reader on arbitrary bytes: parsed as JSON, then read as an in-toto statement of provenance.
///
/// The input is the statement itself (what an envelope's payload decodes to), not an envelope, so mutations
/// reach the reader's checks directly instead of having to survive base64.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzManifest(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = FuzzSupport.bytes(data, size)
    guard let value = try? StrictJSON.parse(bytes) else { return 0 }
    _ = try? ManifestReader.read(value)
    return 0
}

FuzzSupport.runFuzzer(fuzzManifest)
