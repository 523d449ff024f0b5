import AuditCrypto
import Foundation
import Testing

/// Runs the Wycheproof signature vectors (C2SP/wycheproof `testvectors_v1`) through `PublicKey`.
///
/// `valid` must verify, `invalid` must not (a thrown error counts as "does not verify"), and `acceptable` may go
/// either way: what we do with it is counted and printed, so a change in OpenSSL's behaviour shows up in the log.
/// Every failure names the vector's `tcId`, so it can be looked up in the JSON file.
@Suite("Wycheproof signature vectors")
struct WycheproofTests {
    @Test(
        "each Wycheproof file under its own scheme and encoding",
        arguments: WycheproofRun.native)
    func nativeEncoding(run: WycheproofRun) throws {
        let tally = try WycheproofVectors.run(run, expect: .wycheproofVerdicts)
        print(tally.line(for: run))
    }

    /// DSSE accepts either ECDSA encoding (`.derOrRawRS`); that must not change a single verdict of either file.
    @Test(
        "ECDSA vectors through the DER-or-raw encoding DSSE uses keep their verdicts",
        arguments: WycheproofRun.derOrRawRS)
    func derOrRawRS(run: WycheproofRun) throws {
        let tally = try WycheproofVectors.run(run, expect: .wycheproofVerdicts)
        print(tally.line(for: run))
    }

    /// A raw r‖s signature is never a DER `ECDSA-Sig-Value`, so a strict DER check must refuse all of them.
    @Test(
        "valid raw r‖s vectors are all rejected when DER is required",
        arguments: [
            WycheproofRun(file: "ecdsa_secp256r1_sha256_p1363_test.json", scheme: .ecdsaP256SHA256, encoding: .der),
            WycheproofRun(file: "ecdsa_secp521r1_sha512_p1363_test.json", scheme: .ecdsaP521SHA512, encoding: .der),
        ])
    func rawRSIsNeverDER(run: WycheproofRun) throws {
        let tally = try WycheproofVectors.run(run, expect: .validVectorsRejected)
        #expect(tally.validTotal > 0, "the P1363 file has no valid vectors")
        print(tally.line(for: run, note: "valid vectors only, expected all rejected"))
    }

}

/// One pass over a vector file: which file, and the scheme and ECDSA encoding it is checked under.
struct WycheproofRun: Sendable, CustomTestStringConvertible {
    let file: String
    let scheme: SignatureScheme
    let encoding: ECDSASignatureEncoding

    var testDescription: String { "\(file) [\(scheme.rawValue), \(encoding)]" }

    static let native: [WycheproofRun] = [
        WycheproofRun(file: "ed25519_test.json", scheme: .ed25519, encoding: .der),
        WycheproofRun(file: "ecdsa_secp256r1_sha256_test.json", scheme: .ecdsaP256SHA256, encoding: .der),
        WycheproofRun(file: "ecdsa_secp256r1_sha256_p1363_test.json", scheme: .ecdsaP256SHA256, encoding: .rawRS),
        WycheproofRun(file: "ecdsa_secp384r1_sha384_test.json", scheme: .ecdsaP384SHA384, encoding: .der),
        WycheproofRun(file: "ecdsa_secp521r1_sha512_test.json", scheme: .ecdsaP521SHA512, encoding: .der),
        WycheproofRun(file: "ecdsa_secp521r1_sha512_p1363_test.json", scheme: .ecdsaP521SHA512, encoding: .rawRS),
        WycheproofRun(file: "rsa_pss_2048_sha256_mgf1_32_test.json", scheme: .rsaPSSSHA256, encoding: .der),
        WycheproofRun(file: "rsa_signature_2048_sha256_test.json", scheme: .rsaPKCS1v15SHA256, encoding: .der),
    ]

    static let derOrRawRS: [WycheproofRun] = [
        WycheproofRun(
            file: "ecdsa_secp256r1_sha256_p1363_test.json", scheme: .ecdsaP256SHA256, encoding: .derOrRawRS),
        WycheproofRun(file: "ecdsa_secp256r1_sha256_test.json", scheme: .ecdsaP256SHA256, encoding: .derOrRawRS),
        WycheproofRun(file: "ecdsa_secp384r1_sha384_test.json", scheme: .ecdsaP384SHA384, encoding: .derOrRawRS),
        WycheproofRun(file: "ecdsa_secp521r1_sha512_test.json", scheme: .ecdsaP521SHA512, encoding: .derOrRawRS),
        WycheproofRun(
            file: "ecdsa_secp521r1_sha512_p1363_test.json", scheme: .ecdsaP521SHA512, encoding: .derOrRawRS),
    ]
}

