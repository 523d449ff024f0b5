import Foundation
import Testing

@testable import ModelAudit

/// Inputs the fuzz targets (`Fuzz/`) found to crash, hang or leak, replayed through the target's entry point.
///
/// Each input lives in `Tests/Fixtures/fuzz-regressions/<target>/`; its README says what each one broke.
@Suite struct FuzzRegressionTests {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/fuzz-regressions")

    static func input(_ target: String, _ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(target).appendingPathComponent(name)))
    }

    /// FuzzEnvelope: decoding an envelope leaked the old Decodable-based decoder's bookkeeping. Envelopes are now
    /// read with `ObjectReader`, which keeps none; the input still decodes to the same envelope.
    @Test func leakInputStillDecodes() throws {
        let envelope = try DSSEEnvelope.decode(try Self.input("FuzzEnvelope", "leak-decoding-tree.json"))
        #expect(envelope.payloadType == "text/plain")
        #expect(envelope.payload == Array("hi".utf8))
        #expect(envelope.signatures == [DSSESignature(keyID: "k", signature: [0])])
    }
}
