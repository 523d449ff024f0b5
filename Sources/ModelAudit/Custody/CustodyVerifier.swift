import AuditCrypto
import Foundation

/// Verifies a model's chain of custody, gathering every problem rather than stopping at the first.
///
/// The pipeline:
/// 1. each line is a DSSE envelope verified against the trust store; only a verified record's payload is read,
///    and it must be a valid custody statement for *this* model (its `manifest` digest is the provenance envelope's
///    digest) — a record replayed from another model's chain is refused;
/// 2. starting from the provenance envelope's digest, follow `previous` links: two records naming the same previous
///    are a fork; a verified record the walk never reaches is a gap (its previous is missing or unverified);
/// 3. along the chain, times never go backwards, and each record's subject equals the files it received — unless
///    its action is a transformation (convert, quantize, fine-tune), whose `inputs` must equal the files received
///    and whose subject becomes the new set of files;
/// 4. each hop's actor is the owner of the key that signed it (the trust store, not the record, says who acted);
///    a hop that changes the files must be signed by a `transformer` key or by the model's own developer; no hop
///    may be dated after the evaluation time;
/// 5. the last hop's subject is what must be delivered: the caller checks the model directory against it.
public struct CustodyVerifier {
    public let trustStore: TrustStore
    public let time: Date

    public init(trustStore: TrustStore, time: Date) {
        self.trustStore = trustStore
        self.time = time
    }

    /// - Parameters:
    ///   - manifestDeveloper: the developer the verified manifest declares; only a key it owns (or a
    ///     `transformer` key) may sign a hop that changes the files.
    ///   - isSidecar: the bundle was found beside the manifest rather than named by the caller; reports say so.
    public func verify(
        _ bundle: CustodyBundle, manifestSHA256: String, manifestSubject: [Subject],
        manifestDeveloper: LegalEntity, isSidecar: Bool = false
    ) -> CustodyVerification {
        var problems: [CustodyProblem] = []
        var records: [CustodyVerification.Record] = []
        for line in bundle.lines {
            func problem(_ kind: CustodyProblem.Kind, _ message: String) {
                problems.append(CustodyProblem(line: line.number, kind: kind, message: message))
            }
            let envelope: DSSEEnvelope
            do {
                envelope = try DSSEEnvelope.decode(line.bytes)
            } catch {
                problem(.malformed, "not a DSSE envelope: \(error)")
                continue
            }
            let signatures = EnvelopeVerifier(trustStore: trustStore, time: time).verify(envelope)
            guard signatures.isVerified else {
                let reasons = signatures.signatures.map(\.explanation).joined(separator: "; ")
                problem(.signature, "\(signatures.summary)\(reasons.isEmpty ? "" : " (\(reasons))")")
                continue
            }
            let statement: CustodyStatement
            do {
                guard envelope.payloadType == DSSEEnvelope.inTotoPayloadType else {
                    problem(.malformed, "payload type \(envelope.payloadType) is not an in-toto statement")
                    continue
                }
                statement = try CustodyReader.read(try StrictJSON.parse(envelope.payload), document: "custody record")
            } catch {
                problem(.malformed, "\(error)")
                continue
            }
            if statement.predicate.manifest.sha256 != manifestSHA256 {
                problem(.replayed, "the record belongs to another model (manifest sha256:"
                    + "\(statement.predicate.manifest.sha256), this model's is sha256:\(manifestSHA256))")
                continue
            }
            // The actor is whoever holds the signing key: a record claiming another party is a problem.
            let actor = statement.predicate.actor
            let verifiedSigners = signatures.signatures.filter(\.isVerified)
            guard !verifiedSigners.isEmpty else { continue }
            let acting = verifiedSigners.filter {
                PartyIdentity.owner($0.owner ?? "", matchesLegalName: actor.legalName, name: actor.name)
            }
            // Problems of who signed are reported, but the record stays on the chain so forks and gaps around it
            // are still found; a chain with any problem is not intact.
            let actingSigner = acting.first ?? verifiedSigners[0]
            if acting.isEmpty {
                let owners = Array(Set(verifiedSigners.compactMap(\.owner))).sorted().joined(separator: ", ")
                let claimed = PartyIdentity.bindingName(legalName: actor.legalName, name: actor.name)
                problem(.actor, "\(statement.predicate.action.rawValue) claims \"\(claimed)\" as its actor, but was "
                    + "signed by \(owners): a custody hop is recorded by the key of the party that performed it")
            }
            let roles = Set((acting.isEmpty ? verifiedSigners : acting).flatMap(\.roles))
            let action = statement.predicate.action
            if action.transformsArtifacts && !acting.isEmpty {
                let ownDeveloper = roles.contains(.developer)
                    && PartyIdentity.owner(
                        actingSigner.owner ?? "", matchesLegalName: manifestDeveloper.legalName,
                        name: manifestDeveloper.name)
                if !roles.contains(.transformer) && !ownDeveloper {
                    problem(.unauthorized, "\(action.rawValue) by \(actingSigner.owner ?? "?") changes the model's "
                        + "files, but the key holds only \(roles.map(\.rawValue).sorted().joined(separator: ", ")): "
                        + "a hop that changes the files needs a transformer key or the model developer's own key")
                }
            }
            if let when = statement.predicate.timeDate, when > time {
                problem(.future, "\(action.rawValue) is dated \(statement.predicate.time), after the evaluation time "
                    + "\(RFC3339.format(time)): a hop cannot be recorded before it happened")
            }
            records.append(CustodyVerification.Record(
                line: line.number, sha256: line.sha256, statement: statement, signerKeyID: actingSigner.keyID ?? "",
                signerOwner: actingSigner.owner ?? "", signerRoles: roles.sorted()))
        }

        // Walk the hash chain from the provenance envelope.
        var byPrevious: [String: [CustodyVerification.Record]] = [:]
        for record in records { byPrevious[record.statement.predicate.previous.sha256, default: []].append(record) }
        var chain: [CustodyVerification.Record] = []
        var current = manifestSHA256
        var files = Set(manifestSubject.map { "\($0.name)\u{0}\($0.digest.sha256)" })
        var finalSubject = manifestSubject
        var previousTime: Date?
        var visited: Set<Int> = []
        var forked: Set<Int> = []
        while let next = byPrevious[current]?.filter({ !visited.contains($0.line) }), let record = next.first {
            for branch in next.dropFirst() {
                forked.insert(branch.line)
                problems.append(CustodyProblem(line: branch.line, kind: .fork,
                    message: "lines \(record.line) and \(branch.line) both name sha256:\(current) as their previous "
                        + "record: the chain forks (the chain follows line \(record.line))"))
            }
            visited.insert(record.line)
            let predicate = record.statement.predicate
            if let when = predicate.timeDate {
                if let previousTime, when < previousTime {
                    problems.append(CustodyProblem(line: record.line, kind: .timeOrder,
                        message: "\(predicate.action.rawValue) at \(predicate.time) is earlier than the hop before it"))
                }
                previousTime = when
            }
            let subject = Set(record.statement.subject.map { "\($0.name)\u{0}\($0.digest.sha256)" })
            if predicate.action.transformsArtifacts {
                let inputs = Set((predicate.inputs ?? []).map { "\($0.name)\u{0}\($0.digest.sha256)" })
                if inputs != files {
                    problems.append(CustodyProblem(line: record.line, kind: .subject,
                        message: "\(predicate.action.rawValue) names inputs that are not the files it received"))
                }
            } else if subject != files {
                problems.append(CustodyProblem(line: record.line, kind: .subject,
                    message: "\(predicate.action.rawValue) changes the files without declaring a transformation"))
            }
            files = subject
            finalSubject = record.statement.subject
            chain.append(record)
            current = record.sha256
        }
        var offChain: [CustodyVerification.Record] = []
        for record in records where !visited.contains(record.line) {
            offChain.append(record)
            if forked.contains(record.line) { continue }
            problems.append(CustodyProblem(line: record.line, kind: .gap,
                message: "\(record.statement.predicate.action.rawValue) by \(record.signerOwner) "
                    + "names previous sha256:\(record.statement.predicate.previous.sha256), which is not on the chain "
                    + "(a missing or unverified record)"))
        }
        return CustodyVerification(
            bundle: bundle.path, isSidecar: isSidecar, chain: chain, offChain: offChain,
            problems: problems.sorted { ($0.line, $0.message) < ($1.line, $1.message) }, finalSubject: finalSubject,
            recordCount: bundle.lines.count)
    }
}

