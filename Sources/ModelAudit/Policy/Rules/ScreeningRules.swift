import Foundation

/// `screening.entity-lists`: no party the manifest names — nor any verified ancestor's developer — appears on a
/// screening list, by name or alias after normalisation.
///
/// Names are compared by their readable normal form and by their confusable skeleton (`ScreeningName`), so
/// invisible characters, look-alike letters from other scripts, full-width forms and ligatures do not hide a
/// listed entity; such spellings are pointed out in the finding. An ownership chain longer than
/// `Party.maxOwnershipDepth` is an error: the owners past the limit were not screened.
public struct ScreeningListCheck: PolicyCheck {
    public static let type = "screening.entity-lists"
    /// Names already analysed (invisible characters, legal forms, confusable skeletons, scripts: the costliest step of
    /// evaluating a policy), so a fleet run analyses each distinct developer, publisher or host once.
    private static let screeningNames = NameMemo { ScreenedName(ScreeningName($0)) }
    let lists: [String]?
    let roles: Set<PartyRole>
    /// `roles` as one bit per role (`PartyRole.bit`): every party of every model is tested against it.
    private let roleBits: UInt16
    /// "no match on <lists>" for the lists the rule names, as every finding of every model shows it: built once.
    private let expectedOnGivenLists: String?

    public init?(parameters: ObjectReader, context: PolicyParseContext) {
        let lists = parameters.strings("lists", required: false)
        if parameters.object["lists"]?.arrayValue?.isEmpty == true {
            parameters.log.add(parameters.path("lists"), "list at least one screening list id (or leave out for all)")
        }
        for (index, id) in (lists ?? []).enumerated() where !context.screeningListIDs.contains(id) {
            parameters.log.add(
                parameters.path("lists") + "/\(index)", "no screening list with id \"\(id)\" is declared")
        }
        if lists == nil && context.screeningListIDs.isEmpty {
            parameters.log.add(parameters.pointer, "the policy declares no screeningLists for this rule to use")
        }
        let roles = parameters.enumerations("parties", PartyRole.self, required: false)
        self.lists = lists
        self.roles = Set(roles ?? PartyRole.allCases)
        roleBits = self.roles.reduce(0) { $0 | $1.bit }
        expectedOnGivenLists = lists.map { "no match on \($0.joined(separator: ", "))" }
    }

    public var ineffectiveParameters: [IneffectiveParameter] {
        guard roles.isEmpty else { return [] }
        return [IneffectiveParameter(
            "parties", "is empty, so no party is screened and every model passes",
            fix: "list the parties to screen, or leave parties out to screen every party")]
    }

    public func evaluate(_ subject: EvaluationSubject) -> [CheckOutcome] {
        let selected = (lists ?? subject.screeningLists.keys.sorted()).compactMap { subject.screeningLists[$0] }
        guard !selected.isEmpty else {
            return [CheckOutcome(.error, "no screening list could be consulted")]
        }
        // Every named list is declared in a policy that loaded; the text is built anew only when one is missing.
        let expected: String
        if let expectedOnGivenLists, selected.count == lists?.count {
            expected = expectedOnGivenLists
        } else {
            expected = "no match on \(selected.map(\.id).joined(separator: ", "))"
        }
        var outcomes: [CheckOutcome] = []
        outcomes.reserveCapacity(subject.parties.count)
        for party in subject.parties where roleBits & party.role.bit != 0 {
            screen(party, path: nil, on: selected, expected: expected, into: &outcomes)
        }
        if roleBits & PartyRole.lineageDeveloper.bit != 0 {
            for ancestor in subject.ancestors {
                guard let statement = ancestor.statement else { continue }
                for party in statement.predicate.parties() where party.role == .developer || party.role == .parent {
                    let developer = Party(
                        role: .lineageDeveloper, names: party.names, country: party.country, pointer: party.pointer,
                        relatedTo: "ancestor \(ancestor.path.last ?? "?")", hasUnfollowedOwner: party.hasUnfollowedOwner)
                    screen(developer, path: ancestor.path, on: selected, expected: expected, into: &outcomes)
                }
            }
        }
        return outcomes
    }

