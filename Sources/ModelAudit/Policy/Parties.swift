import Foundation

/// The parts a manifest names a party in; policy rules choose which to look at.
public enum PartyRole: String, Sendable, CaseIterable, Codable {
    case developer
    case publisher
    /// Any company in the ownership chain (`parent`, its `parent`, …) of another party.
    case parent
    /// A state, military, government or investor affiliation of a party.
    case affiliation
    /// The hosting provider of a managed service.
    case host
    case subProcessor = "sub-processor"
    case dataFlowRecipient = "data-flow-recipient"
    case computeProvider = "compute-provider"
    /// The developer of a parent model or distillation teacher named in the lineage section.
    case lineageDeveloper = "lineage-developer"
}

/// A party named somewhere in a manifest: its names, country, role and where it is.
public struct Party: Sendable, Equatable {
    public let role: PartyRole
    public let names: [String]
    public let country: String?
    public let pointer: String
    /// For a parent or affiliation, the party it belongs to (e.g. "developer Acme AI").
    public let relatedTo: String?
    /// True for the last owner followed up a chain longer than `maxOwnershipDepth`: it names an owner of its own
    /// that no rule saw. Rules that look at owners report such a chain as an error (could not evaluate).
    public var hasUnfollowedOwner = false

    public var displayName: String { names.first ?? "?" }

    /// How many owners above a party rules follow. Real group structures are a handful of levels deep; the
    /// limit only bounds the work an input can cause. A longer chain is an error, never a silent pass.
    public static let maxOwnershipDepth = 32

    /// The finding for a chain cut at `maxOwnershipDepth` after this party (see `hasUnfollowedOwner`).
    public var unfollowedOwnerMessage: String {
        "the ownership chain of \(relatedTo ?? role.rawValue) is longer than \(Party.maxOwnershipDepth) companies: "
            + "the owners of \(displayName) could not be evaluated"
    }
}

extension ProvenancePredicate {
    /// Every party the manifest names, each entity with its ownership chain and affiliations.
    public func parties() -> [Party] {
        var out: [Party] = []
        out.reserveCapacity(8)
        func affiliations(of entity: LegalEntity, pointer: String) {
            guard let affiliations = entity.affiliations else { return }
            for (index, affiliation) in affiliations.enumerated() {
                out.append(
                    Party(
                        role: .affiliation, names: [affiliation.name], country: affiliation.country,
                        pointer: "\(pointer)/affiliations/\(index)",
                        relatedTo: "\(affiliation.type.rawValue) affiliation of \(entity.name)"))
            }
        }
        func add(_ entity: LegalEntity, role: PartyRole, pointer: String) {
            out.append(Party(role: role, names: entity.allNames, country: entity.country, pointer: pointer, relatedTo: nil))
            // Every owner up to the limit is listed; the last one is marked when the chain goes on, so rules
            // report the rest as not evaluated instead of passing it.
            var owner = entity.parent?.value
            // Built when there is an owner: most entities have none.
            var ownerPointer = owner == nil ? "" : pointer + "/parent"
            var depth = 0
            while let current = owner, depth < Party.maxOwnershipDepth {
                depth += 1
                let cut = depth == Party.maxOwnershipDepth && current.parent != nil
                out.append(
                    Party(
                        role: .parent, names: current.allNames, country: current.country, pointer: ownerPointer,
                        relatedTo: "\(role.rawValue) \(entity.name)", hasUnfollowedOwner: cut))
                affiliations(of: current, pointer: ownerPointer)
                owner = current.parent?.value
                ownerPointer += "/parent"
            }
            affiliations(of: entity, pointer: pointer)
        }
        add(origin.developer, role: .developer, pointer: "/predicate/origin/developer")
        if let publisher = origin.publisher {
            add(publisher, role: .publisher, pointer: "/predicate/origin/publisher")
        }
        if let provider = hosting.provider {
            add(provider, role: .host, pointer: "/predicate/hosting/provider")
        }
        for (index, sub) in (hosting.subProcessors ?? []).enumerated() {
            add(sub.entity, role: .subProcessor, pointer: "/predicate/hosting/subProcessors/\(index)/entity")
        }
        for (index, flow) in (hosting.dataFlows ?? []).enumerated() {
            add(flow.recipient, role: .dataFlowRecipient, pointer: "/predicate/hosting/dataFlows/\(index)/recipient")
        }
        for (index, compute) in (lineage.trainingCompute ?? []).enumerated() {
            if let provider = compute.provider {
                add(provider, role: .computeProvider, pointer: "/predicate/lineage/trainingCompute/\(index)/provider")
            }
        }
        for (index, parent) in lineage.parents.enumerated() {
            if let developer = parent.developer {
                add(developer, role: .lineageDeveloper, pointer: "/predicate/lineage/parents/\(index)/developer")
            }
        }
        for (index, teacher) in (lineage.distillationSources ?? []).enumerated() {
            add(
                teacher.developer, role: .lineageDeveloper,
                pointer: "/predicate/lineage/distillationSources/\(index)/developer")
        }
        return out
    }
}

/// Reading helpers the rule families share.
extension ObjectReader {
    /// A list of enumeration values, e.g. roles or data categories; unknown values are reported.
    func enumerations<E: RawRepresentable & CaseIterable>(_ key: String, _ type: E.Type, required: Bool = true) -> [E]?
    where E.RawValue == String {
        array(key, required: required) { value, pointer in
            guard case .string(let text) = value, let parsed = E(rawValue: text) else {
                let allowed = E.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
                log.add(pointer, "\(value.stringValue.map { "\"\($0)\"" } ?? value.kindName) is not one of \(allowed)")
                return nil
            }
            return parsed
        }
    }

    /// Allow and deny country lists; exactly one of them must be given.
    func countryLists() -> (allow: Set<String>?, deny: Set<String>?) {
        let allow = countries("allow", required: false).map(Set.init)
        let deny = countries("deny", required: false).map(Set.init)
        if (allow == nil) == (deny == nil) {
            log.add(pointer, "give exactly one of \"allow\" or \"deny\" (a list of ISO 3166-1 alpha-2 codes)")
        }
        // An empty deny list denies nothing and an empty allow list allows nothing: both are mistakes.
        for key in ["allow", "deny"] where object[key]?.arrayValue?.isEmpty == true {
            log.add(path(key), "list at least one country")
        }
        return (allow, deny)
    }
}

/// Checks a country against allow/deny lists, with the text a finding shows as expected.
///
/// The expected text ("none of CN, RU") is the same for every model the rule judges: it is built once, with the
/// rule, instead of sorting and joining the list for every country of every model.
struct CountryListVerdict: Sendable {
    let allow: Set<String>?
    let deny: Set<String>?
    /// "one of …" or "none of …" with the countries sorted, or "a configured country list" when neither is given.
    let expected: String

    init(allow: Set<String>?, deny: Set<String>?) {
        self.allow = allow
        self.deny = deny
        if let allow {
            expected = "one of \(allow.sorted().joined(separator: ", "))"
        } else if let deny {
            expected = "none of \(deny.sorted().joined(separator: ", "))"
        } else {
            expected = "a configured country list"
        }
    }

    /// Whether the lists allow `country`; with neither list given, nothing is allowed.
    func allows(_ country: String) -> Bool {
        if let allow { return allow.contains(country) }
        if let deny { return !deny.contains(country) }
        return false
    }
}
