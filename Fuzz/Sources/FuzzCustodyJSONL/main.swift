import FuzzSupport
import ModelAudit

/// A custody bundle (JSON lines) on arbitrary bytes: split into records, each decoded as a DSSE envelope and
/// its in-toto payload read as a custody statement.
///
/// Signatures are not checked (the fuzzer cannot sign), so this reaches the reader that in real use only sees
/// verified payloads. A line that is not an envelope is read as a bare custody statement, so mutations reach the
/// statement reader without having to survive base64.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCustodyJSONL(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = FuzzSupport.bytes(data, size)
    guard let bundle = try? CustodyBundle.parse(bytes, path: "fuzz.custody.jsonl") else { return 0 }
    for line in bundle.lines {
        let statementBytes: [UInt8]
        if let envelope = try? DSSEEnvelope.decode(line.bytes) {
            guard envelope.payloadType == DSSEEnvelope.inTotoPayloadType else { continue }
            statementBytes = envelope.payload
        } else {
            statementBytes = line.bytes
        }
        guard let value = try? StrictJSON.parse(statementBytes) else { continue }
        _ = try? CustodyReader.read(value, document: "custody record")
    }
    return 0
}

FuzzSupport.runFuzzer(fuzzCustodyJSONL)
