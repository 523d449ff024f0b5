import Foundation

/// A predicate the tool signs and reads, with its versioned type URI.
public protocol StatementPredicate: Sendable, Equatable, Encodable {
    static var type: String { get }
}

/// An in-toto Statement v1: the files it is about, and a typed predicate about them.
public struct InTotoStatement<Predicate: StatementPredicate>: Sendable, Equatable, Encodable {
    public var subject: [Subject]
    public var predicate: Predicate

    public init(subject: [Subject], predicate: Predicate) {
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
        try container.encode(InTotoStatementType.v1, forKey: .type)
        try container.encode(subject, forKey: .subject)
        try container.encode(Predicate.type, forKey: .predicateType)
        try container.encode(predicate, forKey: .predicate)
    }
}

/// The in-toto Statement `_type` this tool writes and accepts.
public enum InTotoStatementType {
    public static let v1 = "https://in-toto.io/Statement/v1"
}

/// A statement whose predicate is the provenance manifest.
public typealias ProvenanceStatement = InTotoStatement<ProvenancePredicate>


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