/// What a run requires of each vector.
enum WycheproofExpectation {
    /// `valid` verifies, `invalid` does not, `acceptable` is counted.
    case wycheproofVerdicts
    /// Only the `valid` vectors are checked, and each must be rejected (they are in the wrong encoding).
    case validVectorsRejected
}

/// The counts one run prints.
struct WycheproofTally {
    var tests = 0
    var validTotal = 0
    var validVerified = 0
    var invalidTotal = 0
    var invalidRejected = 0
    var acceptableAccepted: [Int] = []
    var acceptableRejected: [Int] = []
    /// Groups whose parameters are not the scheme's (e.g. another PSS salt length), and their test count.
    var skippedGroups = 0
    var skippedTests = 0
    /// Groups whose public key we refuse to load, and their test count.
    var rejectedKeyGroups = 0
    var rejectedKeyTests = 0
    /// Whether every test in those groups was `invalid`, so refusing the key was the right call.
    var rejectedKeysExpected = true

    func line(for run: WycheproofRun, note: String? = nil) -> String {
        var line = "wycheproof \(run.file)"
        if run.encoding != .der || run.file.contains("p1363") { line += " [\(run.encoding)]" }
        line += ": \(tests) tests"
        if let note {
            line += ", valid \(validTotal - validVerified)/\(validTotal) rejected (\(note))"
            return line
        }
        line += ", valid \(validVerified)/\(validTotal) verified"
        line += ", invalid \(invalidRejected)/\(invalidTotal) rejected"
        let acceptable = acceptableAccepted.count + acceptableRejected.count
        let accepted = acceptableAccepted.count
        line += ", acceptable \(acceptable) (\(accepted) accepted, \(acceptableRejected.count) rejected)"
        if !acceptableAccepted.isEmpty {
            // Which ones, so a later OpenSSL that changes its mind can be compared against this log.
            line += " [accepted tcIds: \(acceptableAccepted.map(String.init).joined(separator: ", "))]"
        }
        if skippedGroups > 0 || run.scheme == .rsaPSSSHA256 {
            line += ", skipped \(skippedGroups) groups (\(skippedTests) tests) with other parameters"
        }
        if rejectedKeyGroups > 0 {
            line += ", key refused in \(rejectedKeyGroups) groups (\(rejectedKeyTests) tests, "
                + (rejectedKeysExpected ? "all invalid: expected)" : "NOT all invalid: unexpected)")
        }
        return line
    }
}

/// Loading and running the vector files.
enum WycheproofVectors {
    /// `<root>/Tests/Vectors/wycheproof`, where this file is `<root>/Tests/AuditCryptoTests/WycheproofTests.swift`.
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Vectors/wycheproof", isDirectory: true)


    static func load(_ file: String) throws -> WycheproofFile {
        let data = try Data(contentsOf: directory.appendingPathComponent(file))
        return try JSONDecoder().decode(WycheproofFile.self, from: data)
    }

    static func run(_ run: WycheproofRun, expect: WycheproofExpectation) throws -> WycheproofTally {
        let vectors = try load(run.file)
        var tally = WycheproofTally()
        let label = "\(run.file), \(run.scheme.rawValue), \(run.encoding)"
        for group in vectors.testGroups {
            tally.tests += group.tests.count
            guard group.matches(run.scheme) else {
                tally.skippedGroups += 1
                tally.skippedTests += group.tests.count
                continue
            }
            let key: PublicKey
            switch loadKey(group) {
            case .success(let loaded):
                key = loaded
            case .failure(let reason):
                tally.rejectedKeyGroups += 1
                tally.rejectedKeyTests += group.tests.count
                for test in group.tests where test.result != .invalid {
                    tally.rejectedKeysExpected = false
                    Issue.record(test.failure(expected: "\(test.result)", got: "key refused: \(reason)", in: label))
                }
                continue
            }
            for test in group.tests {
                let verdict = verify(test, with: key, run: run)
                switch expect {
                case .wycheproofVerdicts:
                    record(verdict, for: test, in: &tally, label: label)
                case .validVectorsRejected:
                    guard test.result == .valid else { continue }
                    tally.validTotal += 1
                    if verdict.verified {
                        tally.validVerified += 1
                        Issue.record(
                            test.failure(expected: "rejected (raw r‖s is not DER)", got: "\(verdict)", in: label))
                    }
                }
            }
        }
        #expect(
            tally.tests == vectors.numberOfTests,
            "\(run.file): counted \(tally.tests) tests, the file says \(vectors.numberOfTests)")
        return tally
    }

    private static func record(
        _ verdict: WycheproofVerdict, for test: WycheproofTest, in tally: inout WycheproofTally, label: String
    ) {
        switch test.result {
        case .valid:
            tally.validTotal += 1
            if verdict.verified {
                tally.validVerified += 1
            } else {
                Issue.record(test.failure(expected: "valid", got: "\(verdict)", in: label))
            }
        case .invalid:
            tally.invalidTotal += 1
            if verdict.verified {
                Issue.record(test.failure(expected: "invalid", got: "\(verdict)", in: label))
            } else {
                tally.invalidRejected += 1
            }
        case .acceptable:
            if verdict.verified {
                tally.acceptableAccepted.append(test.tcId)
            } else {
                tally.acceptableRejected.append(test.tcId)
            }
        }
    }

    /// Loads the group's key from its DER SubjectPublicKeyInfo and, when given, its PEM; both must agree.
    private static func loadKey(_ group: WycheproofGroup) -> Result<PublicKey, WycheproofKeyError> {
        guard let derHex = group.publicKeyDer, let der = Hex.decode(derHex) else {
            return .failure(WycheproofKeyError(description: "the group has no usable publicKeyDer"))
        }
        let fromDER: PublicKey
        do {
            fromDER = try PublicKey(subjectPublicKeyInfo: der)
        } catch {
            return .failure(WycheproofKeyError(description: "DER: \(error)"))
        }
        if let pem = group.publicKeyPem {
            do {
                let fromPEM = try PublicKey(pem: pem)
                guard fromPEM == fromDER else {
                    return .failure(WycheproofKeyError(description: "the PEM and DER keys differ"))
                }
            } catch {
                return .failure(WycheproofKeyError(description: "PEM: \(error) (the DER form loaded)"))
            }
        }
        return .success(fromDER)
    }

    private static func verify(_ test: WycheproofTest, with key: PublicKey, run: WycheproofRun) -> WycheproofVerdict {
        guard let message = Hex.decode(test.msg), let signature = Hex.decode(test.sig) else {
            return .threw("the vector's msg or sig is not hex")
        }
        do {
            let valid = try key.isValidSignature(
                signature, for: message, scheme: run.scheme, ecdsaEncoding: run.encoding)
            return valid ? .verified : .rejected
        } catch {
            return .threw("\(error)")
        }
    }
}

