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

    public var displayName: String { names.first ?? "?" }
}

extension ProvenancePredicate {
    /// Every party the manifest names, each entity with its ownership chain and affiliations.
    public func parties() -> [Party] {
        var out: [Party] = []
        func affiliations(of entity: LegalEntity, pointer: String) {
            for (index, affiliation) in (entity.affiliations ?? []).enumerated() {
                out.append(
                    Party(
                        role: .affiliation, names: [affiliation.name], country: affiliation.country,
                        pointer: "\(pointer)/affiliations/\(index)",
                        relatedTo: "\(affiliation.type.rawValue) affiliation of \(entity.name)"))
            }
        }
        func add(_ entity: LegalEntity, role: PartyRole, pointer: String) {
            out.append(Party(role: role, names: entity.allNames, country: entity.country, pointer: pointer, relatedTo: nil))
            var owner = entity.parent?.value
            var ownerPointer = pointer + "/parent"
            var depth = 0
            while let current = owner, depth < 16 {
                out.append(
                    Party(
                        role: .parent, names: current.allNames, country: current.country, pointer: ownerPointer,
                        relatedTo: "\(role.rawValue) \(entity.name)"))
                affiliations(of: current, pointer: ownerPointer)
                owner = current.parent?.value
                ownerPointer += "/parent"
                depth += 1
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

/// Checks a country against allow/deny lists.
enum CountryListVerdict {
    static func evaluate(_ country: String, allow: Set<String>?, deny: Set<String>?) -> (ok: Bool, expected: String) {
        if let allow {
            return (allow.contains(country), "one of \(allow.sorted().joined(separator: ", "))")
        }
        if let deny {
            return (!deny.contains(country), "none of \(deny.sorted().joined(separator: ", "))")
        }
        return (false, "a configured country list")
    }
}
