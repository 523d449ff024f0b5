import AuditCrypto
import Foundation

/// Follows a model's parents through a manifest store, verifying each ancestor's signature and trust.
///
/// The pipeline, from the model down (depth first):
/// 1. for each parent the manifest names, take the digest of the parent's signed manifest; a parent without one is
///    `unsigned` (hidden lineage);
/// 2. a digest already on the path from the model is a `cycle`;
/// 3. a digest already reported elsewhere in this ancestry is a *repeat*: a link with the status of the first report
///    and `isRepeat` set, whose parents are not followed again — so an ancestry shared by many paths (merges of
///    merges) costs one visit per distinct manifest, not one per path;
/// 4. past the depth bound the walk stops (`too-deep`);
/// 5. look the digest up in the store: absent is `missing` — or `mismatch` when the store holds a manifest of that
///    name under another digest (the child points at a different envelope than the one published);
/// 6. verify the parent envelope against the trust store: not verified is `untrusted`; a payload that is not a
///    provenance statement is `invalid`. Each envelope is verified once per resolver, however many paths and models
///    reach it (`verificationCount`);
/// 7. otherwise the parent is `verified` and its own parents are followed.
/// Distillation teachers with a manifest digest are followed the same way.
public struct LineageResolver: Sendable {
    /// The most generations of ancestors any run follows, and the largest `lineage.max-depth` or
    /// `audit lineage --max-depth` accepted: deeper than any real ancestry, and a bound on the walk's recursion
    /// (one frame per generation) whatever a store holds.
    public static let generationLimit = 64

    public let store: ManifestStore?
    public let trustStore: TrustStore
    public let time: Date
    public let maxDepth: Int
    private let verdicts = AncestorVerdicts()

    public init(
        store: ManifestStore?, trustStore: TrustStore, time: Date, maxDepth: Int = LineageResolver.generationLimit
    ) {
        self.store = store
        self.trustStore = trustStore
        self.time = time
        self.maxDepth = min(max(maxDepth, 0), Self.generationLimit)
    }

    /// How many ancestor envelopes this resolver has verified (signatures, then the statement): one per distinct
    /// manifest reached, across every model it resolved.
    public var verificationCount: Int { verdicts.verificationCount }

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
        /// The generation at which the walk reached this link (parents are 1).
        public let depth: Int
        /// Pointer into the child's statement that names this parent.
        public let pointer: String
        /// An earlier link (depth first) already reported this manifest: this one repeats its status, and the
        /// manifest's own parents are listed only under the earlier one. Rules that judge ancestors skip repeats.
        public let isRepeat: Bool

