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
        var parties = subject.parties.filter { roles.contains($0.role) }
        var paths: [Int: [String]] = [:]
        if roles.contains(.lineageDeveloper) {
            for ancestor in subject.ancestors {
                guard let statement = ancestor.statement else { continue }
                for party in statement.predicate.parties() where party.role == .developer || party.role == .parent {
                    paths[parties.count] = ancestor.path
                    parties.append(
                        Party(
                            role: .lineageDeveloper, names: party.names, country: party.country,
                            pointer: party.pointer, relatedTo: "ancestor \(ancestor.path.last ?? "?")",
                            hasUnfollowedOwner: party.hasUnfollowedOwner))
                }
            }
        }
        // Every named list is declared in a policy that loaded; the text is built anew only when one is missing.
        let expected: String
        if let expectedOnGivenLists, selected.count == lists?.count {
            expected = expectedOnGivenLists
        } else {
            expected = "no match on \(selected.map(\.id).joined(separator: ", "))"
        }
        var outcomes: [CheckOutcome] = []
        for (index, party) in parties.enumerated() {
            var hits: [ScreeningMatch] = []
            var warnings: [String] = []
            for name in party.names {
                let screened = Self.screeningNames(name)
                for warning in screened.warnings {
                    let text = name == party.displayName ? warning : "alias \"\(name)\": \(warning)"
                    if !warnings.contains(text) { warnings.append(text) }
                }
                for list in selected { hits.append(contentsOf: list.matches(for: screened.name)) }
            }
            // A plain match says more than a look-alike one; report it when there is one.
            hits = hits.filter { !$0.throughLookAlikes } + hits.filter(\.throughLookAlikes)
            let who = "\(party.role.rawValue) \(party.displayName)"
                + (party.relatedTo.map { " (\($0))" } ?? "")
            let flags = warnings.isEmpty ? "" : " [\(warnings.joined(separator: "; "))]"
            if party.hasUnfollowedOwner {
                outcomes.append(
                    CheckOutcome(
                        .error, party.unfollowedOwnerMessage + " or screened", expected: expected,
                        observed: "not screened", pointer: party.pointer + "/parent", path: paths[index]))
            }
            if let hit = hits.first {
                let entry = hit.entry
                var details = "\(entry.name) on \(hit.listID) (source: \(entry.source)"
                if let notice = entry.federalRegisterNotice, !notice.isEmpty { details += ", \(notice)" }
                if let start = entry.startDate, !start.isEmpty { details += ", since \(start)" }
                details += ", line \(entry.line))"
                if hit.throughLookAlikes { details += " through look-alike characters" }
                outcomes.append(
                    CheckOutcome(
                        .fail, "\(who) matches screening list entry \(details)\(flags)",
                        expected: expected, observed: "\"\(hit.queriedName)\" matches \"\(hit.matchedName)\"",
                        pointer: party.pointer, path: paths[index]))
            } else {
                outcomes.append(
                    CheckOutcome(
                        .pass, "\(who): no match\(flags)", expected: expected, observed: "no match",
                        pointer: party.pointer, path: paths[index]))
            }
        }
        return outcomes
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
