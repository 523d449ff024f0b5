import Foundation
import FuzzSupport
import ModelAudit

/// The key files the index may name: the sample trust store's and the OpenSSL fixtures', copied into a scratch
/// directory once, so an index can list real keys of every type.
enum TrustDirectory {
    static let path: String = {
        let directory = FuzzSupport.makeScratchDirectory("FuzzTrustIndex")
        FuzzSupport.copyFixtures(
            FuzzSupport.fixtures(in: "keys", suffix: ".pub")
                + FuzzSupport.fixtures(in: "Tests/Fixtures/openssl", suffix: ".pub"),
            into: directory)
        return directory.path
    }()
}

/// A trust store's `trust.json` index on arbitrary bytes, validated against the key files in a fixed directory.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTrustIndex(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = FuzzSupport.bytes(data, size)
    _ = try? TrustStore.load(index: bytes, directory: TrustDirectory.path)
    return 0
}

FuzzSupport.runFuzzer(fuzzTrustIndex)
