import Foundation

/// Who signed a model, as every report states it: a Sigstore keyless identity, an X.509 certificate, or a key.
///
/// Only verified signatures produce one. Members that do not apply to the kind are absent, so a reader can tell
/// "not recorded" from "empty".
public struct SignerIdentity: Sendable, Codable, Equatable, Hashable {
    /// How the signer was identified.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// A short-lived Fulcio certificate bound to an OIDC identity, logged in Rekor.
        case keyless
        /// A certificate chaining to the given trust anchors (`--ca-roots`).
        case certificate
        /// A key from the trust store or given with `--key`.
        case key
    }

    public var kind: Kind
    /// The signing key's id (`sha256:` + hex of its SubjectPublicKeyInfo).
    public var keyID: String?
    /// The trust-store owner of a key.
    public var owner: String?
    /// Keyless: the certificate's subject alternative name (e-mail or URI) the identity policy accepted.
    public var san: String?
    /// Keyless: the OIDC issuer Fulcio recorded in the certificate.
    public var oidcIssuer: String?
    /// Keyless: the Rekor log index of the first verified entry.
    public var logIndex: Int64?
    /// Keyless: when Rekor integrated the entry (RFC 3339).
    public var integratedTime: String?
    /// Keyless: the earliest time a trusted timestamp authority vouched for (RFC 3339), when the bundle had one.
    public var timestampAuthorityTime: String?
    /// Certificate: the leaf's subject and issuer names.
    public var certificateSubject: String?
    public var certificateIssuer: String?

    public init(
        kind: Kind, keyID: String? = nil, owner: String? = nil, san: String? = nil, oidcIssuer: String? = nil,
        logIndex: Int64? = nil, integratedTime: String? = nil, timestampAuthorityTime: String? = nil,
        certificateSubject: String? = nil, certificateIssuer: String? = nil
    ) {
        self.kind = kind
        self.keyID = keyID
        self.owner = owner
        self.san = san
        self.oidcIssuer = oidcIssuer
        self.logIndex = logIndex
        self.integratedTime = integratedTime
        self.timestampAuthorityTime = timestampAuthorityTime
        self.certificateSubject = certificateSubject
        self.certificateIssuer = certificateIssuer
    }

    /// One line for text reports: `keyless release@vendor.example (issuer …), Rekor log index 7, integrated …`.
    public var summary: String {
        switch kind {
        case .keyless:
            var text = "keyless \(san ?? "?")"
            if let oidcIssuer { text += " (issuer \(oidcIssuer))" }
            if let logIndex { text += ", Rekor log index \(logIndex)" }
            if let integratedTime { text += ", integrated \(integratedTime)" }
            if let timestampAuthorityTime { text += ", timestamped \(timestampAuthorityTime)" }
            return text
        case .certificate:
            return "certificate \(certificateSubject ?? "?") (issued by \(certificateIssuer ?? "?"))"
        case .key:
            return "key \(keyID ?? "?")\(owner.map { " (\($0))" } ?? "")"
        }
    }

    /// The members as (name, value) pairs in key order, for renderers that list them (SARIF, JUnit, Markdown).
    public var fields: [(name: String, value: String)] {
        [
            ("certificateIssuer", certificateIssuer), ("certificateSubject", certificateSubject),
            ("integratedTime", integratedTime), ("keyID", keyID), ("kind", kind.rawValue),
            ("logIndex", logIndex.map(String.init)), ("oidcIssuer", oidcIssuer), ("owner", owner), ("san", san),
            ("timestampAuthorityTime", timestampAuthorityTime),
        ].compactMap { name, value in value.map { (name, $0) } }
    }
}