        public init(
            path: [String], name: String, relation: String, digest: String?, status: Status, detail: String,
            statement: ProvenanceStatement?, depth: Int, pointer: String, isRepeat: Bool = false
        ) {
            self.path = path
            self.name = name
            self.relation = relation
            self.digest = digest
            self.status = status
            self.detail = detail
            self.statement = statement
            self.depth = depth
            self.pointer = pointer
            self.isRepeat = isRepeat
        }
    }

    /// The resolved ancestry: every link found (depth-first), and the tree for reports.
    public struct Result: Sendable {
        public let links: [Link]
        public let tree: LineageNode
        /// The longest chain of generations above the model, through every path (a repeat counts the generations
        /// above the manifest it repeats).
        public let depth: Int
        /// The names along that chain, from the model (`name version`) to its oldest ancestor.
        public let deepestPath: [String]

        /// A result whose longest chain is its deepest link's, as when no ancestor is shared.
        public init(links: [Link], tree: LineageNode) {
            let deepest = links.max { $0.depth < $1.depth }
            self.init(links: links, tree: tree, depth: deepest?.depth ?? 0, deepestPath: deepest?.path ?? [tree.name])
        }

        public init(links: [Link], tree: LineageNode, depth: Int, deepestPath: [String]) {
            self.links = links
            self.tree = tree
            self.depth = depth
            self.deepestPath = deepestPath
        }

        /// Each verified ancestor once, with the path on which it was first reached.
        public var ancestors: [Ancestor] {
            reported.filter { $0.status == .verified }.map { Ancestor(path: $0.path, statement: $0.statement) }
        }

        /// The links that report a manifest (or a parent without one) for the first time: every link but repeats.
        public var reported: [Link] { links.filter { !$0.isRepeat } }
    }

    public func resolve(_ statement: ProvenanceStatement, envelopeSHA256: String) -> Result {
        let name = Self.display(statement)
        var walk = Walk(resolver: self, root: envelopeSHA256)
        let (children, height) = walk.visit(statement, path: [name], digest: envelopeSHA256, depth: 1)
        let developer = statement.predicate.origin.developer
        let tree = LineageNode(
            name: name, relation: nil, manifestSHA256: envelopeSHA256, status: "verified",
            developer: developer.legalName ?? developer.name, parents: children)
        return Result(
            links: walk.links, tree: tree, depth: height,
            deepestPath: walk.longestChain(from: envelopeSHA256, name: name))
    }

    static func display(_ statement: ProvenanceStatement) -> String {
        "\(statement.predicate.model.name) \(statement.predicate.model.version)"
    }

    /// A parent (or teacher) as a child's manifest names it.
    struct Reference {
        let name: String
        let relation: String
        let digest: String?
        let pointer: String
    }

    static func references(of statement: ProvenanceStatement) -> [Reference] {
        var references: [Reference] = []
        for (index, parent) in statement.predicate.lineage.parents.enumerated() {
            references.append(Reference(
                name: parent.name, relation: parent.relation.rawValue, digest: parent.manifestDigest?.sha256,
                pointer: "/predicate/lineage/parents/\(index)/manifestDigest"))
        }
        for (index, teacher) in (statement.predicate.lineage.distillationSources ?? []).enumerated()
        where teacher.manifestDigest != nil {
            references.append(Reference(
                name: teacher.model, relation: "distillation-teacher", digest: teacher.manifestDigest?.sha256,
                pointer: "/predicate/lineage/distillationSources/\(index)/manifestDigest"))
        }
        return references
    }

    /// One depth-first walk: the links found so far and, per manifest digest, what the walk knows of it.
    private struct Walk {
        enum Mark {
            /// On the path being walked: reaching it again closes a cycle.
            case open
            /// Reported by `links[link]`, with `height` generations of ancestry above it.
            case done(link: Int, height: Int)
        }

        let resolver: LineageResolver
        var links: [Link] = []
        var marks: [String: Mark]
        /// The first too-deep link to a digest; later too-deep links to it repeat it. A shorter path to the same
        /// manifest still follows it.
        var tooDeep: [String: Int] = [:]
        /// Per followed manifest, the link out of it on which its longest chain starts.
        var longestVia: [String: Int] = [:]

        init(resolver: LineageResolver, root: String) {
            self.resolver = resolver
            marks = [root: .open]
        }

        /// Reports the parents of `statement` (the manifest `digest`): their tree nodes, and how many generations
        /// lie above it.
        mutating func visit(
            _ statement: ProvenanceStatement, path: [String], digest: String, depth: Int
        ) -> (nodes: [LineageNode], height: Int) {
            var nodes: [LineageNode] = []
            var height = 0
            for reference in LineageResolver.references(of: statement) {
                let (node, above, link) = edge(reference, path: path, depth: depth)
                nodes.append(node)
                if 1 + above > height {
                    height = 1 + above
                    longestVia[digest] = link
                }
            }
            return (nodes, height)
        }

        private mutating func edge(
            _ reference: Reference, path: [String], depth: Int
        ) -> (node: LineageNode, above: Int, link: Int) {
            let linkPath = path + [reference.name]
            func add(
                _ status: Link.Status, _ detail: String, _ parent: ProvenanceStatement? = nil, repeating: Bool = false
            ) -> Int {
                links.append(Link(
                    path: linkPath, name: reference.name, relation: reference.relation, digest: reference.digest,
                    status: status, detail: detail, statement: parent, depth: depth, pointer: reference.pointer,
                    isRepeat: repeating))
                return links.count - 1
            }
            func node(_ index: Int, parents: [LineageNode] = []) -> LineageNode {
                let link = links[index]
                let developer = link.statement?.predicate.origin.developer
                return LineageNode(
                    name: link.statement.map(LineageResolver.display) ?? reference.name, relation: reference.relation,
                    manifestSHA256: reference.digest, status: link.status.rawValue,
                    developer: developer.map { $0.legalName ?? $0.name }, parents: parents,
                    repeated: link.isRepeat ? true : nil)
            }
            guard let digest = reference.digest else {
                let index = add(.unsigned, "no digest of a signed manifest: hidden lineage")
                return (node(index), 0, index)
            }
            switch marks[digest] {
            case .open?:
                let index = add(.cycle, "sha256:\(digest) is already on the path \(path.joined(separator: " ← "))")
                return (node(index), 0, index)
            case .done(let first, let height)?:
                let earlier = links[first]
                let index = add(
                    earlier.status, "sha256:\(digest) is reported above (\(earlier.path.joined(separator: " ← ")))",
                    earlier.statement, repeating: true)
                return (node(index), height, index)
            case nil:
                break
            }
            if depth > resolver.maxDepth {
                if let first = tooDeep[digest] {
                    let index = add(.tooDeep, links[first].detail, repeating: true)
                    return (node(index), 0, index)
                }
                let index = add(.tooDeep, "deeper than \(resolver.maxDepth) generations; not followed")
                tooDeep[digest] = index
                return (node(index), 0, index)
            }
            let index: Int
            var parent: ProvenanceStatement?
            if let store = resolver.store {
                if let entry = store.entries[digest] {
                    switch resolver.verdicts.verdict(for: entry, resolver.verify) {
                    case .success(let statement):
                        parent = statement
                        index = add(.verified, "verified (\(entry.file))", statement)
                    case .failure(let failure):
                        index = add(failure.status, failure.detail)
                    }
                } else if let other = resolver.verdicts.entry(named: reference.name, in: store) {
                    index = add(.mismatch, "the store holds \(reference.name) as \(other.file) with sha256:"
                        + "\(other.sha256), but the child names sha256:\(digest)")
                } else {
                    index = add(.missing, "no manifest with sha256:\(digest) in \(store.directory)")
                }
            } else {
                index = add(.notResolved, "no manifest store given (--store): the ancestor is unverified")
            }
            var parents: [LineageNode] = []
            var height = 0
            if let parent {
                marks[digest] = .open
                (parents, height) = visit(parent, path: linkPath, digest: digest, depth: depth + 1)
            }
            marks[digest] = .done(link: index, height: height)
            return (node(index, parents: parents), height, index)
        }

        /// The names along the longest chain above `root`, following each manifest's longest link.
        func longestChain(from root: String, name: String) -> [String] {
            var names = [name]
            var current = root
            // Each step moves to a manifest finished before the one it leaves, so the chain ends; the bound is a guard.
            while names.count <= links.count, let index = longestVia[current] {
                let link = links[index]
                names.append(link.name)
                guard link.status == .verified, let next = link.digest else { break }
                current = next
            }
            return names
        }
    }

    struct Failure: Error {
        let status: Link.Status
        let detail: String
    }

    func verify(_ entry: ManifestStore.Entry) -> Swift.Result<ProvenanceStatement, Failure> {
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
            guard let statement = try ManifestPayload.statement(in: envelope) else {
                return .failure(Failure(status: .invalid, detail: "\(entry.file) is not a provenance manifest"))
            }
            return .success(statement)
        } catch {
            return .failure(Failure(status: .invalid, detail: "\(entry.file): \(error)"))
        }
    }
}

