import FuzzSupport
import ModelAudit

/// A screening list (CSV) on arbitrary bytes: the CSV reader, then the list's column and row checks.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzScreeningCSV(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = FuzzSupport.bytes(data, size)
    _ = try? ScreeningList.parse(id: "fuzz", path: "fuzz.csv", bytes: bytes)
    return 0
}

FuzzSupport.runFuzzer(fuzzScreeningCSV)
