import Foundation
import Testing

@testable import AuditCrypto

/// The committed X.509 fixtures that `Tests/Fixtures/pki/make-fixtures.sh` made with the openssl command line.
enum PKIFixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/pki", isDirectory: true)

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    static func certificate(_ name: String) throws -> X509Certificate {
        let certificates = try X509Certificate.certificates(pem: try bytes(name))
        try #require(certificates.count == 1)
        return certificates[0]
    }

    static func certificates(_ name: String) throws -> [X509Certificate] {
        try X509Certificate.certificates(pem: try bytes(name))
    }

    /// An instant inside every "valid" fixture's window.
    static let midValidity = Date(timeIntervalSince1970: 1_780_000_000)  // 2026-05-28
}

/// Runs `body` and returns the `CryptoError` it throws, so a test can check the reason it names.
func cryptoError(_ body: () throws -> Void) -> CryptoError? {
    do {
        try body()
        return nil
    } catch let error as CryptoError {
        return error
    } catch {
        return nil
    }
}

@Suite("X.509 certificates")
struct X509CertificateTests {
    @Test("fields of a leaf: names, serial, dates, key, alternative names, usages, Fulcio issuer")
    func leafFields() throws {
        let leaf = try PKIFixtures.certificate("leaf.pem")
        #expect(leaf.subject == "CN=release signer,O=Vendor")
        #expect(leaf.issuer == "CN=Fixture Intermediate CA,O=Model Audit Fixtures")
        #expect(leaf.serialNumberHex == "1002")
        #expect(leaf.notBefore == Date(timeIntervalSince1970: 1_767_225_600))  // 2026-01-01T00:00:00Z
        #expect(leaf.notAfter == Date(timeIntervalSince1970: 1_798_761_600))  // 2027-01-01T00:00:00Z
        #expect(leaf.publicKey.type == .ecdsaP256)
        #expect(
            leaf.subjectAlternativeNames == [.email("release@vendor.example"), .uri("https://ci.vendor.example/release")])
        #expect(leaf.allowsDigitalSignature)
        #expect(leaf.allowsCodeSigning)
        #expect(!leaf.isCA)
        #expect(leaf.fulcioIssuer == "https://idp.vendor.example")
        #expect(leaf.extensionValue(oid: X509Certificate.fulcioIssuerV1OID) == Array("https://idp.vendor.example".utf8))
        #expect(leaf.extensionValue(oid: "1.2.3.4") == nil)
        let again = try X509Certificate(der: leaf.der)
        #expect(again == leaf)
        #expect(try X509Certificate.certificates(pem: Array(leaf.pem.utf8)) == [leaf])
    }

    @Test("CA flags, and usages reported absent when the extension is absent")
    func flags() throws {
        #expect(try PKIFixtures.certificate("root.pem").isCA)
        #expect(try PKIFixtures.certificate("intermediate.pem").isCA)
        let noKU = try PKIFixtures.certificate("leaf-no-ku.pem")
        #expect(!noKU.allowsDigitalSignature)
        #expect(noKU.allowsCodeSigning)
        #expect(noKU.fulcioIssuer == nil)
        #expect(!(try PKIFixtures.certificate("leaf-wrong-eku.pem")).allowsCodeSigning)
    }

    @Test("a PEM file gives every certificate in order")
    func pemOrder() throws {
        let chain = try PKIFixtures.certificates("chain.pem")
        #expect(chain.map(\.subject) == ["CN=Fixture Intermediate CA,O=Model Audit Fixtures",
            "CN=Fixture Root CA,O=Model Audit Fixtures"])
    }

    @Test("non-PEM input, text between blocks, bad base64 and trailing DER bytes are refused by name")
    func badInput() throws {
        let notPEM = cryptoError { _ = try PKIFixtures.certificates("not-pem.txt") }
        #expect(notPEM?.kind == .malformedCertificate)
        #expect(notPEM?.message.contains("not a PEM certificate") == true)

        let between = cryptoError { _ = try PKIFixtures.certificates("garbage-between.pem") }
        #expect(between?.message.contains("unexpected text after certificate 1") == true)

        let badBase64 = Array("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n".utf8)
        #expect(cryptoError { _ = try X509Certificate.certificates(pem: badBase64) }?.message
            == "certificate 1 is not valid base64")

        let unterminated = Array("-----BEGIN CERTIFICATE-----\nMIIB\n".utf8)
        #expect(cryptoError { _ = try X509Certificate.certificates(pem: unterminated) }?.message.contains(
            "has no -----END CERTIFICATE----- line") == true)

        let der = try PKIFixtures.certificate("leaf.pem").der
        #expect(cryptoError { _ = try X509Certificate(der: der + [0]) }?.message
            == "trailing bytes after the DER certificate")
        #expect(cryptoError { _ = try X509Certificate(der: Array(der.prefix(40))) }?.kind == .malformedCertificate)
        #expect(cryptoError { _ = try X509Certificate(der: []) }?.kind == .malformedCertificate)
    }

    @Test("a DER UTF8String is read only when it fills the value exactly")
    func utf8String() {
        #expect(DERString.utf8String([0x0C, 0x02, 0x68, 0x69]) == "hi")
        #expect(DERString.utf8String([0x0C, 0x03, 0x68, 0x69]) == nil)
        #expect(DERString.utf8String([0x13, 0x02, 0x68, 0x69]) == nil)
        #expect(DERString.utf8String([0x0C, 0x81, 0x02, 0x68, 0x69]) == "hi")
    }
}

@Suite("Certificate path validation")
struct CertificateChainVerifierTests {
    let root: X509Certificate
    let intermediate: X509Certificate
    let leaf: X509Certificate

