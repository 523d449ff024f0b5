import AuditCrypto
import Foundation
import Testing

@testable import ModelAudit

/// A production Sigstore bundle from `Tests/Vectors/sigstore`, taken apart far enough to test the transparency
/// and certificate primitives on it (bundle parsing proper belongs to the bundle reader, not these tests).
struct SigstoreVector: Sendable, CustomStringConvertible {
    let file: String
    let rootFile: String

    var description: String { file }

    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Vectors/sigstore", isDirectory: true)

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    static func text(_ name: String) throws -> String {
        String(decoding: try bytes(name), as: UTF8.self)
    }

    static let publicGood = "trusted_root.json"
    static let staging = "trusted_root.staging.json"

    /// Every bundle with a certificate, each with the trusted root of the instance that logged it.
    static let all: [SigstoreVector] = [
        SigstoreVector(file: "bundle_v3_github.whl.sigstore", rootFile: publicGood),
        SigstoreVector(file: "Python-3.12.5.tgz.sigstore", rootFile: publicGood),
        SigstoreVector(file: "sigstore.js@2.0.0-provenance.sigstore.json", rootFile: publicGood),
        SigstoreVector(file: "bundle-provenance.json", rootFile: publicGood),
        SigstoreVector(file: "bundle.txt.sigstore", rootFile: staging),
        SigstoreVector(file: "bundle_v3.txt.sigstore", rootFile: staging),
        SigstoreVector(file: "bundle_v3_alt.txt.sigstore", rootFile: staging),
    ]

    func trustedRoot() throws -> TrustedRoot {
        try TrustedRoot.parse(try Self.bytes(rootFile))
    }

    func load(_ transform: (String) -> String = { $0 }) throws -> Parts {
        try Parts(json: try StrictJSON.parse(Array(transform(try Self.text(file)).utf8)))
    }

    /// The pieces of a bundle the primitives take.
    struct Parts {
        let leaf: X509Certificate
        let chain: [X509Certificate]
        let entry: RekorEntry
        let content: SignedContent

        init(json: JSONValue) throws {
            let material = try #require(json["verificationMaterial"])
            var certificates: [X509Certificate] = []
            if let raw = material["certificate"]?["rawBytes"]?.stringValue {
                certificates = [try X509Certificate(der: try #require(Base64.decode(raw)))]
            } else {
                for item in try #require(material["x509CertificateChain"]?["certificates"]?.arrayValue) {
                    let raw = try #require(item["rawBytes"]?.stringValue)
                    certificates.append(try X509Certificate(der: try #require(Base64.decode(raw))))
                }
            }
            leaf = try #require(certificates.first)
            chain = Array(certificates.dropFirst())
            let entries = try #require(material["tlogEntries"]?.arrayValue)
            entry = try RekorEntry(json: try #require(entries.first), pointer: "/verificationMaterial/tlogEntries/0")
            if let message = json["messageSignature"] {
                #expect(message["messageDigest"]?["algorithm"]?.stringValue == "SHA2_256")
                content = .messageSignature(
                    digestAlgorithm: .sha256,
                    digest: try #require(message["messageDigest"]?["digest"]?.stringValue.flatMap(Base64.decode)),
                    signature: try #require(message["signature"]?.stringValue.flatMap(Base64.decode)))
            } else {
                let envelope = try #require(json["dsseEnvelope"])
                content = .dsse(
                    payloadType: try #require(envelope["payloadType"]?.stringValue),
                    payload: try #require(envelope["payload"]?.stringValue.flatMap(Base64.decode)),
                    signatures: try #require(envelope["signatures"]?.arrayValue).map {
                        try #require($0["sig"]?.stringValue.flatMap(Base64.decode))
                    })
            }
        }
    }
}

/// Runs `body` and returns the `SigstoreError` it throws (nil when it throws nothing or something else).
func sigstoreError(_ body: () throws -> Void) -> SigstoreError? {
    do {
        try body()
        return nil
    } catch let error as SigstoreError {
        return error
    } catch {
        Issue.record("expected a SigstoreError, got \(error)")
        return nil
    }
}

/// Replaces the first occurrence of `target` in `text`, recording an issue when there is none.
func replacingFirst(_ target: String, with replacement: String, in text: String) -> String {
    guard let range = text.range(of: target) else {
        Issue.record("\(target.prefix(30)) not found")
        return text
    }
    return text.replacingCharacters(in: range, with: replacement)
}

/// The base64 string with one character changed at `offset`, still valid base64 of the same length.
func flippingBase64(_ text: String, at offset: Int) -> String {
    var characters = Array(text)
    characters[offset] = characters[offset] == "A" ? "B" : "A"
    return String(characters)
}
