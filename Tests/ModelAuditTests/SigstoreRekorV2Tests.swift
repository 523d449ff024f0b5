import AuditCrypto
import Foundation
import Testing

@testable import ModelAudit

/// Rekor v2 entries (`Tests/Vectors/sigstore/rekor2`, sigstore-conformance's `rekor2-*` bundles, logged by the
/// staging Rekor v2 logs): `hashedrekord` 0.0.2 for a message signature and for a DSSE envelope, no integrated
/// time and no signed entry timestamp, an inclusion proof to an Ed25519-signed checkpoint, and time from an
/// RFC 3161 timestamp. Upstream's `_fail` bundles and tampered copies made here each fail for their stated reason.
@Suite("Sigstore Rekor v2 entries")
struct SigstoreRekorV2Tests {
    static let identity = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/"
        + ".github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main"
    static let issuer = "https://token.actions.githubusercontent.com"
    static let root = "rekor2/trusted_root.json"
    static let dsseRoot = "rekor2/trusted_root.dsse.json"

    private static func bundleText(_ name: String) throws -> String {
        try SigstoreVector.text("rekor2/\(name)/bundle.sigstore.json")
    }

    private static func rootFor(_ name: String) -> String {
        name.hasPrefix("rekor2-dsse-") ? dsseRoot : root
    }

    /// The bundle `name`, as JSON edited by `edit`, verified against `rootFile` (by default the one upstream gives
    /// it) with the conformance identity; message signatures against `a.txt`.
    private func verify(
        _ name: String, root rootFile: String? = nil, edit: (inout [String: Any]) throws -> Void = { _ in },
        rootEdit: (inout [String: Any]) throws -> Void = { _ in }
    ) throws -> SigstoreKeylessVerification {
        var json = try Self.object(Array(try Self.bundleText(name).utf8))
        try edit(&json)
        let bundle = try SigstoreBundle.decode([UInt8](try JSONSerialization.data(withJSONObject: json)))
        var root = try Self.object(try SigstoreVector.bytes(rootFile ?? Self.rootFor(name)))
        try rootEdit(&root)
        let trustedRoot = try TrustedRoot.parse([UInt8](try JSONSerialization.data(withJSONObject: root)))
        let digest = try Digests.hash(try SigstoreVector.bytes("rekor2/a.txt"))
        return try SigstoreKeylessVerifier(
            trustedRoot: trustedRoot, identity: .init(subject: .exact(Self.identity), issuer: .exact(Self.issuer))
        ).verify(bundle, artifactDigest: digest)
    }

    private static func object(_ bytes: [UInt8]) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    /// Edits the first tlog entry of a bundle's JSON.
    private static func editEntry(_ json: inout [String: Any], _ edit: (inout [String: Any]) throws -> Void) throws {
        var material = try #require(json["verificationMaterial"] as? [String: Any])
        var entries = try #require(material["tlogEntries"] as? [[String: Any]])
        try edit(&entries[0])
        material["tlogEntries"] = entries
        json["verificationMaterial"] = material
    }

    private static func editProof(_ json: inout [String: Any], _ edit: (inout [String: Any]) throws -> Void) throws {
        try editEntry(&json) { entry in
            var proof = try #require(entry["inclusionProof"] as? [String: Any])
            try edit(&proof)
            entry["inclusionProof"] = proof
        }
    }

    /// The reason a verification fails, or nil when it passes.
    private func failure(_ run: () throws -> SigstoreKeylessVerification) -> SigstoreError? {
        sigstoreError { _ = try run() }
    }

    // MARK: - Upstream bundles that verify

    @Test("a hashedrekord 0.0.2 message signature verifies: proof, Ed25519 checkpoint, TSA time, identity")
    func messageSignature() throws {
        let result = try verify("rekor2-happy-path")
        #expect(result.identity == Self.identity)
        #expect(result.oidcIssuer == Self.issuer)
        let entry = try #require(result.entries.first)
        #expect(entry.logIndex == 735)
        #expect(entry.integratedTime == nil)
        #expect(entry.kind == "hashedrekord 0.0.2")
        #expect(entry.logBaseURL == "https://log2025-alpha1.rekor.sigstage.dev")
        #expect(result.timestampAuthorityTimes == [try #require(RFC3339.parse("2025-06-12T12:02:20Z"))])
        // Reports state the log index and, with no integrated time, the timestamp authority's time.
        let key = try TrustedKey.keyless(result)
        #expect(key.identity?.logIndex == 735)
        #expect(key.identity?.integratedTime == nil)
        #expect(key.identity?.timestampAuthorityTime == "2025-06-12T12:02:20Z")
        #expect(key.owner.hasSuffix("Rekor log index 735, timestamped 2025-06-12T12:02:20Z"))
    }

