import Foundation

/// An in-toto Statement v1 whose predicate is the provenance manifest.
public struct ProvenanceStatement: Sendable, Equatable, Encodable {
    public static let statementType = "https://in-toto.io/Statement/v1"

    public var subject: [Subject]
    public var predicate: ProvenancePredicate

    public init(subject: [Subject], predicate: ProvenancePredicate) {
        self.subject = subject
        self.predicate = predicate
    }

    enum CodingKeys: String, CodingKey {
        case type = "_type"
        case subject
        case predicateType
        case predicate
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Self.statementType, forKey: .type)
        try container.encode(subject, forKey: .subject)
        try container.encode(ProvenancePredicate.type, forKey: .predicateType)
        try container.encode(predicate, forKey: .predicate)
    }
}

/// One artifact file of the model: its relative path and SHA-256.
public struct Subject: Sendable, Equatable, Encodable, Comparable {
    /// Relative POSIX path inside the model directory.
    public var name: String
    public var digest: DigestSet

    public init(name: String, sha256: String) {
        self.name = name
        self.digest = DigestSet(sha256: sha256)
    }

    public static func < (lhs: Subject, rhs: Subject) -> Bool { lhs.name < rhs.name }
}
