import Foundation
import Testing

@testable import ModelAudit

/// The DSSE envelope and `trust.json` are read member by member with `ObjectReader`, so every structural problem is
/// named with its JSON pointer and no member is ignored.
@Suite("Envelope and trust index reading")
struct WireDocumentReadingTests {
    private static func envelopeError(_ text: String) -> EnvelopeError? {
        do {
            _ = try DSSEEnvelope.decode(Array(text.utf8))
            return nil
        } catch let error as EnvelopeError {
            return error
        } catch {
            Issue.record("unexpected \(error)")
            return nil
        }
    }

    @Test func readsAnEnvelopeWithAndWithoutKeyHints() throws {
        let text = #"{"payloadType":"application/vnd.in-toto+json","payload":"e30=","#
            + #""signatures":[{"keyid":"k1","sig":"AA=="},{"sig":"AQ=="},{"keyid":null,"sig":"Ag=="}]}"#
        let envelope = try DSSEEnvelope.decode(Array(text.utf8))
        #expect(envelope.payload == Array("{}".utf8))
        #expect(envelope.signatures.map(\.keyID) == ["k1", nil, nil])
        #expect(envelope.signatures.map(\.signature) == [[0], [1], [2]])
    }

    @Test func anEmptyPayloadTypeAndPayloadAreValuesNotBlanks() throws {
        // Judged later as "not a model manifest"; the envelope itself is well formed.
        let envelope = try DSSEEnvelope.decode(Array(#"{"payloadType":"","payload":"","signatures":[]}"#.utf8))
        #expect(envelope.payloadType.isEmpty && envelope.payload.isEmpty && envelope.signatures.isEmpty)
    }

    @Test("structural problems are named with their pointer", arguments: [
        (#"{"payloadType":"t","payload":"","signatures":[{"sig":"AA==","foo":1}]}"#, "/signatures/0/foo",
         "unknown member \"foo\""),
        (#"{"payloadType":"t","payload":"","signatures":[{"keyid":"k"}]}"#, "/signatures/0/sig",
         "required member is missing"),
        (#"{"payloadType":1,"payload":"","signatures":[]}"#, "/payloadType", "expected a string, found number"),
        (#"{"payloadType":"t","signatures":[]}"#, "/payload", "required member is missing"),
        (#"{"payloadType":"t","payload":"","signatures":{}}"#, "/signatures", "expected an array, found object"),
        (#"{"payloadType":"t","payload":"","signatures":[7]}"#, "/signatures/0", "expected an object, found number"),
        (#"[1]"#, "", "expected an object, found array"),
    ])
    func envelopeProblems(text: String, pointer: String, message: String) throws {
        let error = try #require(Self.envelopeError(text))
        #expect(error.pointer == pointer)
        #expect(error.message.hasPrefix("not a DSSE envelope"))
        #expect(error.message.contains(message), "\(error.message)")
    }

    @Test func everyEnvelopeProblemIsListedNotOnlyTheFirst() throws {
        let error = try #require(Self.envelopeError(#"{"zzz":1,"payloadType":"t","signatures":[{"sig":"A","x":1}]}"#))
        for part in ["/zzz: unknown member", "/payload: required member is missing", "/signatures/0/x: unknown member"] {
            #expect(error.message.contains(part), "\(error.message)")
        }
    }

    @Test func badBase64IsReportedAtItsMember() throws {
        #expect(Self.envelopeError(#"{"payloadType":"t","payload":"@@","signatures":[]}"#)?.pointer == "/payload")
        let error = Self.envelopeError(#"{"payloadType":"t","payload":"","signatures":[{"sig":"%"}]}"#)
        #expect(error?.pointer == "/signatures/0/sig")
    }

    private static func trustProblems(_ text: String) throws -> [TrustStoreError.Problem] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("trust-read-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            _ = try TrustStore.load(index: Array(text.utf8), directory: directory)
            return []
        } catch let error as TrustStoreError {
            return error.problems
        }
    }

    @Test func trustIndexStructureProblemsCarryPointers() throws {
        let problems = try Self.trustProblems(
            #"{"version":1,"comment":"x","keys":[{"file":"a.pub","owner":"A","roles":["developer",3],"extra":true},"#
                + #"{"owner":"B","roles":[]}]}"#)
        let found = Set(problems.map { "\($0.pointer ?? ""): \($0.message)" })
        #expect(found.contains("/comment: unknown member \"comment\""), "\(found)")
        #expect(found.contains("/keys/0/extra: unknown member \"extra\""), "\(found)")
        #expect(found.contains("/keys/0/roles/1: expected a string, found number"), "\(found)")
        #expect(found.contains("/keys/1/file: required member is missing"), "\(found)")
    }

    @Test func trustIndexThatIsNotJSONNamesTheFile() throws {
        let problems = try Self.trustProblems("{\"version\": 1,")
        #expect(problems.count == 1)
        #expect(problems.first?.message.contains("trust.json") == true)
    }

    @Test func trustIndexVersionMustBeAWholeNumber() throws {
        let problems = try Self.trustProblems(#"{"version":"1","keys":[]}"#)
        #expect(problems.map(\.pointer) == ["/version"])
    }
}
