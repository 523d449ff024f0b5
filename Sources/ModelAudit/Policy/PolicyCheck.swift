import AuditCrypto
import Foundation

/// One kind of rule: reads its parameters from the policy and evaluates a verified model into outcomes.
///
/// A check never throws for a verdict: it returns outcomes (pass, fail, error, not-applicable). Evidence the rule
/// needs that the manifest does not declare is a failure ("not declared"), never a pass.
public protocol PolicyCheck: Sendable {
    /// The rule type as policies write it, `family.name`.
    static var type: String { get }
    /// Reads the parameters; problems go to the reader's log. Returns `nil` when the parameters are unusable.
    init?(parameters: ObjectReader, context: PolicyParseContext)
    func evaluate(_ subject: EvaluationSubject) -> [CheckOutcome]
    /// Parameter values that leave the rule without meaning — above all, ones with which no model could fail it
    /// (`categories: []`, an allow-list of everything). The loader refuses a policy that has any.
    var ineffectiveParameters: [IneffectiveParameter] { get }
}

extension PolicyCheck {
    public var ineffectiveParameters: [IneffectiveParameter] { [] }
}

/// A check that judges only who signed, so it also applies to a model signature that carries no provenance
/// manifest (an OMS bundle), where every other rule's evidence is missing.
public protocol SignerPolicyCheck: PolicyCheck {
    func evaluate(signatures: EnvelopeVerification) -> [CheckOutcome]
}

extension SignerPolicyCheck {
    public func evaluate(_ subject: EvaluationSubject) -> [CheckOutcome] { evaluate(signatures: subject.signatures) }
}

/// A rule parameter whose value makes the rule meaningless, with why and how to write it instead.
public struct IneffectiveParameter: Sendable, Equatable {
    /// The parameter's path inside the rule, e.g. `categories` or `limits/prompts`.
    public let parameter: String
    /// Why the value makes the rule meaningless, e.g. "is empty, so no data flow is checked and every model passes".
    public let reason: String
    /// How to write it instead.
    public let fix: String

    public init(_ parameter: String, _ reason: String, fix: String) {
        self.parameter = parameter
        self.reason = reason
        self.fix = fix
    }
}

/// What a check can consult while its parameters are read.
public struct PolicyParseContext {
    /// Ids of the screening lists the policy declares.
    public let screeningListIDs: Set<String>
}

/// A verified model as the checks see it.
public struct EvaluationSubject: Sendable {
    public let file: String
    public let envelopeSHA256: String
    public let signatures: EnvelopeVerification
    public let statement: ProvenanceStatement
    public let time: Date
    public let screeningLists: [String: ScreeningList]
    /// Verified ancestors, nearest first, when lineage was followed; empty otherwise.
    public let ancestors: [Ancestor]
    /// The resolved lineage (every parent link and its status).
    public let lineage: LineageResolver.Result?
    /// The verified chain of custody, when a custody bundle was given.
    public let custody: CustodyVerification?
    /// The comparison of the model's files with the manifest; `nil` when the files were not checked (no model
    /// directory was given).
    public let artifacts: ArtifactCheckResult?
    /// Every party the statement names (`ProvenancePredicate.parties()`), listed once for all the rules that
    /// screen or place them.
    public let parties: [Party]

    public init(
        file: String, envelopeSHA256: String, signatures: EnvelopeVerification, statement: ProvenanceStatement,
        time: Date, screeningLists: [String: ScreeningList], lineage: LineageResolver.Result? = nil,
        custody: CustodyVerification? = nil, artifacts: ArtifactCheckResult? = nil
    ) {
        self.artifacts = artifacts
        self.lineage = lineage
        self.custody = custody
        self.file = file
        self.envelopeSHA256 = envelopeSHA256
        self.signatures = signatures
        self.statement = statement
        self.time = time
        self.screeningLists = screeningLists
        self.ancestors = lineage?.ancestors ?? []
        self.parties = statement.predicate.parties()
    }

    public var predicate: ProvenancePredicate { statement.predicate }
}

/// The result of one check on one piece of evidence.
public struct CheckOutcome: Sendable, Equatable {
    public enum Status: Sendable, Equatable {
        case pass
        case fail
        /// The check could not be evaluated; never a pass.
        case error
        case notApplicable
    }

    public var status: Status
    public var message: String
    public var expected: String?
    public var observed: String?
    public var pointer: String?
    public var path: [String]?
    /// What to do about a failure, when the rule gives no remediation of its own.
    public var remediation: String?

    public init(
        _ status: Status, _ message: String, expected: String? = nil, observed: String? = nil, pointer: String? = nil,
        path: [String]? = nil, remediation: String? = nil
    ) {
        self.remediation = remediation
        self.status = status
        self.message = message
        self.expected = expected
        self.observed = observed
        self.pointer = pointer
        self.path = path
    }

    /// The standard failure for evidence the manifest does not declare.
    public static func notDeclared(_ what: String, at pointer: String, expected: String? = nil) -> CheckOutcome {
        CheckOutcome(
            .fail, "\(what) is not declared; absence of evidence is not compliance", expected: expected,
            observed: "not declared", pointer: pointer)
    }
}

/// Every rule type the policy language knows, by `type`.
public enum PolicyCheckRegistry {
    public static let all: [any PolicyCheck.Type] = [
        RequiredSignerRoles.self, SignatureThreshold.self, AllowedSignatureSchemes.self, KeylessSignerIdentities.self,
        VendorAllowList.self, VendorDenyList.self,
        ScreeningListCheck.self,
        JurisdictionCheck.self,
        RetentionMaxDays.self, RetentionNoTraining.self, RetentionDeletionOnRequest.self,
        RetentionForbiddenCollection.self, RetentionStorageCountries.self,
        RequiredAudits.self,
        LineageForbiddenRelations.self, LineageDatasetLicenses.self, LineagePersonalData.self,
        LineageDistillationTerms.self, LineageParentsSigned.self, LineageAncestorsVerified.self, LineageMaxDepth.self,
        CustodyRequired.self, CustodyAuthorizedRoles.self, CustodyHopCountries.self,
        ArtifactsRequired.self,
    ]

    public static func check(named type: String) -> (any PolicyCheck.Type)? {
        all.first { $0.type == type }
    }

    public static var typeNames: [String] { all.map { $0.type }.sorted() }
}
