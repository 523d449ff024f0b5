import Foundation

/// The provenance predicate: everything an organisation needs to decide whether it may run a model.
///
/// Carried as the `predicate` of an in-toto Statement v1 whose `predicateType` is `ProvenancePredicate.type`.
/// An optional member that is absent means *not declared*, which policy rules treat as unknown, never as "none";
/// an empty list means "declared: none".
public struct ProvenancePredicate: StatementPredicate {
    /// The versioned predicate type URI.
    public static let type = "https://model-audit.dev/provenance/v1"

    public var model: ModelInfo
    public var origin: Origin
    public var hosting: Hosting
    public var lineage: Lineage
    public var dataRetention: [RetentionTerm]
    public var audits: [AuditAttestation]
    /// Publisher-defined data, kept opaque; the only place unknown members are allowed.
    public var extensions: JSONValue?
}

/// What the model is.
public struct ModelInfo: Sendable, Equatable, Encodable {
    public var name: String
    public var version: String
    /// SPDX license expression, e.g. `Apache-2.0`, or `LicenseRef-…` for a custom licence.
    public var license: String
    /// Weights format, e.g. `safetensors`, `gguf`, `onnx`.
    public var format: String
    /// Where the model was obtained from (URI).
    public var source: String
    public var description: String?
}

/// A legal entity: a developer, publisher, host, sub-processor, data recipient or parent company.
public struct LegalEntity: Sendable, Equatable, Encodable {
    public var name: String
    public var legalName: String?
    /// Country of incorporation (ISO 3166-1 alpha-2).
    public var country: String
    public var aliases: [String]?
    /// The entity that owns or controls this one.
    public var parent: Box<LegalEntity>?
    /// `true` declares that no one owns or controls the entity; absent with no `parent`, ownership is not declared.
    public var independent: Bool?
    public var affiliations: [Affiliation]?

    public init(
        name: String, legalName: String? = nil, country: String, aliases: [String]? = nil,
        parent: Box<LegalEntity>? = nil, affiliations: [Affiliation]? = nil, independent: Bool? = nil
    ) {
        self.independent = independent
        self.name = name
        self.legalName = legalName
        self.country = country
        self.aliases = aliases
        self.parent = parent
        self.affiliations = affiliations
    }

    /// Every name this entity goes by: name, legal name and aliases.
    public var allNames: [String] {
        // One array of the right size: concatenating built two more per entity of every model screened.
        var names: [String] = []
        names.reserveCapacity(1 + (legalName == nil ? 0 : 1) + (aliases?.count ?? 0))
        names.append(name)
        if let legalName { names.append(legalName) }
        if let aliases { names.append(contentsOf: aliases) }
        return names
    }
}

/// A heap box so an entity can name its parent entity.
public final class Box<Value: Sendable & Equatable & Encodable>: Sendable, Equatable, Encodable {
    public let value: Value
    public init(_ value: Value) { self.value = value }
    public static func == (lhs: Box, rhs: Box) -> Bool { lhs.value == rhs.value }
    public func encode(to encoder: Encoder) throws { try value.encode(to: encoder) }
}

/// A tie between an entity and a state, military, government or investor.
public struct Affiliation: Sendable, Equatable, Encodable {
    public enum Kind: String, Sendable, Equatable, Encodable, CaseIterable {
        case state, military, government, investor
    }
    public var type: Kind
    public var name: String
    public var country: String
    public var description: String?
}

/// Who built and who published the model.
public struct Origin: Sendable, Equatable, Encodable {
    public var developer: LegalEntity
    public var publisher: LegalEntity?
}

/// Where and how the model is served, under which law, and where user data goes.
public struct Hosting: Sendable, Equatable, Encodable {
    public enum Mode: String, Sendable, Equatable, Encodable, CaseIterable {
        /// The weights are delivered and the deployer runs them; no data leaves the deployer.
        case selfHosted = "self-hosted"
        /// A provider runs the model as a service; prompts and outputs pass through it.
        case managedService = "managed-service"
    }
    public var mode: Mode
    public var provider: LegalEntity?
    public var service: String?
    public var regions: [Region]?
    /// Countries whose law governs the service (ISO 3166-1 alpha-2).
    public var governingJurisdictions: [String]?
    public var subProcessors: [SubProcessor]?
    public var dataFlows: [DataFlow]?
}

