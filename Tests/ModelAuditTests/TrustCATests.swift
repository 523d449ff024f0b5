import AuditCrypto
import Foundation
import Testing

@testable import ModelAudit

/// Trust stores with CA roots (`ca` entries) and keys given as X.509 certificates: loading, editing, and verifying
/// certificate-signed OMS bundles with nothing but the trust store.
enum TrustCAFixtures {
    static let oms = OMSFixtures.directory.appendingPathComponent("keys")
    static let pki = OMSFixtures.root.appendingPathComponent("Tests/Fixtures/pki")
    /// 2027-01-15: inside the OMS fixture certificates' validity.
    static let time = Date(timeIntervalSince1970: 1_800_000_000)
    static let owner = "Fixture PKI Ltd"

    static func read(_ url: URL) throws -> [UInt8] { Array(try Data(contentsOf: url)) }

    /// A trust directory holding `files` (name → fixture) and `trust.json` with `index`.
    static func directory(_ files: [String: URL], index: String) throws -> String {
        let directory = try TemporaryDirectories.make(prefix: "trust-ca")
        for (name, source) in files {
            try FileManager.default.copyItem(at: source, to: directory.appendingPathComponent(name))
        }
        try Data(index.utf8).write(to: directory.appendingPathComponent("trust.json"))
        return directory.path
    }