    /// Screens one party's names on `lists` into its outcomes: an error for owners it could not follow, then a
    /// failure for its best match or a pass.
    private func screen(
        _ party: Party, path: [String]?, on lists: [ScreeningList], expected: String,
        into outcomes: inout [CheckOutcome]
    ) {
        var hits: [ScreeningMatch] = []
        var warnings: [String] = []
        for name in party.names {
            let screened = Self.screeningNames(name)
            for warning in screened.warnings {
                let text = name == party.displayName ? warning : "alias \"\(name)\": \(warning)"
                if !warnings.contains(text) { warnings.append(text) }
            }
            for index in lists.indices { hits.append(contentsOf: lists[index].matches(for: screened.name)) }
        }
        if party.hasUnfollowedOwner {
            outcomes.append(
                CheckOutcome(
                    .error, party.unfollowedOwnerMessage + " or screened", expected: expected,
                    observed: "not screened", pointer: party.pointer + "/parent", path: path))
        }
        // The message, built in one string: who the party is, then what screening found.
        var message = ""
        message.reserveCapacity(
            party.role.rawValue.utf8.count + party.displayName.utf8.count + (party.relatedTo?.utf8.count ?? 0) + 64)
        message += party.role.rawValue
        message += " "
        message += party.displayName
        if let relatedTo = party.relatedTo {
            message += " ("
            message += relatedTo
            message += ")"
        }
        // A plain match says more than a look-alike one; report it when there is one.
        if let hit = hits.first(where: { !$0.throughLookAlikes }) ?? hits.first {
            let entry = hit.entry
            message += " matches screening list entry \(entry.name) on \(hit.listID) (source: \(entry.source)"
            if let notice = entry.federalRegisterNotice, !notice.isEmpty { message += ", \(notice)" }
            if let start = entry.startDate, !start.isEmpty { message += ", since \(start)" }
            message += ", line \(entry.line))"
            if hit.throughLookAlikes { message += " through look-alike characters" }
            Self.append(warnings, to: &message)
            outcomes.append(
                CheckOutcome(
                    .fail, message, expected: expected,
                    observed: "\"\(hit.queriedName)\" matches \"\(hit.matchedName)\"", pointer: party.pointer,
                    path: path))
        } else {
            message += ": no match"
            Self.append(warnings, to: &message)
            outcomes.append(
                CheckOutcome(
                    .pass, message, expected: expected, observed: "no match", pointer: party.pointer, path: path))
        }
    }

    /// What the finding points out about the party's spelling, " [warning; warning]", when anything.
    private static func append(_ warnings: [String], to message: inout String) {
        guard !warnings.isEmpty else { return }
        message += " ["
        message += warnings.joined(separator: "; ")
        message += "]"
    }
}

extension PartyRole {
    /// A bit of its own for each role, so a rule's set of roles is tested with one `&` per party, not a hash.
    fileprivate var bit: UInt16 {
        switch self {
        case .developer: return 1 << 0
        case .publisher: return 1 << 1
        case .parent: return 1 << 2
        case .affiliation: return 1 << 3
        case .host: return 1 << 4
        case .subProcessor: return 1 << 5
        case .dataFlowRecipient: return 1 << 6
        case .computeProvider: return 1 << 7
        case .lineageDeveloper: return 1 << 8
        }
    }
}

/// A name analysed for screening and what a finding should say about its spelling, held once for every model that
/// names it: handing it on is one reference, not a copy of every form of the name.
private final class ScreenedName: Sendable {
    let name: ScreeningName
    let warnings: [String]

    init(_ name: ScreeningName) {
        self.name = name
        self.warnings = name.warnings
    }
}