/// What went wrong with one custody record.
public struct CustodyProblem: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case malformed, signature, replayed, fork, gap, subject, actor, unauthorized, future
        case timeOrder = "time-order"
    }
    public let line: Int
    public let kind: Kind
    public let message: String

    public var description: String { "line \(line): \(kind.rawValue): \(message)" }
}

/// The verified chain of custody of one model.
public struct CustodyVerification: Sendable {
    public struct Record: Sendable {
        public let line: Int
        public let sha256: String
        public let statement: CustodyStatement
        public let signerKeyID: String
        public let signerOwner: String
        public let signerRoles: [TrustRole]
    }

    public let bundle: String
    /// The bundle was found beside the manifest, not named by the caller.
    public let isSidecar: Bool
    /// The records on the hash chain from the provenance envelope, in order.
    public let chain: [Record]
    /// Verified records of this model that the chain does not reach (fork branches and records after a gap).
    public let offChain: [Record]
    public let problems: [CustodyProblem]
    /// The files the last hop holds: what must be delivered.
    public let finalSubject: [Subject]
    public let recordCount: Int

    public init(
        bundle: String, isSidecar: Bool = false, chain: [Record], offChain: [Record] = [], problems: [CustodyProblem],
        finalSubject: [Subject], recordCount: Int
    ) {
        self.bundle = bundle
        self.isSidecar = isSidecar
        self.chain = chain
        self.offChain = offChain
        self.problems = problems
        self.finalSubject = finalSubject
        self.recordCount = recordCount
    }

    public var intact: Bool { problems.isEmpty && !chain.isEmpty }

    /// How reports name the bundle: its path, and whether it was picked up automatically.
    public var bundleDescription: String {
        isSidecar ? "\(bundle) (found beside the manifest, not named with --custody)" : bundle
    }

    /// The chain as reports draw it, followed by the verified records it does not reach (marked with their problem).
    public var hops: [CustodyHop] {
        (chain + offChain).enumerated().map { index, record in
            let p = record.statement.predicate
            let trouble = problems.filter { $0.line == record.line }.map(\.kind.rawValue)
            return CustodyHop(
                index: index + 1, action: p.action.rawValue, actor: record.signerOwner,
                country: p.country, time: p.time, status: trouble.isEmpty ? "verified" : trouble.joined(separator: ", "))
        }
    }
}
