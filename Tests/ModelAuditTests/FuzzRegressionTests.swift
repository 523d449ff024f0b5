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

    /// FuzzEnvelope: decoding an envelope leaked the decoder's bookkeeping (each node and its parent held each
    /// other). The input still decodes, and no node the decoder made outlives the decode.
    @Test func decodingLeavesNoBookkeepingAlive() throws {
        let envelope = try DSSEEnvelope.decode(try Self.input("FuzzEnvelope", "leak-decoding-tree.json"))
        #expect(envelope.payloadType == "text/plain")
        #expect(envelope.payload == Array("hi".utf8))
        #expect(envelope.signatures == [DSSESignature(keyID: "k", signature: [0])])

        let probed = try StrictJSONDecoder().decode(
            NodeProbeHolder.self, from: try StrictJSON.parse(Array(#"{"inner":{"leaf":"x"}}"#.utf8)))
        #expect(probed.inner.leaf == "x")
        #expect(probed.inner.sawNode)
        #expect(NodeProbe.lastNode == nil, "the decoding tree is still alive after decoding returned")
    }
}

/// Records (weakly) the bookkeeping node the strict decoder gave it, so a test can see whether it was freed.
private struct NodeProbe: Decodable {
    nonisolated(unsafe) static weak var lastNode: DecodingNode?
    let leaf: String
    let sawNode: Bool

    enum CodingKeys: String, CodingKey { case leaf }

    init(from decoder: any Decoder) throws {
        let node = (decoder as? StrictValueDecoder)?.node
        Self.lastNode = node
        sawNode = node != nil
        leaf = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .leaf)
    }
}

private struct NodeProbeHolder: Decodable {
    let inner: NodeProbe
}
