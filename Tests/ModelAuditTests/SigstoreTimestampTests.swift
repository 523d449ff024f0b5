import AuditCrypto
import Foundation
import Testing

@testable import ModelAudit

/// RFC 3161 timestamps in keyless bundles (`Tests/Vectors/sigstore/tsa`, from sigstore-python's test assets): a
/// token verifies against the trusted root's timestamp authority and vouches for a time; any token that does not
/// verify, or whose time is outside the certificate, fails the bundle.
@Suite("Sigstore RFC 3161 timestamps")
struct SigstoreTimestampTests {
    static let root = "tsa/trusted_root.staging-tsa.json"
    static let pointer = "/verificationMaterial/timestampVerificationData/rfc3161Timestamps"

    /// The bundle as JSON, its timestamps edited by `edit`.
    private func bundle(
        _ file: String = "tsa/bundle.txt.sigstore", edit: (inout [[String: Any]]) -> Void = { _ in }
    ) throws -> SigstoreBundle {
        let data = try Data(contentsOf: SigstoreVector.directory.appendingPathComponent(file))
        var json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var material = try #require(json["verificationMaterial"] as? [String: Any])
        var stamps = try #require(material["timestampVerificationData"] as? [String: Any])
        var list = try #require(stamps["rfc3161Timestamps"] as? [[String: Any]])
        edit(&list)
        stamps["rfc3161Timestamps"] = list
        material["timestampVerificationData"] = stamps
        json["verificationMaterial"] = material
        return try SigstoreBundle.decode([UInt8](try JSONSerialization.data(withJSONObject: json)))
    }

    /// Only the first token, the one upstream made over this bundle's signature.
    private static func firstTokenOnly(_ list: inout [[String: Any]]) { list = Array(list.prefix(1)) }

    private func verify(_ bundle: SigstoreBundle, root: String = root) throws -> SigstoreKeylessVerification {
        let digest = try Digests.hash(try SigstoreVector.bytes("tsa/bundle.txt"))
        return try SigstoreKeylessVerifier(
            trustedRoot: try TrustedRoot.parse(try SigstoreVector.bytes(root)),
            identity: .init(
                subject: .exact("alexis.challande@trailofbits.com"), issuer: .exact("https://accounts.google.com"))
        ).verify(bundle, artifactDigest: digest)
    }

    @Test("a TSA token over the signature verifies and its time is reported beside the log's")
    func verifiedTimestamp() throws {
        let result = try verify(try bundle(edit: Self.firstTokenOnly))
        #expect(result.timestampAuthorityTimes == [try #require(RFC3339.parse("2024-10-31T10:23:39Z"))])
        #expect(result.entries.first?.logIndex == 35_355_462)
        let key = try TrustedKey.keyless(result)
        #expect(key.identity?.timestampAuthorityTime == "2024-10-31T10:23:39Z")
        #expect(key.identity?.san == "alexis.challande@trailofbits.com")
    }

    @Test("the token parses: SHA-256 imprint of the signature, the TSA's time")
    func parsedToken() throws {
        let stamped = try bundle(edit: Self.firstTokenOnly)
        let token = try RFC3161Timestamp(der: try #require(stamped.timestamps.first))
        #expect(token.imprintAlgorithm == "SHA256")
        guard case .messageSignature(let message) = stamped.content else {
            Issue.record("expected a message signature")
            return
        }
        #expect(token.imprint == (try Digests.hash(message.signature)))
    }

    @Test("a token whose imprint is not over this signature (upstream's second token, SHA-512) fails the bundle")
    func imprintMismatch() throws {
        let error = sigstoreError { _ = try verify(try bundle()) }
        #expect(error?.kind == .rejected)
        #expect(error?.message.hasPrefix("\(Self.pointer)/1/signedTimestamp: ") == true, "\(String(describing: error))")
        #expect(error?.message.contains("message imprint is not the SHA512 digest of the signature") == true)
    }

    @Test("a token with one byte of its CMS signature changed is rejected")
    func tamperedSignature() throws {
        let tampered = try bundle { list in
            Self.firstTokenOnly(&list)
            guard let text = list[0]["signedTimestamp"] as? String, var der = Data(base64Encoded: text) else { return }
            // The last bytes are the ECDSA signature's s value.
            der[der.count - 3] ^= 0x01
            list[0]["signedTimestamp"] = der.base64EncodedString()
        }
        let error = sigstoreError { _ = try verify(tampered) }
        #expect(error?.kind == .rejected)
        #expect(error?.message.contains("does not verify with the TSA") == true, "\(String(describing: error))")
    }

    @Test("a token changed inside its signed TSTInfo (the time) is rejected")
    func tamperedTime() throws {
        let tampered = try bundle { list in
            Self.firstTokenOnly(&list)
            guard let text = list[0]["signedTimestamp"] as? String, var der = Data(base64Encoded: text) else { return }
            // genTime "20241031102339Z" → "20241031102338Z".
            let time = Data("20241031102339Z".utf8)
            guard let range = der.range(of: time) else { return }
            der[range.upperBound - 2] = UInt8(ascii: "8")
            list[0]["signedTimestamp"] = der.base64EncodedString()
        }
        let error = sigstoreError { _ = try verify(tampered) }
        #expect(error?.kind == .rejected, "\(String(describing: error))")
    }

    @Test("without the timestamp authority in the trusted root, the token is not trusted")
    func unknownAuthority() throws {
        let stamped = try bundle(edit: Self.firstTokenOnly)
        let error = sigstoreError { _ = try verify(stamped, root: SigstoreVector.staging) }
        #expect(error?.kind == .rejected)
        #expect(error?.message.contains("\(Self.pointer)/0/signedTimestamp") == true, "\(String(describing: error))")
    }

    @Test("garbage, duplicate and too many tokens are malformed input naming the member")
    func malformedTokens() throws {
        let notAResponse = Data([0x30, 0x03, 0x02, 0x01, 0x00]).base64EncodedString()
        let garbage = try bundle { list in list = [["signedTimestamp": notAResponse]] }
        let bad = sigstoreError { _ = try verify(garbage) }
        #expect(bad?.kind == .malformed)
        #expect(bad?.message.hasPrefix("\(Self.pointer)/0/signedTimestamp: ") == true, "\(String(describing: bad))")

        let duplicate = sigstoreError { _ = try verify(try bundle("tsa/bundle.duplicate.sigstore")) }
        #expect(duplicate?.kind == .malformed)
        #expect(duplicate?.message.contains("the same timestamp is given twice") == true)

        let many = sigstoreError { _ = try verify(try bundle("tsa/bundle.many_timestamp.sigstore")) }
        #expect(many?.kind == .malformed)
        #expect(many?.message.contains("33 timestamps exceed the limit of 32") == true)
    }

    @Test("a token made after the ten-minute certificate expired fails (upstream's late-timestamp bundle)")
    func lateTimestamp() throws {
        let late = try SigstoreBundle.decode(try SigstoreVector.bytes("tsa/bundle.txt.late_timestamp.sigstore"))
        let digest = try Digests.hash(try SigstoreVector.bytes("tsa/bundle.txt"))
        let error = sigstoreError {
            _ = try SigstoreKeylessVerifier(
                trustedRoot: try TrustedRoot.parse(try SigstoreVector.bytes(SigstoreVector.staging)),
                identity: .init(subject: nil, issuer: nil)
            ).verify(late, artifactDigest: digest)
        }
        #expect(error?.kind == .rejected)
        #expect(error?.message.contains("outside the certificate's validity") == true, "\(String(describing: error))")
    }
}
