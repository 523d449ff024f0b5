import Foundation

/// What a custodian did with the model.
public enum CustodyAction: String, Sendable, CaseIterable, Codable {
    case published, mirrored, converted, quantized
    case fineTuned = "fine-tuned"
    case hosted, deployed, transferred

    /// Actions that change the files: the record must name its inputs, and its subject is the new set of files.
    public var transformsArtifacts: Bool {
        self == .converted || self == .quantized || self == .fineTuned
    }
}

/// One signed hop in a model's chain of custody: who did what with which files, where and when.
///
/// Carried as the predicate of an in-toto Statement v1 (`CustodyPredicate.type`) whose subject is the files the
/// actor holds after the hop. `previous` is the SHA-256 of the previous record's envelope line — or of the
/// provenance envelope for the first hop — so the records form a hash chain from origin to deployment.
public struct CustodyPredicate: StatementPredicate {
    public static let type = "https://model-audit.dev/custody/v1"

    public var action: CustodyAction
    public var actor: LegalEntity
    /// Where the hop took place (ISO 3166-1 alpha-2).
    public var country: String
    /// Free text such as a data-centre or registry name.
    public var location: String?
    /// RFC 3339 date-time.
    public var time: String
    public var previous: DigestSet
    /// SHA-256 of the provenance envelope this chain belongs to; binds every hop to one model.
    public var manifest: DigestSet
    /// For a transformation: the files it read (the previous hop's subject).
    public var inputs: [Subject]?
    public var note: String?

    public var timeDate: Date? { RFC3339.parse(time) }
}

/// A custody statement: the files after the hop, and the hop itself.
public typealias CustodyStatement = InTotoStatement<CustodyPredicate>

/// Reads custody statements strictly, every problem with its pointer.
public enum CustodyReader {
    public static func read(_ value: JSONValue, document: String) throws -> CustodyStatement {
        let log = ProblemLog()
        guard let root = ObjectReader.make(value, pointer: "", log: log) else {
            throw InvalidDocumentError(document: document, problems: log.problems)
        }
        if let type = root.string("_type"), type != InTotoStatementType.v1 {
            log.add("/_type", "expected \"\(InTotoStatementType.v1)\", found \"\(type)\"")
        }
        if let type = root.string("predicateType"), type != CustodyPredicate.type {
            log.add("/predicateType", "expected \"\(CustodyPredicate.type)\", found \"\(type)\"")
        }
        let subject = root.objects("subject") { ManifestReader.readSubject($0) }
        let predicate = root.object("predicate").flatMap { p -> CustodyPredicate? in
            let action = p.enumeration("action", CustodyAction.self)
            let actor = p.object("actor").flatMap { ManifestReader.readEntity($0) }
            let country = p.country("country")
            let location = p.string("location", required: false)
            let time = p.timestamp("time")
            let previous = p.object("previous").flatMap { ManifestReader.readDigestSet($0) }
            let manifest = p.object("manifest").flatMap { ManifestReader.readDigestSet($0) }
            let inputs = p.objects("inputs", required: action?.transformsArtifacts == true) {
                ManifestReader.readSubject($0)
            }
            let note = p.string("note", required: false)
            p.finish()
            guard let action, let actor, let country, let time, let previous, let manifest else { return nil }
            return CustodyPredicate(
                action: action, actor: actor, country: country, location: location, time: time, previous: previous,
                manifest: manifest, inputs: inputs, note: note)
        }
        root.finish()
        guard log.problems.isEmpty, let subject, let predicate else {
            throw InvalidDocumentError(document: document, problems: log.problems)
        }
        if subject.isEmpty {
            throw InvalidDocumentError(
                document: document, problems: [ValidationProblem(pointer: "/subject", message: "lists no files")])
        }
        return CustodyStatement(subject: subject, predicate: predicate)
    }
}
