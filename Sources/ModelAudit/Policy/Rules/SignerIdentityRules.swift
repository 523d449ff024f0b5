import Foundation

/// One signer identity a vendor signs with: the Fulcio certificate's subject alternative name and the OIDC issuer
/// that vouched for it, each given exactly or as a regular expression that must match the whole value.
struct KeylessIdentityEntry: Sendable {
    let san: SigstoreIdentityPolicy.Match
    let issuer: SigstoreIdentityPolicy.Match

    static func read(_ r: ObjectReader) -> KeylessIdentityEntry? {
        defer { r.finish() }
        let san = match(r, exact: "san", regexp: "sanRegexp", what: "subject alternative name")
        let issuer = match(r, exact: "issuer", regexp: "issuerRegexp", what: "OIDC issuer")
        guard let san, let issuer else { return nil }
        return KeylessIdentityEntry(san: san, issuer: issuer)
    }

    /// Exactly one of the two members; a regular expression is compiled now, so a bad one fails the policy load.
    private static func match(
        _ r: ObjectReader, exact: String, regexp: String, what: String
    ) -> SigstoreIdentityPolicy.Match? {
        let value = r.string(exact, required: false)
        let pattern = r.string(regexp, required: false)
        switch (value, pattern) {
        case (let value?, nil):
            guard !value.isEmpty else {
                r.log.add(r.path(exact), "the \(what) is empty")
                return nil
            }
            return .exact(value)
        case (nil, let pattern?):
            guard (try? NSRegularExpression(pattern: "^(?:\(pattern))$")) != nil, !pattern.isEmpty else {
                r.log.add(r.path(regexp), "\"\(pattern)\" is not a valid regular expression")
                return nil
            }
            return .regularExpression(pattern)
        case (.some, .some):
            r.log.add(r.pointer, "give \"\(exact)\" or \"\(regexp)\", not both")
            return nil
        case (nil, nil):
            // Both halves are required: an e-mail vouched for by any identity provider is anyone's to claim.
            r.log.add(r.path(exact), "required: give \"\(exact)\" or \"\(regexp)\" (the \(what) the vendor signs with)")
            return nil
        }
    }

    func accepts(_ signer: SignerIdentity) -> Bool {
        guard let san = signer.san, let issuer = signer.oidcIssuer else { return false }
        return ((try? self.san.matches(san)) ?? false) && ((try? self.issuer.matches(issuer)) ?? false)
    }

    var description: String { "\(san) from issuer \(issuer)" }
}

/// A vendor and the keyless identities its models may be signed with.
struct KeylessVendor: Sendable {
    let name: String
    let identities: [KeylessIdentityEntry]

    static func read(_ r: ObjectReader) -> KeylessVendor? {
        defer { r.finish() }
        let name = r.text("name")
        let identities = r.objects("identities") { KeylessIdentityEntry.read($0) }
        if let identities, identities.isEmpty, r.object["identities"]?.arrayValue?.isEmpty == true {
            r.log.add(r.path("identities"), "list at least one identity")
        }
        guard let name, let identities, !identities.isEmpty else { return nil }
        return KeylessVendor(name: name, identities: identities)
    }
}

/// `signatures.keyless-identities`: the model must be signed keylessly (Sigstore: Fulcio certificate, Rekor entry)
/// by one of the listed identities, each a subject alternative name and an OIDC issuer, grouped by vendor.
///
/// A whitelist: every verified keyless signer must be listed, and a model with no verified keyless signature fails
/// (a key signature says nothing about an OIDC identity). It judges only who signed, so it also applies to a model
/// signature that carries no provenance manifest (an OMS bundle).
public struct KeylessSignerIdentities: SignerPolicyCheck {
    public static let type = "signatures.keyless-identities"
    let vendors: [KeylessVendor]

    public init?(parameters: ObjectReader, context: PolicyParseContext) {
        guard let vendors = parameters.objects("vendors", { KeylessVendor.read($0) }) else { return nil }
        if vendors.isEmpty {
            if parameters.object["vendors"]?.arrayValue?.isEmpty == true {
                parameters.log.add(parameters.path("vendors"), "list at least one vendor and its identities")
            }
            return nil
        }
        self.vendors = vendors
    }

    public func evaluate(signatures: EnvelopeVerification) -> [CheckOutcome] {
        let expected = vendors.map { vendor in
            "\(vendor.name): " + vendor.identities.map(\.description).joined(separator: "; ")
        }.joined(separator: " | ")
        let keyless = signatures.signatures.filter(\.isVerified).map(\.signer).filter { $0.kind == .keyless }
        guard !keyless.isEmpty else {
            let others = signatures.signatures.filter(\.isVerified).map(\.signer.summary)
            return [
                CheckOutcome(
                    .fail,
                    "the model is not signed keylessly, and the policy accepts only listed Sigstore identities",
                    expected: "a keyless signature by \(expected)",
                    observed: others.isEmpty ? "no verified signature" : others.joined(separator: "; "),
                    pointer: "/signatures",
                    remediation: "Have the vendor sign the model with Sigstore keyless signing (e.g. `model_signing "
                        + "sign sigstore`) under one of the listed identities, and verify it with --trusted-root.")
            ]
        }
        return keyless.map { signer in
            let who = "\(signer.san ?? "?") (issuer \(signer.oidcIssuer ?? "none"))"
            for vendor in vendors {
                if vendor.identities.contains(where: { $0.accepts(signer) }) {
                    return CheckOutcome(
                        .pass, "signed keylessly by \(who), an identity of \(vendor.name)", expected: expected,
                        observed: signer.summary, pointer: "/signatures")
                }
            }
            return CheckOutcome(
                .fail, "signed keylessly by \(who), which is not an allowed signer identity of any listed vendor",
                expected: expected, observed: signer.summary, pointer: "/signatures",
                remediation: "Do not deploy the model: it was signed by an identity the policy does not list. If "
                    + "\(who) is a legitimate signer of the vendor, add it (san and issuer) to the vendor's "
                    + "identities in the policy after confirming it with the vendor.")
        }
    }
}
