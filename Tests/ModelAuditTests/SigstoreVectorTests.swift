import AuditCrypto
import Foundation
import Testing

@testable import ModelAudit

/// The transparency and certificate primitives on production Sigstore bundles, and on tampered copies of them.
@Suite("Sigstore production bundles")
struct SigstoreVectorTests {
    @Test("Rekor evidence verifies: inclusion proof to the signed checkpoint, and the SET", arguments: SigstoreVector.all)
    func rekorEntry(vector: SigstoreVector) throws {
        let parts = try vector.load()
        let result = try parts.entry.verify(trustedRoot: try vector.trustedRoot())
        #expect(result.signedEntryTimestampVerified)
        // Older v0.1 bundles carry no proof, or a proof without the checkpoint that would anchor it.
        #expect(result.inclusionProofVerified == (parts.entry.checkpointText != nil))
        #expect(parts.entry.inclusionProof != nil || vector.file == "bundle-provenance.json")
    }

    @Test("the entry body restates the bundle's signature and certificate", arguments: SigstoreVector.all)
    func body(vector: SigstoreVector) throws {
        let parts = try vector.load()
        try parts.entry.checkBody(matches: parts.content, certificate: parts.leaf)
        // Another bundle's content, or another certificate, does not match.
        let other = try SigstoreVector.all.first { $0.file != vector.file }.map { try $0.load() }
        if let other {
            #expect(sigstoreError { try parts.entry.checkBody(matches: parts.content, certificate: other.leaf) }?
                .message.contains("is not the bundle's") == true)
            if case .messageSignature = other.content, case .messageSignature = parts.content {
                #expect(sigstoreError { try parts.entry.checkBody(matches: other.content, certificate: parts.leaf) }?
                    .message.contains("is not the bundle's") == true)
            }
        }
    }

    @Test("the leaf chains to a Fulcio CA valid at the integrated time, and its SCT verifies",
        arguments: SigstoreVector.all)
    func certificate(vector: SigstoreVector) throws {
        let parts = try vector.load()
        let root = try vector.trustedRoot()
        let fulcio = try root.validateFulcioCertificate(parts.leaf, chain: parts.chain, at: try #require(parts.entry.integratedDate))
        #expect(fulcio.path.first == parts.leaf)
        #expect(fulcio.path.last?.subject == "CN=sigstore,O=sigstore.dev")
        #expect(parts.leaf.fulcioIssuer?.hasPrefix("https://") == true)
        #expect(!parts.leaf.subjectAlternativeNames.isEmpty)
        let scts = try root.verifyEmbeddedSCTs(fulcio)
        #expect(scts.count == 1)
        // The SCT was issued when the certificate was, before the entry was logged.
        #expect(abs(scts[0].date.timeIntervalSince(parts.leaf.notBefore)) < 60)
    }

    @Test("identities of the real signers are read from the certificates")
    func identities() throws {
        let github = try SigstoreVector(file: "bundle_v3_github.whl.sigstore", rootFile: SigstoreVector.publicGood).load()
        #expect(github.leaf.fulcioIssuer == "https://token.actions.githubusercontent.com")
        #expect(github.leaf.subjectAlternativeNames.first?.value.hasPrefix("https://github.com/") == true)
        let python = try SigstoreVector(file: "Python-3.12.5.tgz.sigstore", rootFile: SigstoreVector.publicGood).load()
        #expect(python.leaf.subjectAlternativeNames == [.email("thomas@python.org")])
        #expect(python.leaf.fulcioIssuer == "https://accounts.google.com")
    }

    // MARK: - Tampering

    private let github = SigstoreVector(file: "bundle_v3_github.whl.sigstore", rootFile: SigstoreVector.publicGood)

    private func entryFailure(_ vector: SigstoreVector, _ transform: (String) -> String) throws -> SigstoreError? {
        let parts = try vector.load(transform)
        let root = try vector.trustedRoot()
        return sigstoreError { try parts.entry.verify(trustedRoot: root) }
    }

    @Test("one byte of the inclusion proof changed: the root hash is not reached")
    func tamperedProof() throws {
        let hash = "XoeIGlDW7f2lVjTlQEXPaV7szUXY2BECAEKtNA/lgfk="
        let error = try entryFailure(github) { replacingFirst(hash, with: flippingBase64(hash, at: 0), in: $0) }
        #expect(error?.kind == .rejected)
        #expect(error?.message.contains("inclusion proof does not lead to the root hash") == true)
    }

    @Test("one byte of the checkpoint signature changed: the checkpoint does not verify")
    func tamperedCheckpoint() throws {
        let signature = "wNI9ajBGAiEA5perJLLm94gCQOQT5/vO29OXWNZ1SoengZDZ/U6vsOUCIQDBL0BIkCjWGR6V622znnVpXF5D1g0jPgajBlHh8uSc8g=="
        let error = try entryFailure(github) { replacingFirst(signature, with: flippingBase64(signature, at: 20), in: $0) }
        #expect(error?.message == "checkpoint signature does not verify with the key of log wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0=")
    }

    @Test("a checkpoint of another tree size does not vouch for the proof")
    func checkpointOfAnotherTree() throws {
        // A genuine checkpoint of the same log, from another bundle: signed, but for another tree.
        let other = try SigstoreVector.text("sigstore.js@2.0.0-provenance.sigstore.json")
        let otherEnvelope = try #require(Self.checkpointEnvelope(in: other))
        let error = try entryFailure(github) { text in
            guard let envelope = Self.checkpointEnvelope(in: text) else { return text }
            return replacingFirst(envelope, with: otherEnvelope, in: text)
        }
        #expect(error?.message.contains("is not the tree of the inclusion proof") == true)
    }

    @Test("one byte of the SET changed: the inclusion promise does not verify")
    func tamperedSET() throws {
        let set = "MEYCIQD8ohK48/Ls8D4Qd3dQZl6geplAt0p5Sgpa1wabniB/ZgIhALsVfKCe1m2KKtaEImxijm5bO2K49NltHWafJE2a1hnr"
        let error = try entryFailure(github) { replacingFirst(set, with: flippingBase64(set, at: 30), in: $0) }
        #expect(error?.message == "Rekor entry 79605083: the signed entry timestamp does not verify with the key of log wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0=")
        // A changed integrated time is caught by the SET too.
        let moved = try entryFailure(github) {
            replacingFirst("\"integratedTime\": \"1710888076\"", with: "\"integratedTime\": \"1710888077\"", in: $0)
        }
        #expect(moved?.message.contains("signed entry timestamp does not verify") == true)
    }

    @Test("an entry of a log the trusted root does not list is refused")
    func unknownLog() throws {
        let error = try entryFailure(github) {
            replacingFirst("wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0=", with: "0y8wo8MtY5wrdiIFohx7sHeI5oKDpK5vQhGHI6G+pJY=", in: $0)
        }
        #expect(error?.message.contains("which the trusted root does not list") == true)
    }

    @Test("malformed entries name the pointer: bad base64, tree size 0, index beyond the tree, short hashes")
    func malformedEntry() throws {
        func problems(_ transform: (String) -> String) throws -> [String] {
            do {
                _ = try github.load(transform)
                Issue.record("the malformed entry was accepted")
                return []
            } catch let error as InvalidDocumentError {
                return error.problems.map(\.description)
            }
        }
        let pointer = "/verificationMaterial/tlogEntries/0"
        #expect(try problems { replacingFirst("\"treeSize\": \"75441653\"", with: "\"treeSize\": \"0\"", in: $0) }
            == ["\(pointer)/inclusionProof: inclusion proof for a tree of size 0"])
        #expect(try problems { replacingFirst("\"logIndex\": \"75441652\"", with: "\"logIndex\": \"75441653\"", in: $0) }
            == ["\(pointer)/inclusionProof: inclusion proof leaf index 75441653 is not below the tree size 75441653"])
        #expect(try problems {
            replacingFirst("\"XoeIGlDW7f2lVjTlQEXPaV7szUXY2BECAEKtNA/lgfk=\"", with: "\"XoeIGlDW\"", in: $0)
        } == ["\(pointer)/inclusionProof: inclusion proof hash 0 is 6 bytes, not 32"])
        #expect(try problems { replacingFirst("\"canonicalizedBody\": \"", with: "\"canonicalizedBody\": \"*", in: $0) }
            == ["\(pointer)/canonicalizedBody: not valid base64"])
        #expect(try problems { replacingFirst("\"integratedTime\": \"1710888076\"", with: "\"integratedTime\": \"-5\"", in: $0) }
            == ["\(pointer)/integratedTime: \"-5\" is not a non-negative whole number"])
    }

    @Test("one byte of the SCT signature changed: the SCT does not verify")
    func tamperedSCT() throws {
        let parts = try github.load()
        let root = try github.trustedRoot()
        let fulcio = try root.validateFulcioCertificate(parts.leaf, chain: parts.chain, at: try #require(parts.entry.integratedDate))
        let sct = try #require(try EmbeddedSCTs.parse(parts.leaf).first)
        var der = parts.leaf.der
        let start = try #require(Self.range(of: sct.signature, in: der))
        der[start + sct.signature.count - 1] ^= 0x01
        let tampered = try X509Certificate(der: der)
        let forged = TrustedRoot.FulcioCertificate(path: [tampered] + fulcio.path.dropFirst(), authority: fulcio.authority)
        let error = sigstoreError { _ = try root.verifyEmbeddedSCTs(forged) }
        #expect(error?.kind == .rejected)
        #expect(error?.message.contains("SCT 1 of certificate") == true)
        #expect(error?.message.contains("does not verify with the key of CT log") == true)
        // The altered leaf no longer chains either: its issuer's signature covers the SCT.
        #expect(sigstoreError {
            _ = try root.validateFulcioCertificate(tampered, chain: parts.chain, at: try #require(parts.entry.integratedDate))
        }?.message.contains("certificate signature failure") == true)
    }

    @Test("SCTs of logs the trusted root does not list are not enough")
    func unknownCTLog() throws {
        let parts = try github.load()
        let root = try github.trustedRoot()
        let fulcio = try root.validateFulcioCertificate(parts.leaf, chain: parts.chain, at: try #require(parts.entry.integratedDate))
        let empty = TrustedRoot(
            mediaType: root.mediaType, transparencyLogs: root.transparencyLogs,
            certificateAuthorities: root.certificateAuthorities, ctLogs: [], timestampAuthorities: [])
        #expect(sigstoreError { _ = try empty.verifyEmbeddedSCTs(fulcio) }?.message
            .contains("has no SCT from a CT log of the trusted root") == true)
    }

    @Test("a Fulcio CA that had expired by the integrated time does not vouch for the leaf")
    func expiredCA() throws {
        let parts = try github.load()
        let text = replacingFirst(
            "\"start\": \"2022-04-13T20:06:15Z\"", with: "\"start\": \"2022-04-13T20:06:15Z\", \"end\": \"2023-01-01T00:00:00Z\"",
            in: try SigstoreVector.text(SigstoreVector.publicGood))
        let root = try TrustedRoot.parse(Array(text.utf8))
        let error = sigstoreError {
            _ = try root.validateFulcioCertificate(parts.leaf, chain: parts.chain, at: try #require(parts.entry.integratedDate))
        }
        #expect(error?.message.hasPrefix("no Fulcio CA of the trusted root was valid at 2024-03-19T22:41:16Z") == true)
    }

    @Test("an integrated time outside the ten-minute leaf's validity fails the chain")
    func integratedTimeOutsideLeaf() throws {
        let parts = try github.load()
        let root = try github.trustedRoot()
        let late = parts.leaf.notAfter.addingTimeInterval(1)
        #expect(sigstoreError { _ = try root.validateFulcioCertificate(parts.leaf, chain: parts.chain, at: late) }?
            .message.contains("certificate has expired") == true)
        let early = parts.leaf.notBefore.addingTimeInterval(-1)
        #expect(sigstoreError { _ = try root.validateFulcioCertificate(parts.leaf, chain: parts.chain, at: early) }?
            .message.contains("not yet valid") == true)
    }

    @Test("a staging bundle does not verify against the public-good root")
    func wrongInstance() throws {
        let staging = try SigstoreVector(file: "bundle_v3.txt.sigstore", rootFile: SigstoreVector.staging).load()
        let publicGood = try TrustedRoot.parse(try SigstoreVector.bytes(SigstoreVector.publicGood))
        #expect(sigstoreError { try staging.entry.verify(trustedRoot: publicGood) }?.message
            .contains("which the trusted root does not list") == true)
        #expect(sigstoreError {
            _ = try publicGood.validateFulcioCertificate(staging.leaf, chain: staging.chain, at: try #require(staging.entry.integratedDate))
        }?.kind == .rejected)
    }

    /// The JSON string literal of the first checkpoint envelope in a bundle's text.
    static func checkpointEnvelope(in text: String) -> String? {
        guard let start = text.range(of: "\"envelope\": \"") else { return nil }
        guard let end = text[start.upperBound...].range(of: "\"") else { return nil }
        return String(text[start.upperBound..<end.lowerBound])
    }

    static func range(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        return (0...(haystack.count - needle.count)).first { Array(haystack[$0..<($0 + needle.count)]) == needle }
    }
}
