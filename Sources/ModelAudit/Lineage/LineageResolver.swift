import AuditCrypto
import Foundation

/// Follows a model's parents through a manifest store, verifying each ancestor's signature and trust.
///
/// The pipeline, from the model down:
/// 1. for each parent the manifest names, take the digest of the parent's signed manifest; a parent without one is
///    `unsigned` (hidden lineage);
/// 2. look the digest up in the store: absent is `missing` — or `mismatch` when the store holds a manifest of that
///    name under another digest (the child points at a different envelope than the one published);
/// 3. verify the parent envelope against the trust store: not verified is `untrusted`; a payload that is not a
///    provenance statement is `invalid`;
/// 4. a digest already on the path from the model is a `cycle`; past the depth bound the walk stops (`too-deep`);
/// 5. otherwise the parent is `verified` and its own parents are followed.
/// Distillation teachers with a manifest digest are followed the same way.
public struct LineageResolver {
    public let store: ManifestStore?
    public let trustStore: TrustStore
    public let time: Date
    public let maxDepth: Int

    public init(store: ManifestStore?, trustStore: TrustStore, time: Date, maxDepth: Int = 16) {
        self.store = store
        self.trustStore = trustStore
        self.time = time
        self.maxDepth = maxDepth
    }

    /// One resolved ancestor edge.
    public struct Link: Sendable {
        public enum Status: String, Sendable {
            case verified, unsigned, missing, mismatch, untrusted, invalid, cycle
            case tooDeep = "too-deep"
            case notResolved = "not-resolved"
        }
        public let path: [String]
        public let name: String
        public let relation: String
        public let digest: String?
        public let status: Status
        public let detail: String
        public let statement: ProvenanceStatement?
        public let depth: Int
        /// Pointer into the child's statement that names this parent.
        public let pointer: String
    }

    /// The resolved ancestry: every link found (depth-first), and the tree for reports.
    public struct Result: Sendable {
        public let links: [Link]
        public let tree: LineageNode

        public var ancestors: [Ancestor] {
            links.filter { $0.status == .verified }.map { Ancestor(path: $0.path, statement: $0.statement) }
        }
        public var depth: Int { links.map(\.depth).max() ?? 0 }
    }

    public func resolve(_ statement: ProvenanceStatement, envelopeSHA256: String) -> Result {
        var links: [Link] = []
        let name = Self.display(statement)
        let children = walk(statement, path: [name], seen: [envelopeSHA256], depth: 1, links: &links)
        let developer = statement.predicate.origin.developer
        let tree = LineageNode(
            name: name, relation: nil, manifestSHA256: envelopeSHA256, status: "verified",
            developer: developer.legalName ?? developer.name, parents: children)
        return Result(links: links, tree: tree)
    }

    static func display(_ statement: ProvenanceStatement) -> String {
        "\(statement.predicate.model.name) \(statement.predicate.model.version)"
    }

    private func walk(
        _ statement: ProvenanceStatement, path: [String], seen: Set<String>, depth: Int, links: inout [Link]
    ) -> [LineageNode] {
        var references: [(name: String, relation: String, digest: String?, pointer: String)] = []
        for (index, parent) in statement.predicate.lineage.parents.enumerated() {
            references.append((parent.name, parent.relation.rawValue, parent.manifestDigest?.sha256,
                "/predicate/lineage/parents/\(index)/manifestDigest"))
        }
        for (index, teacher) in (statement.predicate.lineage.distillationSources ?? []).enumerated()
        where teacher.manifestDigest != nil {
            references.append((teacher.model, "distillation-teacher", teacher.manifestDigest?.sha256,
                "/predicate/lineage/distillationSources/\(index)/manifestDigest"))
        }
        var nodes: [LineageNode] = []
        for reference in references {
            let linkPath = path + [reference.name]
            func record(_ status: Link.Status, _ detail: String, _ parent: ProvenanceStatement? = nil) -> Link {
                let link = Link(
                    path: linkPath, name: reference.name, relation: reference.relation, digest: reference.digest,
                    status: status, detail: detail, statement: parent, depth: depth, pointer: reference.pointer)
                links.append(link)
                return link
            }
            var children: [LineageNode] = []
            let link: Link
            if let digest = reference.digest {
                if seen.contains(digest) {
                    link = record(.cycle, "sha256:\(digest) is already on the path \(path.joined(separator: " ← "))")
                } else if depth > maxDepth {
                    link = record(.tooDeep, "deeper than \(maxDepth) generations; not followed")
                } else if let store {
                    if let entry = store.entries[digest] {
                        switch verify(entry) {
                        case .success(let parent):
                            link = record(.verified, "verified (\(entry.file))", parent)
                            children = walk(parent, path: linkPath, seen: seen.union([digest]), depth: depth + 1,
                                links: &links)
                        case .failure(let failure):
                            link = record(failure.status, failure.detail)
                        }
                    } else if let other = lookUp(name: reference.name, in: store) {
                        link = record(.mismatch, "the store holds \(reference.name) as \(other.file) with sha256:"
                            + "\(other.sha256), but the child names sha256:\(digest)")
                    } else {
                        link = record(.missing, "no manifest with sha256:\(digest) in \(store.directory)")
                    }
                } else {
                    link = record(.notResolved, "no manifest store given (--store): the ancestor is unverified")
                }
            } else {
                link = record(.unsigned, "no digest of a signed manifest: hidden lineage")
            }
            let developer = link.statement?.predicate.origin.developer
            nodes.append(LineageNode(
                name: link.statement.map(Self.display) ?? reference.name, relation: reference.relation,
                manifestSHA256: reference.digest, status: link.status.rawValue,
                developer: developer.map { $0.legalName ?? $0.name }, parents: children))
        }
        return nodes
    }

    struct Failure: Error {
        let status: Link.Status
        let detail: String
    }

    private func verify(_ entry: ManifestStore.Entry) -> Swift.Result<ProvenanceStatement, Failure> {
        let envelope: DSSEEnvelope
        do {
            envelope = try DSSEEnvelope.decode(entry.bytes)
        } catch {
            return .failure(Failure(status: .invalid, detail: "\(entry.file): \(error)"))
        }
        let signatures = EnvelopeVerifier(trustStore: trustStore, time: time).verify(envelope)
        guard signatures.isVerified else {
            let reasons = signatures.signatures.map(\.explanation).joined(separator: "; ")
            return .failure(Failure(status: .untrusted,
                detail: "\(entry.file): \(signatures.summary)\(reasons.isEmpty ? "" : " (\(reasons))")"))
        }
        do {
            guard let statement = try ModelVerifier.provenanceStatement(of: envelope) else {
                return .failure(Failure(status: .invalid, detail: "\(entry.file) is not a provenance manifest"))
            }
            return .success(statement)
        } catch {
            return .failure(Failure(status: .invalid, detail: "\(entry.file): \(error)"))
        }
    }

    /// A manifest in the store for a model of this name, verified or not (only to explain a digest mismatch).
    private func lookUp(name: String, in store: ManifestStore) -> ManifestStore.Entry? {
        for entry in store.entries.values.sorted(by: { $0.file < $1.file }) {
            guard let envelope = try? DSSEEnvelope.decode(entry.bytes),
                let value = try? StrictJSON.parse(envelope.payload),
                let model = value["predicate"]?["model"]?["name"]?.stringValue
            else { continue }
            if model == name || name.hasPrefix(model + " ") { return entry }
        }
        return nil
    }
}