    @Test("a DSSE envelope logged as hashedrekord 0.0.2 over its pre-authentication encoding verifies")
    func dsseAsHashedRekord() throws {
        let result = try verify("rekor2-dsse-happy-path")
        let entry = try #require(result.entries.first)
        #expect(entry.kind == "hashedrekord 0.0.2")
        #expect(entry.logBaseURL == "https://log2025-alpha3.rekor.sigstage.dev")
        #expect(result.timestampAuthorityTimes.count == 1)
    }

    @Test(
        "witness cosignatures and other signature lines beside the log's are ignored, wherever they stand",
        arguments: [
            "rekor2-checkpoint-cosigned", "rekor2-checkpoint-origin-not-first",
            "rekor2-checkpoint-two-sigs-from-origin",
            "rekor2-timestamp-with-embedded-cert",
        ])
    func validVariants(name: String) throws {
        #expect(try verify(name).entries.first?.logIndex != nil)
    }

    // MARK: - Upstream bundles that fail

    @Test(
        "each failing conformance bundle fails for its stated reason",
        arguments: [
            ("rekor2-dsse-invalid-sig_fail", "signature is not the bundle's"),
            ("rekor2-dsse-mismatch-envelope_fail",
             "the entry body's digest of the envelope's pre-authentication encoding is not the bundle's"),
            ("rekor2-dsse-mismatch-sig_fail", "the entry body's signature is not the bundle's"),
            ("rekor2-checkpoint-no-matching-signature_fail",
             "checkpoint signature does not verify with the key of log"),
            ("rekor2-checkpoint-missing-log-signature_fail", "checkpoint signature block does not end with a newline"),
            ("rekor2-checkpoint-missing-root-hash_fail", "checkpoint"),
            ("rekor2-no-inclusion-proof_fail", "carries no inclusion proof"),
            ("rekor2-no-timestamp_fail", "has no integrated time and the bundle has no RFC 3161 timestamp"),
            ("rekor2-timestamp-payload-mismatch_fail", "rfc3161Timestamps/0/signedTimestamp"),
            ("rekor2-timestamp-untrusted-tsa-with-embedded-cert_fail", "rfc3161Timestamps/0/signedTimestamp"),
        ])
    func failingBundles(name: String, reason: String) throws {
        let error = try #require(failure { try verify(name) }, "\(name) verified")
        #expect(error.message.contains(reason), "\(name): \(error.message)")
    }