/// A hosting region and the country it is in.
public struct Region: Sendable, Equatable, Encodable {
    public var name: String
    public var country: String
}

/// A third party that processes data for the host.
public struct SubProcessor: Sendable, Equatable, Encodable {
    public var entity: LegalEntity
    public var purpose: String
    public var dataCategories: [DataCategory]?
}

/// A category of user data a service may collect.
public enum DataCategory: String, Sendable, Equatable, Encodable, CaseIterable, Comparable {
    case prompts
    case outputs
    case chatHistory = "chat-history"
    case uploadedFiles = "uploaded-files"
    case audio
    case telemetry
    case keystrokes
    case deviceIdentifiers = "device-identifiers"

    public static func < (lhs: DataCategory, rhs: DataCategory) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// One category of data going to one recipient in one country, and why.
public struct DataFlow: Sendable, Equatable, Encodable {
    public var category: DataCategory
    public var recipient: LegalEntity
    /// Where the data goes (ISO 3166-1 alpha-2), which may differ from the recipient's country of incorporation.
    public var country: String
    public var purpose: String
}

/// Where the model came from: parents, data, teachers and compute.
public struct Lineage: Sendable, Equatable, Encodable {
    public var parents: [ParentModel]
    public var datasets: [Dataset]?
    public var distillationSources: [DistillationSource]?
    public var trainingCompute: [TrainingCompute]?
}

/// How a model was derived from its parent.
public enum LineageRelation: String, Sendable, Equatable, Encodable, CaseIterable {
    case fineTune = "fine-tune"
    case distillation
    case quantization
    case merge
    case adapter
    case continuedPretraining = "continued-pretraining"
}

/// A model this one was derived from, referenced by the digest of the parent's signed manifest.
public struct ParentModel: Sendable, Equatable, Encodable {
    public var name: String
    public var relation: LineageRelation
    /// SHA-256 (lowercase hex) of the parent's DSSE envelope file; absent when the parent has no signed manifest.
    public var manifestDigest: DigestSet?
    public var developer: LegalEntity?
    public var source: String?
}

/// Digests keyed by algorithm, as in-toto writes them (`{"sha256": "…"}`).
public struct DigestSet: Sendable, Equatable, Encodable {
    public var sha256: String
}

/// A training data set.
public struct Dataset: Sendable, Equatable, Encodable {
    public var name: String
    public var source: String?
    /// SPDX license expression.
    public var license: String
    public var personalData: Bool
    /// The lawful basis claimed when `personalData` is true (e.g. `GDPR Art. 6(1)(f)`).
    public var lawfulBasis: String?
    public var collectionCountries: [String]?
}

/// A teacher model whose outputs trained this one.
public struct DistillationSource: Sendable, Equatable, Encodable {
    public var model: String
    public var developer: LegalEntity
    /// Whether the teacher's terms allow training other models on its outputs.
    public var termsPermitDistillation: Bool
    public var manifestDigest: DigestSet?
}

/// The hardware a model was trained on, and where.
public struct TrainingCompute: Sendable, Equatable, Encodable {
    public var accelerator: String
    public var count: Int?
    public var country: String
    public var provider: LegalEntity?
}

/// What happens to one category of user data.
public struct RetentionTerm: Sendable, Equatable, Encodable {
    public var category: DataCategory
    public var collected: Bool
    /// Days the data is kept; absent when not collected or when `indefinite`.
    public var retentionDays: Int?
    public var indefinite: Bool?
    public var usedForTraining: Bool?
    public var deletionOnRequest: Bool?
    public var storageCountries: [String]?
}

/// A third-party audit the model's developer or host has passed.
public struct AuditAttestation: Sendable, Equatable, Encodable {
    /// e.g. `SOC 2 Type II`, `ISO/IEC 27001`, `ISO/IEC 42001`.
    public var framework: String
    public var auditor: String
    public var subject: String?
    /// RFC 3339 date or date-time, as written.
    public var issued: String
    public var expires: String?
    public var evidence: AuditEvidence?

    public var issuedDate: Date? { RFC3339.parseDateOrDateTime(issued) }
    public var expiryDate: Date? { expires.flatMap(RFC3339.parseDateOrDateTime) }
}

/// Where an audit report is and the digest of its bytes.
public struct AuditEvidence: Sendable, Equatable, Encodable {
    public var uri: String?
    public var digest: DigestSet
}
