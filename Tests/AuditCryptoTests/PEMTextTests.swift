import Foundation
import Testing

@testable import AuditCrypto

@Suite("PEM text read as bytes")
struct PEMTextTests {
    static let key = try? PrivateKey.generate(.ed25519).publicKey

    @Test("markers are found where they are, including at either end, and counted without overlap")
    func markers() {
        let text = Array("ab-----BEGIN X-----cd-----BEGIN Y".utf8)
        #expect(PEMText.firstRange(of: Array("-----BEGIN ".utf8), in: text[...]) == 2..<13)
        #expect(PEMText.firstRange(of: Array("ab".utf8), in: text[...]) == 0..<2)
        #expect(PEMText.firstRange(of: Array("Y".utf8), in: text[...]) == 32..<33)
        #expect(PEMText.firstRange(of: Array("-----BEGIN ".utf8), in: text[3...]) == 21..<32)
        #expect(PEMText.firstRange(of: Array("zz".utf8), in: text[...]) == nil)
        #expect(PEMText.firstRange(of: Array("ab-----BEGIN X-----cd-----BEGIN Y!".utf8), in: text[...]) == nil)
        #expect(PEMText.count(of: Array("-----BEGIN ".utf8), in: text) == 2)
        #expect(PEMText.count(of: Array("aa".utf8), in: Array("aaaaa".utf8)) == 2)
        #expect(PEMText.contains("X-----cd", in: text))
        #expect(!PEMText.contains("PRIVATE KEY", in: text))
    }

    @Test("a body decodes with its line breaks, spaces and tabs skipped; anything else that is not base64 is refused")
    func bodies() {
        #expect(PEMText.decodeBody(Array(" aGVs\r\nbG8=\t\n".utf8)[...]) == Array("hello".utf8))
        #expect(PEMText.decodeBody(Array("aGVs!bG8=".utf8)[...]) == nil)
        #expect(PEMText.decodeBody(Array("aGVs\u{00A0}bG8=".utf8)[...]) == nil)
        #expect(PEMText.decodeBody(Array(" \n".utf8)[...]) == nil)
        #expect(PEMText.decodeBody(Array("aGVsbG8".utf8)[...]) == nil)
    }

    @Test("a PEM public key loads with text around its block and CRLF line ends, and keeps its key id")
    func keyFiles() throws {
        let key = try #require(Self.key)
        let pem = try key.pem
        #expect(try PublicKey(pem: "comment line\n" + pem + "trailing text\n").keyID == key.keyID)
        #expect(try PublicKey(pem: pem.replacingOccurrences(of: "\n", with: "\r\n")).keyID == key.keyID)
    }

    @Test("key files that are not one PEM public key are refused with the reason")
    func badKeyFiles() throws {
        let pem = try #require(Self.key).pem
        let cases: [(String, String)] = [
            ("no PEM at all", "not a PEM public key"),
            (pem + pem, "more than one PEM block"),
            (pem + "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n", "more than one PEM block"),
            ("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n", "no -----END PUBLIC KEY----- line"),
            ("-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n", "its body is not base64"),
            ("-----BEGIN PUBLIC KEY-----\n\n-----END PUBLIC KEY-----\n", "its body is not base64"),
            ("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "cannot parse the PEM public key"),
        ]
        for (text, reason) in cases {
            let error = #expect(throws: CryptoError.self) { try PublicKey(pem: text) }
            #expect(error?.message.contains(reason) == true, "\(reason): \(error?.message ?? "no error")")
        }
    }
}