/// What one resolver has learnt about the envelopes of its store, by the SHA-256 of each envelope file: the verdict
/// on each ancestor it verified, and the model name each envelope claims. Shared by every walk of the resolver, so a
/// manifest reached by many paths, or by many models of a fleet, is verified once.
final class AncestorVerdicts: @unchecked Sendable {
    private let lock = NSLock()
    private var verdicts: [String: Result<ProvenanceStatement, LineageResolver.Failure>] = [:]
    /// `(model name, entry)` for every store envelope that claims one, sorted by file; built on first use.
    private var claimedNames: [(name: String, entry: ManifestStore.Entry)]?
    private var verifications = 0

    var verificationCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return verifications
    }

    func verdict(
        for entry: ManifestStore.Entry,
        _ verify: (ManifestStore.Entry) -> Result<ProvenanceStatement, LineageResolver.Failure>
    ) -> Result<ProvenanceStatement, LineageResolver.Failure> {
        lock.lock()
        defer { lock.unlock() }
        if let known = verdicts[entry.sha256] { return known }
        let verdict = verify(entry)
        verifications += 1
        verdicts[entry.sha256] = verdict
        return verdict
    }

    /// A manifest in the store for a model of this name, verified or not (only to explain a digest mismatch).
    func entry(named name: String, in store: ManifestStore) -> ManifestStore.Entry? {
        lock.lock()
        defer { lock.unlock() }
        if claimedNames == nil {
            claimedNames = store.entries.values.sorted { $0.file < $1.file }.compactMap { entry in
                guard let envelope = try? DSSEEnvelope.decode(entry.bytes),
                    let value = try? StrictJSON.parse(envelope.payload),
                    let model = value["predicate"]?["model"]?["name"]?.stringValue
                else { return nil }
                return (model, entry)
            }
        }
        return claimedNames?.first { $0.name == name || name.hasPrefix($0.name + " ") }?.entry
    }
}

/// An ancestor of a model, reached through lineage, with the path from the model to it.
public struct Ancestor: Sendable {
    /// Display names from the model to this ancestor, e.g. `["child 1.0", "parent 2.1"]`.
    public let path: [String]
    public let statement: ProvenanceStatement?
}
