import ArgumentParser
import AuditCrypto
import Foundation
import ModelAudit

/// Signers accepted besides the trust store: public keys given directly and X.509 trust anchors (cosign's flags).
struct SignerOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "A PEM public key that may have signed (no trust store needed); repeatable.", valueName: "pub.pem"))
    var key: [String] = []

    @Option(
        name: .customLong("ca-roots"),
        help: ArgumentHelp(
            "PEM root CA certificates that certificate-signed OMS bundles may chain to, besides the trust store's "
                + "ca entries.", valueName: "roots.pem"))
    var caRoots: String?

    @Option(
        name: .customLong("ca-intermediates"),
        help: ArgumentHelp(
            "PEM intermediate CA certificates that may complete a chain (never trusted on their own).",
            valueName: "intermediates.pem"))
    var caIntermediates: String?

    @Option(
        name: .customLong("certificate-identity"),
        help: ArgumentHelp(
            "The signing certificate's SAN (e-mail or URI) must equal this.", valueName: "identity"))
    var certificateIdentity: String?

    @Option(
        name: .customLong("certificate-identity-regexp"),
        help: ArgumentHelp(
            "The signing certificate's SAN (e-mail or URI) must match this whole regular expression.",
            valueName: "regexp"))
    var certificateIdentityRegexp: String?

    @Option(
        name: .customLong("trusted-root"),
        help: ArgumentHelp(
            "Sigstore TrustedRoot JSON (Fulcio CAs, Rekor and CT log keys): verifies keyless bundles offline.",
            valueName: "trusted_root.json"))
    var trustedRoot: String?

    @Option(
        name: .customLong("certificate-oidc-issuer"),
        help: ArgumentHelp("A keyless signer's OIDC issuer must equal this.", valueName: "issuer"))
    var certificateOIDCIssuer: String?

    @Option(
        name: .customLong("certificate-oidc-issuer-regexp"),
        help: ArgumentHelp("A keyless signer's OIDC issuer must match this whole regular expression.",
            valueName: "regexp"))
    var certificateOIDCIssuerRegexp: String?

    func validate() throws {
        // --ca-intermediates and --certificate-identity without --ca-roots are checked once the trust store is read:
        // its ca entries may be the roots.
        if trustedRoot == nil && (certificateOIDCIssuer != nil || certificateOIDCIssuerRegexp != nil) {
            throw ValidationError("--certificate-oidc-issuer[-regexp] needs --trusted-root")
        }
        if let pattern = certificateOIDCIssuerRegexp, (try? NSRegularExpression(pattern: pattern)) == nil {
            throw ValidationError("--certificate-oidc-issuer-regexp \"\(pattern)\" is not a valid regular expression")
        }
        if let pattern = certificateIdentityRegexp, (try? NSRegularExpression(pattern: pattern)) == nil {
            throw ValidationError("--certificate-identity-regexp \"\(pattern)\" is not a valid regular expression")
        }
    }

    /// Whether any signer was given here, so a missing default trust directory is no error.
    var givesSigners: Bool { !key.isEmpty || caRoots != nil || trustedRoot != nil }

    /// The offline verifier of keyless bundles, when a trusted root was given.
    ///
    /// Anyone can get a Fulcio certificate, so an identity must decide who may have signed: the identity flags, or
    /// an enforced `signatures.keyless-identities` rule of the policy; without either it is a usage error.
    func keylessVerifier(policy: Policy?) throws -> SigstoreKeylessVerifier? {
        guard let trustedRoot else { return nil }
        let policyNamesSigners = policy?.rules.contains {
            $0.check is KeylessSignerIdentities && $0.header.enforcement == .enforce
        } ?? false
        if certificateIdentity == nil && certificateIdentityRegexp == nil && !policyNamesSigners {
            throw ValidationError(
                "--trusted-root needs --certificate-identity or --certificate-identity-regexp, or a policy with an "
                    + "enforced \(KeylessSignerIdentities.type) rule: anyone can get a Fulcio certificate, so the "
                    + "identity decides who may have signed")
        }
        let root = try TrustedRoot.parse(try InputFile.read(trustedRoot, limit: 4 * 1024 * 1024))
        let subject: SigstoreIdentityPolicy.Match? =
            certificateIdentity.map { .exact($0) } ?? certificateIdentityRegexp.map { .regularExpression($0) }
        let issuer: SigstoreIdentityPolicy.Match? =
            certificateOIDCIssuer.map { .exact($0) } ?? certificateOIDCIssuerRegexp.map { .regularExpression($0) }
        return SigstoreKeylessVerifier(trustedRoot: root, identity: SigstoreIdentityPolicy(subject: subject, issuer: issuer))
    }

    /// The trust store with the `--key` keys added; without a trust store in the default place, the keys alone.
    func trustStore(_ trust: TrustOptions) throws -> TrustStore {
        let store: TrustStore
        // The default trust directory is only read when it is a trust store; an explicit --trust always is.
        if givesSigners && trust.trust == "keys"
            && !FileManager.default.fileExists(atPath: trust.trust + "/" + TrustStore.indexFileName)
        {
            store = TrustStore(directory: "", keys: [])
        } else {
            store = try trust.load()
        }
        var keys = store.keys
        for path in key {
            let pem = try InputFile.read(path, limit: 64 * 1024)
            // The two files people most often give here by mistake get a message that says what to give instead.
            if PEMText.contains("BEGIN CERTIFICATE", in: pem) {
                throw CLIFailure(
                    "--key \(path) is an X.509 certificate, not a public key: verify certificate-signed bundles with "
                        + "--ca-roots ROOTS.pem, or give its key: `openssl x509 -in \(path) -pubkey -noout > key.pub` "
                        + "and --key key.pub")
            }
            if PEMText.contains("PRIVATE KEY", in: pem) {
                throw CLIFailure("--key \(path) holds a private key; give its public half (the .pub file)")
            }
            do {
                keys.append(try TrustedKey.given(try PublicKey(pem: pem), file: path))
            } catch let error as CryptoError {
                throw CLIFailure("--key \(path): \(error)")
            }
        }
        return TrustStore(
            directory: store.directory, keys: keys, certificateAuthorities: store.certificateAuthorities,
            indexSHA256: store.indexSHA256)
    }

    /// The validator of bundle certificate chains, when trust anchors were given: `--ca-roots`, the trust store's
    /// `ca` entries, or both.
    func certificateValidator(_ store: TrustStore) throws -> (any OMSCertificateValidator)? {
        guard caRoots != nil || !store.certificateAuthorities.isEmpty else {
            if trustedRoot == nil
                && (caIntermediates != nil || certificateIdentity != nil || certificateIdentityRegexp != nil)
            {
                throw CLIFailure(
                    "--ca-intermediates and --certificate-identity[-regexp] need CA roots (--ca-roots, or ca entries in "
                        + "the trust store) or --trusted-root", exitCode: AuditExit.usage)
            }
            return nil
        }
        // With --trusted-root the identity flags belong to keyless verification; with CA roots to the CA chain.
        let identity: OMSCertificateIdentity?
        if let certificateIdentity {
            identity = .exact(certificateIdentity)
        } else if let certificateIdentityRegexp {
            identity = .pattern(certificateIdentityRegexp)
        } else {
            identity = nil
        }
        let intermediates = try caIntermediates.map { try InputFile.read($0, limit: 4 * 1024 * 1024) }
        let roots = try caRoots.map {
            try OMSCertificateChainValidator.roots(pem: try InputFile.read($0, limit: 4 * 1024 * 1024), file: $0)
        }
        return try OMSCertificateChainValidator(
            roots: roots ?? [], authorities: store.certificateAuthorities, intermediatesPEM: intermediates,
            intermediatesFile: caIntermediates, identity: identity)
    }
}