/// What `isValidSignature` did with one vector.
enum WycheproofVerdict: CustomStringConvertible {
    case verified
    case rejected
    /// Counts as "does not verify".
    case threw(String)

    var verified: Bool {
        if case .verified = self { return true }
        return false
    }

    var description: String {
        switch self {
        case .verified: return "verified"
        case .rejected: return "rejected"
        case .threw(let error): return "rejected by an error (\(error))"
        }
    }
}

struct WycheproofKeyError: Error, CustomStringConvertible {
    let description: String
}

// MARK: - The vector file format (trusted test input, so Foundation's decoder is fine)

struct WycheproofFile: Decodable {
    let algorithm: String
    let numberOfTests: Int
    let testGroups: [WycheproofGroup]
}

struct WycheproofGroup: Decodable {
    let type: String
    let publicKeyDer: String?
    let publicKeyPem: String?
    let sha: String?
    let mgf: String?
    let mgfSha: String?
    let sLen: Int?
    let tests: [WycheproofTest]

    /// Whether the group's stated hash and padding parameters are the ones `scheme` uses.
    func matches(_ scheme: SignatureScheme) -> Bool {
        switch scheme {
        case .ed25519:
            return true
        case .ecdsaP256SHA256, .rsaPKCS1v15SHA256:
            return sha == "SHA-256"
        case .ecdsaP384SHA384:
            return sha == "SHA-384"
        case .ecdsaP521SHA512:
            return sha == "SHA-512"
        case .rsaPSSSHA256:
            return sha == "SHA-256" && (mgf ?? "MGF1") == "MGF1" && mgfSha == "SHA-256" && sLen == 32
        }
    }
}

struct WycheproofTest: Decodable {
    enum Result: String, Decodable, CustomStringConvertible {
        case valid
        case invalid
        case acceptable

        var description: String { rawValue }
    }

    let tcId: Int
    let comment: String
    let msg: String
    let sig: String
    let result: Result
    let flags: [String]

    enum CodingKeys: String, CodingKey {
        case tcId, comment, msg, sig, result, flags
    }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        tcId = try container.decode(Int.self, forKey: .tcId)
        comment = try container.decode(String.self, forKey: .comment)
        msg = try container.decode(String.self, forKey: .msg)
        sig = try container.decode(String.self, forKey: .sig)
        result = try container.decode(Result.self, forKey: .result)
        flags = try container.decodeIfPresent([String].self, forKey: .flags) ?? []
    }

    /// The failure message every check uses: the tcId first, so the vector can be found in its file.
    func failure(expected: String, got: String, in label: String) -> Comment {
        let flagList = flags.isEmpty ? "" : "; flags \(flags.joined(separator: ","))"
        return Comment(rawValue: "tcId \(tcId) (\(comment)): expected \(expected), got \(got) [\(label)\(flagList)]")
    }
}