    init() throws {
        root = try PKIFixtures.certificate("root.pem")
        intermediate = try PKIFixtures.certificate("intermediate.pem")
        leaf = try PKIFixtures.certificate("leaf.pem")
    }

    private func rejection(
        _ verifier: CertificateChainVerifier, leaf: X509Certificate, chain: [X509Certificate],
        at time: Date = PKIFixtures.midValidity, requireCodeSigning: Bool = true
    ) -> String? {
        let error = cryptoError {
            _ = try verifier.verify(leaf: leaf, untrustedChain: chain, at: time, requireCodeSigning: requireCodeSigning)
        }
        #expect(error == nil || error?.kind == .certificateRejected)
        return error?.message
    }

    @Test("root → intermediate → leaf validates and returns the path leaf first")
    func validPath() throws {
        let verifier = CertificateChainVerifier(roots: [root])
        let path = try verifier.verify(leaf: leaf, untrustedChain: [intermediate], at: PKIFixtures.midValidity)
        #expect(path == [leaf, intermediate, root])
        // The chain may end with the root itself, and intermediates may come from the verifier instead.
        #expect(try verifier.verify(leaf: leaf, untrustedChain: [intermediate, root], at: PKIFixtures.midValidity)
            == [leaf, intermediate, root])
        let withIntermediates = CertificateChainVerifier(roots: [root], intermediates: [intermediate])
        #expect(try withIntermediates.verify(leaf: leaf, untrustedChain: [], at: PKIFixtures.midValidity).count == 3)
        #expect(try verifier.verify(leaf: leaf, untrustedChain: [leaf, intermediate], at: PKIFixtures.midValidity)
            .count == 3)
    }

    @Test("an intermediate given as a root does not make the partial chain trusted")
    func partialChain() {
        let verifier = CertificateChainVerifier(roots: [intermediate])
        let message = rejection(verifier, leaf: leaf, chain: [intermediate])
        #expect(message?.contains("unable to get issuer certificate") == true)
        #expect(message?.contains("Fixture Intermediate CA") == true)
    }

    @Test("without the intermediate the path cannot be built")
    func missingIntermediate() {
        let message = rejection(CertificateChainVerifier(roots: [root]), leaf: leaf, chain: [])
        #expect(message?.contains("unable to get local issuer certificate") == true)
        #expect(message?.contains("release signer") == true)
    }

    @Test("validity is checked at the given time, not today")
    func validityAtTime() throws {
        let verifier = CertificateChainVerifier(roots: [root])
        let expired = try PKIFixtures.certificate("leaf-expired.pem")
        let expiredMessage = rejection(verifier, leaf: expired, chain: [intermediate])
        #expect(expiredMessage?.contains("certificate has expired") == true)
        #expect(expiredMessage?.contains("expired signer") == true)
        // The same leaf was fine while it was valid.
        #expect(rejection(verifier, leaf: expired, chain: [intermediate],
            at: Date(timeIntervalSince1970: 1_740_000_000)) == nil)  // 2025-02-19

        let future = try PKIFixtures.certificate("leaf-not-yet-valid.pem")
        #expect(rejection(verifier, leaf: future, chain: [intermediate])?.contains("certificate is not yet valid")
            == true)
        // Before the leaf's own start the good leaf fails too.
        #expect(rejection(verifier, leaf: leaf, chain: [intermediate],
            at: Date(timeIntervalSince1970: 1_760_000_000))?.contains("not yet valid") == true)
    }

    @Test("the leaf needs codeSigning and digitalSignature unless the caller waives it")
    func usages() throws {
        let verifier = CertificateChainVerifier(roots: [root])
        let wrongEKU = try PKIFixtures.certificate("leaf-wrong-eku.pem")
        #expect(rejection(verifier, leaf: wrongEKU, chain: [intermediate])?.contains("lacks extendedKeyUsage codeSigning")
            == true)
        let noKU = try PKIFixtures.certificate("leaf-no-ku.pem")
        #expect(rejection(verifier, leaf: noKU, chain: [intermediate])?.contains("lacks keyUsage digitalSignature")
            == true)
        #expect(rejection(verifier, leaf: wrongEKU, chain: [intermediate], requireCodeSigning: false) == nil)
    }

    @Test("a chain in the wrong order or with an unrelated certificate is refused by name")
    func order() throws {
        let verifier = CertificateChainVerifier(roots: [root])
        let wrongOrder = try PKIFixtures.certificates("chain-wrong-order.pem")
        let message = rejection(verifier, leaf: leaf, chain: wrongOrder)
        #expect(message?.contains("out of order") == true)
        #expect(message?.contains("chain certificate 1") == true)

        let otherRoot = try PKIFixtures.certificate("other-root.pem")
        let stray = rejection(verifier, leaf: leaf, chain: [intermediate, otherRoot])
        #expect(stray?.contains("chain certificate 2") == true)
        #expect(stray?.contains("Other Root CA") == true)
    }

    @Test("a leaf of another PKI does not validate, and no roots means no trust")
    func otherPKI() throws {
        let otherLeaf = try PKIFixtures.certificate("other-leaf.pem")
        let message = rejection(CertificateChainVerifier(roots: [root]), leaf: otherLeaf, chain: [])
        #expect(message?.contains("other signer") == true)
        #expect(rejection(CertificateChainVerifier(roots: []), leaf: leaf, chain: [intermediate])?
            .contains("no root certificates") == true)
        // The other root trusts its own leaf, not ours.
        let otherRoot = try PKIFixtures.certificate("other-root.pem")
        #expect(rejection(CertificateChainVerifier(roots: [otherRoot]), leaf: otherLeaf, chain: []) == nil)
        #expect(rejection(CertificateChainVerifier(roots: [otherRoot]), leaf: leaf, chain: [intermediate]) != nil)
    }
}
