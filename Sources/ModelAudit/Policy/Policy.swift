import Foundation

/// An organisation's deployment policy: rules, waivers and the screening lists its rules use.
///
/// Loaded by `PolicyLoader`, which resolves `extends`, validates everything and lists every problem; a policy
/// that loads is complete — every rule can be evaluated.
public struct Policy: Sendable {
    public let name: String
    public let description: String?
    /// The mode the policy asks for; the command line can override it.
    public let mode: PolicyMode?
    public let rules: [PolicyRule]
    public let waivers: [Waiver]
    public let screeningLists: [ScreeningList]
    /// The policy file and every file it extends, outermost first, with their digests.
    public let sources: [InputFileInfo]

    public init(
        name: String, description: String?, mode: PolicyMode?, rules: [PolicyRule], waivers: [Waiver],
        screeningLists: [ScreeningList], sources: [InputFileInfo]
    ) {
        self.name = name
        self.description = description
        self.mode = mode
        self.rules = rules
        self.waivers = waivers
        self.screeningLists = screeningLists
        self.sources = sources
    }

    /// Each rule as reports describe it, with its remediation.
    public var ruleInfo: [RuleInfo] { rules.map(\.info) }

    public var info: PolicyInfo? {
        guard let top = sources.first else { return nil }
        return PolicyInfo(name: name, file: top.file, sha256: top.sha256, sources: sources)
    }
}

/// What every rule says about itself, whatever it checks.
public struct RuleHeader: Sendable, Equatable {
    /// Stable id, unique in the policy; waivers and reports name rules by it.
    public var id: String
    public var title: String
    public var severity: Severity
    public var enforcement: Enforcement
    /// Controls the rule supports, e.g. `NIST-AI-RMF:GOVERN-6.1`, `ISO-42001:A.10.3`, `EU-AI-Act:Art.53(1)(b)`.
    public var controls: [String]
    public var remediation: String?

    public init(
        id: String, title: String, severity: Severity, enforcement: Enforcement, controls: [String],
        remediation: String?
    ) {
        self.id = id
        self.title = title
        self.severity = severity
        self.enforcement = enforcement
        self.controls = controls
        self.remediation = remediation
    }
}

/// A rule: its header and the check it runs.
public struct PolicyRule: Sendable {
    public var header: RuleHeader
    /// The rule type, e.g. `jurisdictions.countries`.
    public var type: String
    public var check: any PolicyCheck
    /// Where the rule was defined, for messages (`policy.yaml#/rules/3`).
    public var origin: String

    /// The rule as reports describe it, with its remediation.
    public var info: RuleInfo {
        RuleInfo(
            id: header.id, title: header.title, severity: header.severity, controls: header.controls,
            remediation: header.remediation)
    }
}

/// An exception to one rule for one model, with who approved it and until when.
///
/// A waiver selects models by what their signer cannot choose: the developer, proven by a trusted developer key
/// of that owner, or the digest of one exact envelope. A model's name is the signer's to pick, so a name only
/// narrows one of those and never selects on its own — otherwise another developer could ship a model under the
/// waived name and inherit the exception.
public struct Waiver: Sendable, Equatable {
    public var rule: String
    /// The model's name (as in `predicate.model.name`), when the waiver narrows to one model.
    public var modelName: String?
    /// The developer whose models the waiver covers, as the policy writes it; compared after `EntityName`
    /// normalisation with the trust-store owner of a key holding the developer role that signed the manifest, and
    /// with the developer the manifest declares: both must be this developer.
    public var developer: String?
    /// SHA-256 (hex) of the model's envelope file, when the waiver selects one exact manifest.
    public var modelDigest: String?
    public var justification: String
    public var approver: String
    /// RFC 3339 date or date-time as written; the waiver applies up to and including this instant.
    public var expires: String
    public var expiryDate: Date

    public init(
        rule: String, modelName: String? = nil, developer: String? = nil, modelDigest: String? = nil,
        justification: String, approver: String, expires: String, expiryDate: Date
    ) {
        self.rule = rule
        self.modelName = modelName
        self.developer = developer
        self.modelDigest = modelDigest
        self.justification = justification
        self.approver = approver
        self.expires = expires
        self.expiryDate = expiryDate
    }

    /// The selector as reports print it.
    public var selector: String {
        [modelName.map { "name=\($0)" }, developer.map { "developer=\($0)" }, modelDigest.map { "sha256:\($0)" }]
            .compactMap { $0 }.joined(separator: ", ")
    }

    /// Whether the waiver names this model: every given selector must match, and at least one that the signer
    /// cannot choose (the developer or the digest) must be given.
    public func selects(
        name: String?, declaredDeveloper: LegalEntity?, signatures: EnvelopeVerification, envelopeSHA256: String
    ) -> Bool {
        guard developer != nil || modelDigest != nil else { return false }
        if let modelName, modelName != name { return false }
        if let modelDigest, modelDigest != envelopeSHA256 { return false }
        if let developer {
            let wanted = EntityName.normalize(developer)
            guard !wanted.isEmpty else { return false }
            let signedByDeveloper = signatures.signatures.contains { check in
                check.isVerified && check.roles.contains(.developer)
                    && check.owner.map(EntityName.normalize) == wanted
            }
            let declared = declaredDeveloper?.allNames.contains { EntityName.normalize($0) == wanted } ?? false
            guard signedByDeveloper && declared else { return false }
        }
        return true
    }
}