    /// A store with the OMS fixture root as its only entry, `extra` members added to that entry.
    static func rootStore(_ extra: String = "") throws -> TrustStore {
        try TrustStore.load(
            directory: try directory(
                ["root.pem": oms.appendingPathComponent("root-ca.pem")],
                index: #"{"version": 1, "keys": [], "ca": [{"file": "root.pem", "owner": "\#(owner)", "#
                    + #""roles": ["publisher", "developer"]\#(extra)}]}"#))
    }

    /// Every problem loading `index` over `files` reports, as `pointer: message`.
    static func problems(_ files: [String: URL], index: String) throws -> [String] {
        let path = try directory(files, index: index)
        do {
            _ = try TrustStore.load(directory: path)
            return []
        } catch let error as TrustStoreError {
            return error.problems.map { "\($0.pointer ?? ""): \($0.message)" }
        }
    }

    static func verify(_ store: TrustStore, bundle: SigstoreBundle, at time: Date = time) throws -> OMSVerification {
        let validator = try OMSCertificateChainValidator(
            roots: [], authorities: store.certificateAuthorities, intermediatesPEM: nil, intermediatesFile: nil,
            identity: nil)
        return try OMSVerifier(trust: OMSSignerTrust(keys: store.keys, certificates: validator), time: time)
            .verify(bundle, modelPath: try OMSFixtures.model().path)
    }
}

@Suite("Trust store CA roots", .removesTemporaryDirectories)
struct TrustCALoadingTests {
    @Test("a store of one CA root loads with its owner, roles and fingerprint, and no keys")
    func loads() throws {
        let store = try TrustCAFixtures.rootStore()
        #expect(store.keys.isEmpty)
        let authority = try #require(store.certificateAuthorities.first)
        #expect(authority.owner == TrustCAFixtures.owner)
        #expect(authority.roles == [.developer, .publisher])
        #expect(authority.certificate.subject.contains("CN=Fixture Root CA"))
        #expect(authority.fingerprint == "sha256:" + authority.certificate.fingerprintSHA256)
        #expect(authority.status(at: TrustCAFixtures.time) == .valid)
    }

    @Test(
        "bad CA entries are refused with the JSON pointer of the problem",
        arguments: [
            ("intermediate", "/ca/0/file", "is not a root"),
            ("leaf", "/ca/0/file", "is not a CA certificate"),
            ("not PEM", "/ca/0/file", "not a PEM certificate file"),
            ("chain", "/ca/0/file", "holds 2 certificates"),
            ("public key", "/ca/0/file", "not a PEM certificate file"),
            ("fingerprint", "/ca/0/fingerprint", "does not match the certificate"),
            ("unknown member", "/ca/0/scheme", "unknown member \"scheme\""),
            ("no roles", "/ca/0/roles", "a CA root needs at least one role"),
            ("unknown role", "/ca/0/roles/0", "unknown role \"root\""),
            ("blank owner", "/ca/0/owner", "owner must not be empty"),
            ("bad date", "/ca/0/notAfter", "is not an RFC 3339 date-time"),
            ("twice", "/ca/1/file", "is the same certificate as root.pem"),
            ("missing", "/ca/0/file", "is listed but does not exist"),
        ])
    func refused(kind: String, pointer: String, message: String) throws {
        let pki = TrustCAFixtures.pki
        var file = pki.appendingPathComponent("root.pem")
        var entry = #""file": "root.pem", "owner": "A", "roles": ["publisher"]"#
        var second = ""
        var files: [String: URL] = [:]
        switch kind {
        case "intermediate": file = pki.appendingPathComponent("intermediate.pem")
        case "leaf": file = pki.appendingPathComponent("leaf.pem")
        case "not PEM": file = pki.appendingPathComponent("not-pem.txt")
        case "chain": file = pki.appendingPathComponent("chain.pem")
        case "public key": file = TrustCAFixtures.oms.appendingPathComponent("p256.pub")
        case "fingerprint": entry += #", "fingerprint": "sha256:\#(String(repeating: "0", count: 64))""#
        case "unknown member": entry += #", "scheme": "ed25519""#
        case "no roles": entry = #""file": "root.pem", "owner": "A", "roles": []"#
        case "unknown role": entry = #""file": "root.pem", "owner": "A", "roles": ["root"]"#
        case "blank owner": entry = #""file": "root.pem", "owner": " ", "roles": ["publisher"]"#
        case "bad date": entry += #", "notAfter": "2030-01-01""#
        case "twice":
            files["again.pem"] = file
            second = #", {"file": "again.pem", "owner": "A", "roles": ["publisher"]}"#
        default: entry = #""file": "absent.pem", "owner": "A", "roles": ["publisher"]"#
        }
        files["root.pem"] = file
        let problems = try TrustCAFixtures.problems(
            files, index: #"{"version": 1, "keys": [], "ca": [{\#(entry)}\#(second)]}"#)
        #expect(problems.contains { $0.hasPrefix(pointer + ": ") && $0.contains(message) }, "\(kind): \(problems)")
    }

    @Test("a store with neither keys nor CA roots is refused; a stray certificate file is refused")
    func emptyAndStray() throws {
        let empty = try TrustCAFixtures.problems([:], index: #"{"version": 1, "keys": [], "ca": []}"#)
        #expect(empty.contains { $0.hasPrefix("/keys: ") && $0.contains("no keys and no CA roots") }, "\(empty)")
        let stray = try TrustCAFixtures.problems(
            ["root.pem": TrustCAFixtures.oms.appendingPathComponent("root-ca.pem"),
             "other.crt": TrustCAFixtures.pki.appendingPathComponent("other-root.pem")],
            index: #"{"version": 1, "keys": [], "ca": [{"file": "root.pem", "owner": "A", "roles": ["host"]}]}"#)
        #expect(stray.contains { $0.contains("other.crt is in the trust directory but not listed") }, "\(stray)")
    }

    @Test("a key entry may be a signer's certificate: its key signs, its validity bounds the key; a CA is refused")
    func certificateKeys() throws {
        let leaf = TrustCAFixtures.oms.appendingPathComponent("leaf.pem")
        let path = try TrustCAFixtures.directory(
            ["release.pem": leaf],
            index: #"{"version": 1, "keys": [{"file": "release.pem", "owner": "A", "roles": ["publisher"]}]}"#)
        let store = try TrustStore.load(directory: path)
        let key = try #require(store.keys.first)
        let certificate = try #require(key.certificate)
        #expect(certificate.subject.contains("CN=Fixture Release Signing"))
        #expect(key.keyID == (try PublicKey(pem: try TrustCAFixtures.read(
            TrustCAFixtures.oms.appendingPathComponent("leaf.pub")))).keyID)
        #expect(key.status(at: TrustCAFixtures.time) == .valid)
        #expect(key.status(at: certificate.notAfter.addingTimeInterval(1)) == .expired(certificate.notAfter))
        #expect(key.status(at: certificate.notBefore.addingTimeInterval(-1)) == .notYetValid(certificate.notBefore))
        let ca = try TrustCAFixtures.problems(
            ["root.pem": TrustCAFixtures.pki.appendingPathComponent("root.pem")],
            index: #"{"version": 1, "keys": [{"file": "root.pem", "owner": "A", "roles": ["publisher"]}]}"#)
        #expect(ca.contains { $0.hasPrefix("/keys/0/file: ") && $0.contains("is a CA certificate") }, "\(ca)")
    }
}

@Suite("Certificate-signed OMS bundles against trust store CA roots", .removesTemporaryDirectories)
struct TrustCAVerificationTests {
    @Test("the reference tool's certificate bundle verifies with only the store's CA root, as the CA's owner and roles")
    func verifies() throws {
        let store = try TrustCAFixtures.rootStore()
        let verification = try TrustCAFixtures.verify(store, bundle: try OMSFixtures.bundle("certificate-chain"))
        #expect(verification.passed, "\(verification.certificateProblem ?? "")")
        let check = try #require(verification.signatures.signatures.first { $0.isVerified })
        #expect(check.owner == TrustCAFixtures.owner)
        #expect(check.roles == [.developer, .publisher])
        #expect(verification.certificateSigner?.contains("CN=Fixture Release Signing") == true)
        #expect(verification.certificateAuthority == "root.pem")
        #expect(verification.certificateKeyID == check.keyID)
    }

    @Test("the signer finding names the CA's owner and roles and the certificate")
    func finding() throws {
        let store = try TrustCAFixtures.rootStore()
        let validator = try OMSCertificateChainValidator(
            roots: [], authorities: store.certificateAuthorities, intermediatesPEM: nil, intermediatesFile: nil,
            identity: nil)
        let auditor = Auditor(
            policy: nil,
            context: AuditContext(
                time: TrustCAFixtures.time, trust: AuditContext.Trust(store: store, certificates: validator)))
        let report = try auditor.audit(
            file: OMSFixtures.directory.appendingPathComponent("bundles/certificate-chain.sig").path)
        let signature = try #require(report.findings.first { $0.ruleID == IntegrityChecks.signatureRule })
        #expect(signature.status == .pass, "\(signature.message)")
        #expect(signature.message.contains("(\(TrustCAFixtures.owner), roles developer, publisher: certificate "))
        #expect(signature.message.contains("CN=Fixture Release Signing"), "\(signature.message)")
        #expect(signature.message.contains("under the trusted CA root root.pem"), "\(signature.message)")
    }

    @Test("an intermediate used as a root never ends a partial chain, even when handed to the validator directly")
    func intermediateIsNoAnchor() throws {
        let intermediate = try #require(
            try X509Certificate.certificates(
                pem: try TrustCAFixtures.read(TrustCAFixtures.oms.appendingPathComponent("intermediate-ca.pem"))
            ).first)
        let store = TrustStore(
            directory: "", keys: [],
            certificateAuthorities: [
                TrustedCA(certificate: intermediate, file: "intermediate.pem", owner: "A", roles: [.publisher])
            ])
        let verification = try TrustCAFixtures.verify(store, bundle: try OMSFixtures.bundle("certificate-chain"))
        #expect(!verification.signatures.isVerified)
        #expect(
            verification.certificateProblem?.contains("unable to get issuer certificate") == true,
            "\(verification.certificateProblem ?? "")")
    }

    @Test(
        "a revoked CA, one outside its entry's window, or outside its certificate's validity vouches for nothing",
        arguments: [
            (#", "revoked": true"#, "but that CA is revoked"),
            (#", "notAfter": "2027-01-01T00:00:00Z""#, "but that CA is expired at 2027-01-01T00:00:00Z"),
            (#", "notBefore": "2028-01-01T00:00:00Z""#, "but that CA is not valid before 2028-01-01T00:00:00Z"),
        ])
    func unusableRoot(extra: String, expected: String) throws {
        let store = try TrustCAFixtures.rootStore(extra)
        let verification = try TrustCAFixtures.verify(store, bundle: try OMSFixtures.bundle("certificate-chain"))
        #expect(!verification.signatures.isVerified)
        #expect(verification.certificateProblem?.contains(expected) == true, "\(verification.certificateProblem ?? "")")
    }

    @Test("a root the store revoked is not revived by giving it again directly (--ca-roots)")
    func revokedWinsOverGivenRoot() throws {
        let store = try TrustCAFixtures.rootStore(#", "revoked": true"#)
        let root = try X509Certificate.certificates(
            pem: try TrustCAFixtures.read(TrustCAFixtures.oms.appendingPathComponent("root-ca.pem")))
        let validator = try OMSCertificateChainValidator(
            roots: root, authorities: store.certificateAuthorities, intermediatesPEM: nil, intermediatesFile: nil,
            identity: nil)
        let verification = try OMSVerifier(
            trust: OMSSignerTrust(keys: [], certificates: validator), time: TrustCAFixtures.time
        ).verify(try OMSFixtures.bundle("certificate-chain"), modelPath: try OMSFixtures.model().path)
        #expect(!verification.signatures.isVerified)
        #expect(verification.certificateProblem?.contains("revoked") == true)
    }

    @Test("a chain in the wrong order is named, under a store root too")
    func wrongOrder() throws {
        var bundle = try OMSFixtures.bundle("certificate-chain")
        guard case .x509CertificateChain(let chain) = bundle.signer else {
            Issue.record("not a chain bundle")
            return
        }
        bundle.signer = .x509CertificateChain(chain.reversed())
        let verification = try TrustCAFixtures.verify(try TrustCAFixtures.rootStore(), bundle: bundle)
        #expect(!verification.signatures.isVerified)
        #expect(verification.certificateProblem?.contains("wrong order") == true)
    }
}

@Suite("Trust store editor: certificates and CA roots", .removesTemporaryDirectories)
struct TrustCAEditorTests {
    static func editor() throws -> TrustStoreEditor {
        let directory = try TemporaryDirectories.make(prefix: "trust-edit")
        let editor = TrustStoreEditor(directory: directory.path)
        _ = try editor.initialize()
        return editor
    }

    static let entry = TrustStoreEditor.Entry(owner: TrustCAFixtures.owner, roles: [.publisher])

    static func pem(_ url: URL) throws -> [UInt8] { try TrustCAFixtures.read(url) }

    @Test("add --ca lists a root with a fingerprint pin; the store loads; revoke and remove find it by fingerprint")
    func addRoot() throws {
        let editor = try Self.editor()
        let change = try editor.addCertificateAuthority(
            certificatePEM: try Self.pem(TrustCAFixtures.oms.appendingPathComponent("root-ca.pem")),
            fileName: "acme-root.pem", entry: Self.entry, at: TrustCAFixtures.time)
        #expect(change.summary.hasPrefix("added CA root acme-root.pem (sha256:"), "\(change.summary)")
        let index = String(decoding: try Data(contentsOf: URL(fileURLWithPath: editor.indexPath)), as: UTF8.self)
        #expect(index.contains("\"ca\""), "\(index)")
        #expect(index.contains("\"fingerprint\""), "\(index)")
        let store = try TrustStore.load(directory: editor.directory)
        let fingerprint = try #require(store.certificateAuthorities.first?.fingerprint)
        #expect(change.keyID == fingerprint)
        let revoked = try editor.revoke(String(fingerprint.prefix(19)), note: "rotated")
        #expect(revoked.summary.hasPrefix("revoked CA root acme-root.pem"))
        #expect(try TrustStore.load(directory: editor.directory).certificateAuthorities.first?.revoked == true)
        let removed = try editor.remove(fingerprint)
        #expect(removed.summary.hasPrefix("removed CA root acme-root.pem"))
        #expect(!FileManager.default.fileExists(atPath: editor.directory + "/acme-root.pem"))
    }

    @Test("add takes a signer's certificate whole: the entry's file is the certificate and its key id is pinned")
    func addCertificate() throws {
        let editor = try Self.editor()
        let change = try editor.add(
            publicKeyPEM: try Self.pem(TrustCAFixtures.oms.appendingPathComponent("leaf.pem")),
            fileName: "release.pem", entry: Self.entry, at: TrustCAFixtures.time)
        #expect(change.summary.contains("certificate \"CN=Fixture Release Signing"), "\(change.summary)")
        let saved = String(
            decoding: try Data(contentsOf: URL(fileURLWithPath: editor.directory + "/release.pem")), as: UTF8.self)
        #expect(saved.hasPrefix("-----BEGIN CERTIFICATE-----"))
        let key = try #require(try TrustStore.load(directory: editor.directory).keys.first)
        #expect(key.certificate != nil)
        #expect(change.keyID == key.keyID)
    }

    @Test(
        "bad inputs are refused with a clear error and leave the store as it was",
        arguments: [
            ("not PEM", "not-pem.txt", true, "not a PEM certificate file"),
            ("not a CA", "leaf.pem", true, "is not a CA certificate"),
            ("intermediate", "intermediate.pem", true, "is not a root"),
            ("wrong chain order", "chain-wrong-order.pem", true, "holds 2 certificates"),
            ("expired root", "root.pem", true, "expired at 2035-01-01T00:00:00Z"),
            ("expired certificate", "leaf-expired.pem", false, "expired at 2025-06-01T00:00:00Z"),
            ("CA without --ca", "root.pem", false, "is a CA certificate"),
            ("garbage between", "garbage-between.pem", true, "unexpected text"),
        ])
    func refused(kind: String, file: String, asCA: Bool, expected: String) throws {
        let editor = try Self.editor()
        let before = try Data(contentsOf: URL(fileURLWithPath: editor.indexPath))
        let pem = try Self.pem(TrustCAFixtures.pki.appendingPathComponent(file))
        let time = kind == "expired root" ? Date(timeIntervalSince1970: 2_100_000_000) : TrustCAFixtures.time
        do {
            _ =
                asCA
                ? try editor.addCertificateAuthority(
                    certificatePEM: pem, fileName: "added.pem", entry: Self.entry, at: time)
                : try editor.add(publicKeyPEM: pem, fileName: "added.pem", entry: Self.entry, at: time)
            Issue.record("\(kind) was accepted")
        } catch {
            #expect("\(error)".contains(expected), "\(kind): \(error)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: editor.indexPath)) == before)
        #expect(!FileManager.default.fileExists(atPath: editor.directory + "/added.pem"))
    }

    @Test("a public key given as a CA root is refused, naming what it is")
    func publicKeyAsRoot() throws {
        let editor = try Self.editor()
        let pem = try Self.pem(TrustCAFixtures.oms.appendingPathComponent("p256.pub"))
        let error = #expect(throws: TrustFileError.self) {
            _ = try editor.addCertificateAuthority(certificatePEM: pem, fileName: "p256.pem", entry: Self.entry)
        }
        #expect(error.map { "\($0)" }?.contains("is a public key, not a CA certificate") == true)
    }
}