    @Test("a TSA time after the certificate expired fails; upstream's copy is refused earlier, for its wrapped base64")
    func timestampOutsideCertificate() throws {
        let name = "rekor2-timestamp-with-incorrect-time_fail"
        // Upstream pasted the token in as `base64` wrote it, with line breaks, which protobuf JSON does not write and
        // this reader does not accept.
        let wrapped = try #require(throws: InvalidDocumentError.self) { try verify(name) }
        #expect(wrapped.problems.map(\.pointer)
            == ["/verificationMaterial/timestampVerificationData/rfc3161Timestamps/0/signedTimestamp"])
        let error = failure {
            try verify(name, edit: { json in
                var material = try #require(json["verificationMaterial"] as? [String: Any])
                var data = try #require(material["timestampVerificationData"] as? [String: Any])
                var stamps = try #require(data["rfc3161Timestamps"] as? [[String: Any]])
                let text = try #require(stamps[0]["signedTimestamp"] as? String)
                stamps[0]["signedTimestamp"] = text.replacingOccurrences(of: "\n", with: "")
                data["rfc3161Timestamps"] = stamps
                material["timestampVerificationData"] = data
                json["verificationMaterial"] = material
            })
        }
        #expect(error?.message.hasSuffix(
            "the timestamp authority's time 2025-07-15T10:33:31Z is outside the certificate's validity "
                + "(2025-06-12T12:02:16Z to 2025-06-12T12:12:16Z)") == true, "\(String(describing: error))")
    }

    @Test("a timestamp after the trusted root ends its TSA's validity gives no time")
    func timestampAuthorityExpired() throws {
        let error = failure {
            try verify(
                "rekor2-timestamp-outside-trust-root-tsa-validity_fail", root: "rekor2/trusted_root.tsa-expired.json")
        }
        #expect(error?.message.contains("no timestamp authority of the trusted root was valid at 2025-") == true)
    }

    // MARK: - Tampered here

    @Test("one byte of an inclusion proof hash changed: the proof no longer reaches the checkpoint's root")
    func tamperedProof() throws {
        let error = failure {
            try verify("rekor2-happy-path") { json in
                try Self.editProof(&json) { proof in
                    var hashes = try #require(proof["hashes"] as? [String])
                    var bytes = try #require(Base64.decode(hashes[2]))
                    bytes[7] ^= 1
                    hashes[2] = Base64.encode(bytes)
                    proof["hashes"] = hashes
                }
            }
        }
        #expect(error?.kind == .rejected)
        #expect(error?.message.hasPrefix("Rekor entry 735:") == true, "\(String(describing: error))")
    }

    @Test("the checkpoint's Ed25519 signature changed: it no longer verifies with the log key")
    func tamperedCheckpointSignature() throws {
        let error = failure {
            try verify("rekor2-happy-path") { json in
                try Self.editProof(&json) { proof in
                    var checkpoint = try #require(proof["checkpoint"] as? [String: Any])
                    let text = try #require(checkpoint["envelope"] as? String)
                    let line = try #require(text.split(separator: "\n").last)
                    let encoded = try #require(line.split(separator: " ").last)
                    var raw = try #require(Base64.decode(String(encoded)))
                    raw[10] ^= 0x80
                    let forged = "— log2025-alpha1.rekor.sigstage.dev " + Base64.encode(raw)
                    checkpoint["envelope"] = text.replacingOccurrences(of: String(line), with: forged)
                    proof["checkpoint"] = checkpoint
                }
            }
        }
        #expect(error?.message.hasPrefix("checkpoint signature does not verify with the key of log 8w1am") == true)
    }

    @Test("a proof without its checkpoint proves nothing, and Rekor v2 has no other evidence")
    func checkpointRemoved() throws {
        let error = failure {
            try verify("rekor2-happy-path") { json in try Self.editProof(&json) { $0["checkpoint"] = nil } }
        }
        #expect(error?.message.contains("its inclusion proof has no checkpoint") == true)
    }

    @Test("a Rekor v2 entry that claims an integrated time or a signed entry timestamp was not written by one")
    func integratedTimeOrPromiseAdded() throws {
        for edit in [
            { (entry: inout [String: Any]) in entry["integratedTime"] = "1749729740" },
            { (entry: inout [String: Any]) in entry["inclusionPromise"] = ["signedEntryTimestamp": "AAAA"] },
        ] {
            let error = failure { try verify("rekor2-happy-path") { json in try Self.editEntry(&json, edit) } }
            #expect(error?.kind == .malformed)
            #expect(error?.message.contains("which Rekor v2 logs never write") == true)
        }
    }

    @Test("the TSA's time outside the log key's validity fails")
    func logKeyNotValidAtTimestamp() throws {
        let error = failure {
            try verify("rekor2-happy-path", rootEdit: { root in
                var logs = try #require(root["tlogs"] as? [[String: Any]])
                let index = try #require(logs.firstIndex { ($0["baseUrl"] as? String)?.contains("alpha1") == true })
                var key = try #require(logs[index]["publicKey"] as? [String: Any])
                key["validFor"] = ["start": "2025-04-16T00:00:00Z", "end": "2025-06-01T00:00:00Z"]
                logs[index]["publicKey"] = key
                root["tlogs"] = logs
            })
        }
        let reason = "the timestamp authority's time 2025-06-12T12:02:20Z is outside the validity of log"
        #expect(error?.message.contains(reason) == true)
    }

    @Test("a log the trusted root does not list is refused")
    func unknownLog() throws {
        let error = failure {
            try verify("rekor2-happy-path", rootEdit: { root in
                root["tlogs"] = (root["tlogs"] as? [[String: Any]])?.filter {
                    ($0["baseUrl"] as? String)?.contains("alpha1") != true
                }
            })
        }
        #expect(error?.message.contains("which the trusted root does not list") == true)
    }

    @Test("a checkpoint key id in the trusted root selects the signature line; a wrong one finds none")
    func checkpointKeyID() throws {
        func withCheckpointKey(_ id: String) -> (inout [String: Any]) throws -> Void {
            { root in
                var logs = try #require(root["tlogs"] as? [[String: Any]])
                let index = try #require(logs.firstIndex { ($0["baseUrl"] as? String)?.contains("alpha1") == true })
                logs[index]["checkpointKeyId"] = ["keyId": id]
                root["tlogs"] = logs
            }
        }
        _ = try verify("rekor2-happy-path", rootEdit: withCheckpointKey("8w1amZ2S5mJIQkQmPxdMuOrL/oJkvFg9MnQXmeOCXck="))
        let other = Base64.encode([UInt8](repeating: 7, count: 32))
        let error = failure { try verify("rekor2-happy-path", rootEdit: withCheckpointKey(other)) }
        #expect(error?.message.hasPrefix("checkpoint has no signature by log") == true)
    }

    // MARK: - Bodies

    /// The DSSE happy path's envelope, leaf and one Rekor v2 entry whose body is `body`.
    private func dsseParts(body: [String: Any]) throws -> (SignedContent, X509Certificate, RekorEntry) {
        let bundle = try SigstoreBundle.decode(Array(try Self.bundleText("rekor2-dsse-happy-path").utf8))
        guard case .dsseEnvelope(let envelope) = bundle.content, case .certificate(let der) = bundle.signer else {
            throw SigstoreError.malformed("expected a DSSE bundle with a leaf certificate")
        }
        let content = SignedContent.dsse(
            payloadType: envelope.payloadType, payload: envelope.payload,
            signatures: envelope.signatures.map(\.signature))
        let entry = RekorEntry(
            logIndex: 1, logID: [UInt8](repeating: 0, count: 32), kind: body["kind"] as? String ?? "",
            kindVersion: "0.0.2", integratedTime: nil,
            body: [UInt8](try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])),
            signedEntryTimestamp: nil, inclusionProof: nil, checkpointText: nil)
        return (content, try X509Certificate(der: der), entry)
    }

    /// A `dsse` 0.0.2 body for the DSSE happy path's envelope, as rekor-tiles writes one.
    private func dsseV2Body(
        payloadDigest: [UInt8]? = nil, signature: [UInt8]? = nil, certificate: [UInt8]? = nil,
        keyDetails: String = "PKIX_ECDSA_P256_SHA_256"
    ) throws -> [String: Any] {
        let bundle = try SigstoreBundle.decode(Array(try Self.bundleText("rekor2-dsse-happy-path").utf8))
        guard case .dsseEnvelope(let envelope) = bundle.content, case .certificate(let der) = bundle.signer else {
            throw SigstoreError.malformed("expected a DSSE bundle with a leaf certificate")
        }
        let verifier: [String: Any] = [
            "keyDetails": keyDetails, "x509Certificate": ["rawBytes": Base64.encode(certificate ?? der)],
        ]
        return [
            "apiVersion": "0.0.2", "kind": "dsse",
            "spec": [
                "dsseV002": [
                    "payloadHash": [
                        "algorithm": "SHA2_256",
                        "digest": Base64.encode(try payloadDigest ?? Digests.hash(envelope.payload)),
                    ],
                    "signatures": [
                        ["content": Base64.encode(signature ?? envelope.signatures[0].signature), "verifier": verifier]
                    ],
                ] as [String: Any]
            ],
        ]
    }

    @Test("a dsse 0.0.2 body must restate the payload hash, the signatures and the leaf with its key details")
    func dsseV2Body() throws {
        let (content, leaf, entry) = try dsseParts(body: try dsseV2Body())
        try entry.checkBody(matches: content, certificate: leaf)

        let cases: [([String: Any], String)] = [
            (try dsseV2Body(payloadDigest: [UInt8](repeating: 1, count: 32)), "payload hash"),
            (try dsseV2Body(signature: [1, 2, 3]), "signature"),
            (try dsseV2Body(certificate: [0x30, 0x03, 0x02, 0x01, 0x01]), "certificate"),
            (try dsseV2Body(keyDetails: "PKIX_ED25519"), "key details"),
        ]
        for (body, what) in cases {
            let (content, leaf, entry) = try dsseParts(body: body)
            let error = sigstoreError { try entry.checkBody(matches: content, certificate: leaf) }
            #expect(error?.message == "Rekor entry 1: the entry body's \(what) is not the bundle's")
        }
    }

    @Test("a message signature cannot be matched to a dsse 0.0.2 entry, nor a DSSE envelope to intoto's v2 name")
    func kindMismatch() throws {
        let (_, leaf, entry) = try dsseParts(body: try dsseV2Body())
        let message = SignedContent.messageSignature(
            digestAlgorithm: .sha256, digest: [UInt8](repeating: 0, count: 32), signature: [1])
        let error = sigstoreError { try entry.checkBody(matches: message, certificate: leaf) }
        #expect(error?.message.contains("a dsse 0.0.2 entry cannot record this bundle's content") == true)
    }

    // MARK: - Trusted root

    @Test("a timestamp authority (or Fulcio CA) without a uri is still usable")
    func authorityWithoutURI() throws {
        let result = try verify("rekor2-happy-path", rootEdit: { root in
            for member in ["timestampAuthorities", "certificateAuthorities"] {
                root[member] = try #require(root[member] as? [[String: Any]]).map { authority in
                    var stripped = authority
                    stripped["uri"] = nil
                    return stripped
                }
            }
        })
        #expect(result.timestampAuthorityTimes.count == 1)
        let root = try TrustedRoot.parse(
            Array(try SigstoreVector.text(Self.root).replacingOccurrences(
                of: "\"uri\": \"https://timestamp.sigstage.dev/api/v1/timestamp\",", with: "").utf8))
        #expect(root.timestampAuthorities.first?.uri == nil)
        #expect(root.timestampAuthorities.first?.chain.isEmpty == false)
    }
}
