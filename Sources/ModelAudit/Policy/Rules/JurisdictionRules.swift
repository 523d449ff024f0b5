import Foundation

/// Where a jurisdiction rule looks for countries.
public enum JurisdictionRole: String, Sendable, CaseIterable {
    /// The developer's country of incorporation.
    case developer
    /// Every company in the developer's (and publisher's) ownership chain.
    case parent
    /// State, military and government affiliations of the developer, publisher and their owners.
    case affiliation
    /// The hosting provider's country of incorporation.
    case host
    case hostingRegion = "hosting-region"
    case governingLaw = "governing-law"
    /// Where collected user data is stored.
    case dataStorage = "data-storage"
    /// Where data flows go, and the recipients' countries of incorporation.
    case dataFlowRecipient = "data-flow-recipient"
    case trainingCompute = "training-compute"
}

/// Which deployments a jurisdiction rule covers.
public enum DeploymentScope: String, Sendable, CaseIterable {
    /// Every deployment: e.g. "weights developed in CN may not be deployed at all".
    case any
    /// Only a managed service: e.g. "a service operated from CN may not receive prompts"; self-hosted weights pass.
    case hostedService = "hosted-service"
    /// Only self-hosted weights.
    case selfHosted = "self-hosted"
}

/// `jurisdictions.countries`: the countries found in one part of the manifest are allowed (or not denied).
public struct JurisdictionCheck: PolicyCheck {
    public static let type = "jurisdictions.countries"
    let role: JurisdictionRole
    let countryList: CountryListVerdict
    var allow: Set<String>? { countryList.allow }
    let scope: DeploymentScope
    /// For data flows and storage: only these data categories (all when absent).
    let categories: Set<DataCategory>?

    init(
        role: JurisdictionRole, allow: Set<String>?, deny: Set<String>?, scope: DeploymentScope,
        categories: Set<DataCategory>?
    ) {
        self.role = role
        self.countryList = CountryListVerdict(allow: allow, deny: deny)
        self.scope = scope
        self.categories = categories
    }

    public init?(parameters: ObjectReader, context: PolicyParseContext) {
        let role = parameters.enumeration("role", JurisdictionRole.self)
        let lists = parameters.countryLists()
        scope = parameters.enumeration("scope", DeploymentScope.self, required: false) ?? .any
        categories = parameters.enumerations("categories", DataCategory.self, required: false).map(Set.init)
        guard let role, lists.allow != nil || lists.deny != nil else { return nil }
        self.role = role
        self.countryList = CountryListVerdict(allow: lists.allow, deny: lists.deny)
    }

    public var ineffectiveParameters: [IneffectiveParameter] {
        var found: [IneffectiveParameter] = []
        if let categories {
            if role != .dataStorage && role != .dataFlowRecipient {
                found.append(IneffectiveParameter(
                    "categories", "does nothing for role \(role.rawValue) (it narrows data-storage and "
                        + "data-flow-recipient only)", fix: "remove categories"))
            } else if categories.isEmpty {
                found.append(IneffectiveParameter(
                    "categories", "is empty, so no data category is checked and every model passes",
                    fix: "list the data categories to check, or leave categories out to check every category"))
            }
        }
        if let allow, allow.isSuperset(of: CountryCode.all) {
            found.append(IneffectiveParameter(
                "allow", "lists every country, so no country can fail it",
                fix: "list only the allowed countries, or use deny for the countries of concern"))
        }
        return found
    }

    public func evaluate(_ subject: EvaluationSubject) -> [CheckOutcome] {
        let predicate = subject.predicate
        let mode = predicate.hosting.mode
        switch (scope, mode) {
        case (.hostedService, .selfHosted) where !declaresServiceEvidence(predicate):
            return [CheckOutcome(.notApplicable, "applies to hosted services; this model is self-hosted",
                pointer: "/predicate/hosting/mode")]
        case (.selfHosted, .managedService):
            return [CheckOutcome(.notApplicable, "applies to self-hosted weights; this is a hosted service",
                pointer: "/predicate/hosting/mode")]
        default: break
        }
        let evidence = countries(in: subject)
        switch evidence {
        case .notApplicable(let reason, let pointer):
            return [CheckOutcome(.notApplicable, reason, pointer: pointer)]
        case .notDeclared(let what, let pointer):
            return [.notDeclared(what, at: pointer, expected: countryList.expected)]
        case .found(let items):
            return items.map { item in
                if item.unevaluated { return CheckOutcome(.error, item.label, pointer: item.pointer) }
                let ok = countryList.allows(item.country)
                return CheckOutcome(
                    ok ? .pass : .fail,
                    "\(item.label) is in \(item.country)\(ok ? "" : ", which the policy does not allow")",
                    expected: countryList.expected, observed: item.country, pointer: item.pointer, path: item.path)
            }
        }
    }

    /// Whether a self-hosted manifest still declares what this role judges of a service — a provider, regions,
    /// governing law, data flows or stored data. Those are judged even under `scope: hosted-service`: a deployment
    /// that sends data somewhere is a service in that respect, whatever its mode says.
    func declaresServiceEvidence(_ predicate: ProvenancePredicate) -> Bool {
        let hosting = predicate.hosting
        switch role {
        case .host: return hosting.provider != nil
        case .hostingRegion: return !(hosting.regions ?? []).isEmpty
        case .governingLaw: return !(hosting.governingJurisdictions ?? []).isEmpty
        case .dataFlowRecipient: return !(hosting.dataFlows ?? []).isEmpty
        case .dataStorage: return predicate.dataRetention.contains { $0.collected }
        case .developer, .parent, .affiliation, .trainingCompute: return false
        }
    }

    struct Item {
        let label: String
        let country: String
        let pointer: String
        var path: [String]? = nil
        /// Evidence the rule could not look at (an ownership chain past `Party.maxOwnershipDepth`): an error.
        var unevaluated = false
    }

    /// The error item for an ownership chain cut after `party`.
    private static func unfollowedOwner(_ party: Party) -> Item {
        Item(label: party.unfollowedOwnerMessage, country: "", pointer: party.pointer + "/parent", unevaluated: true)
    }

    enum Evidence {
        case found([Item])
        case notDeclared(String, String)
        case notApplicable(String, String)
    }

    func countries(in subject: EvaluationSubject) -> Evidence {
        let p = subject.predicate
        let hosting = p.hosting
        let selfHosted = hosting.mode == .selfHosted
        switch role {
        case .developer:
            var items = [Item(label: "developer \(p.origin.developer.name)", country: p.origin.developer.country,
                pointer: "/predicate/origin/developer/country")]
            // A parent model's developer counts as a developer of this model's weights.
            for ancestor in subject.ancestors {
                guard let developer = ancestor.statement?.predicate.origin.developer else { continue }
                items.append(Item(label: "ancestor \(ancestor.path.last ?? "?") developer \(developer.name)",
                    country: developer.country, pointer: "/predicate/origin/developer/country", path: ancestor.path))
            }
            return .found(items)
        case .parent:
            let owners = subject.parties.filter { $0.role == .parent && ($0.relatedTo?.hasPrefix("developer") == true
                || $0.relatedTo?.hasPrefix("publisher") == true) }
            if owners.isEmpty {
                // Ownership must be declared: `independent: true` is a claim, silence is not.
                let declared = [p.origin.developer, p.origin.publisher].compactMap { $0 }
                    .allSatisfy { $0.independent == true }
                if declared {
                    return .notApplicable(
                        "the developer and publisher declare they are independent",
                        "/predicate/origin/developer/independent")
                }
                return .notDeclared(
                    "who owns the developer (parent, or independent: true)", "/predicate/origin/developer/parent")
            }
            return .found(owners.flatMap { party in
                let country = party.country.map { [Item(label: "parent company \(party.displayName)", country: $0,
                    pointer: party.pointer + "/country")] } ?? []
                return country + (party.hasUnfollowedOwner ? [Self.unfollowedOwner(party)] : [])
            })
        case .affiliation:
            if p.origin.developer.affiliations == nil {
                return .notDeclared("the developer's affiliations", "/predicate/origin/developer/affiliations")
            }
            let affiliations = subject.parties.filter { $0.role == .affiliation
                && ($0.pointer.hasPrefix("/predicate/origin/")) }
            // Owners past the limit may have affiliations no one saw.
            let cut = subject.parties.filter { $0.hasUnfollowedOwner && $0.pointer.hasPrefix("/predicate/origin/") }
            if affiliations.isEmpty && cut.isEmpty {
                return .notApplicable("no affiliations declared (an empty list)", "/predicate/origin/developer/affiliations")
            }
            return .found(affiliations.compactMap { party in
                party.country.map { Item(label: "\(party.relatedTo ?? "affiliation") \(party.displayName)", country: $0,
                    pointer: party.pointer + "/country") }
            } + cut.map(Self.unfollowedOwner))
        case .host:
            // A self-hosted manifest that names a provider anyway has it judged.
            if selfHosted && hosting.provider == nil {
                return .notApplicable("self-hosted: no hosting provider", "/predicate/hosting/mode")
            }
            guard let provider = hosting.provider else {
                return .notDeclared("the hosting provider", "/predicate/hosting/provider")
            }
            return .found([Item(label: "hosting provider \(provider.name)", country: provider.country,
                pointer: "/predicate/hosting/provider/country")])
        case .hostingRegion:
            if selfHosted && (hosting.regions ?? []).isEmpty {
                return .notApplicable("self-hosted: the deployer chooses the region", "/predicate/hosting/mode")
            }
            guard let regions = hosting.regions, !regions.isEmpty else {
                return .notDeclared("the hosting regions", "/predicate/hosting/regions")
            }
            return .found(regions.enumerated().map { index, region in
                Item(label: "hosting region \(region.name)", country: region.country,
                    pointer: "/predicate/hosting/regions/\(index)/country")
            })
        case .governingLaw:
            if selfHosted && (hosting.governingJurisdictions ?? []).isEmpty {
                return .notApplicable("self-hosted: no service terms govern the deployment", "/predicate/hosting/mode")
            }
            guard let law = hosting.governingJurisdictions, !law.isEmpty else {
                return .notDeclared("the governing jurisdictions", "/predicate/hosting/governingJurisdictions")
            }
            return .found(law.enumerated().map { index, country in
                Item(label: "the service's governing law", country: country,
                    pointer: "/predicate/hosting/governingJurisdictions/\(index)")
            })
        case .dataStorage:
            var items: [Item] = []
            for (index, term) in p.dataRetention.enumerated() where term.collected {
                if let categories, !categories.contains(term.category) { continue }
                guard let storage = term.storageCountries else {
                    return .notDeclared("where \(term.category.rawValue) are stored",
                        "/predicate/dataRetention/\(index)/storageCountries")
                }
                for (position, country) in storage.enumerated() {
                    items.append(Item(label: "\(term.category.rawValue) are stored", country: country,
                        pointer: "/predicate/dataRetention/\(index)/storageCountries/\(position)"))
                }
            }
            if items.isEmpty {
                if selfHosted || !p.dataRetention.isEmpty {
                    return .notApplicable("no collected data is stored by the provider", "/predicate/dataRetention")
                }
                return .notDeclared("data retention", "/predicate/dataRetention")
            }
            return .found(items)
        case .dataFlowRecipient:
            // Self-hosted weights that still send data somewhere (telemetry, updates) have those flows judged.
            if selfHosted && (hosting.dataFlows ?? []).isEmpty {
                return .notApplicable("self-hosted: no data flows declared", "/predicate/hosting/mode")
            }
            guard let flows = hosting.dataFlows else {
                return .notDeclared("the service's data flows", "/predicate/hosting/dataFlows")
            }
            var items: [Item] = []
            for (index, flow) in flows.enumerated() {
                if let categories, !categories.contains(flow.category) { continue }
                let base = "/predicate/hosting/dataFlows/\(index)"
                items.append(Item(
                    label: "the destination of \(flow.category.rawValue) sent to \(flow.recipient.name)",
                    country: flow.country, pointer: base + "/country"))
                items.append(Item(label: "\(flow.category.rawValue) recipient \(flow.recipient.name) (incorporated)",
                    country: flow.recipient.country, pointer: base + "/recipient/country"))
                var owner = flow.recipient.parent?.value
                var pointer = base + "/recipient/parent"
                var depth = 0
                while let current = owner {
                    guard depth < Party.maxOwnershipDepth else {
                        items.append(Item(
                            label: "the ownership chain of \(flow.category.rawValue) recipient \(flow.recipient.name) "
                                + "is longer than \(Party.maxOwnershipDepth) companies: its owners from "
                                + "\(current.name) up could not be evaluated",
                            country: "", pointer: pointer, unevaluated: true))
                        break
                    }
                    items.append(Item(label: "\(flow.category.rawValue) recipient's owner \(current.name)",
                        country: current.country, pointer: pointer + "/country"))
                    owner = current.parent?.value
                    pointer += "/parent"
                    depth += 1
                }
            }
            if items.isEmpty { return .notApplicable("no matching data flows", "/predicate/hosting/dataFlows") }
            return .found(items)
        case .trainingCompute:
            guard let compute = p.lineage.trainingCompute, !compute.isEmpty else {
                return .notDeclared("where the model was trained", "/predicate/lineage/trainingCompute")
            }
            return .found(compute.enumerated().map { index, item in
                Item(label: "training compute (\(item.accelerator))", country: item.country,
                    pointer: "/predicate/lineage/trainingCompute/\(index)/country")
            })
        }
    }
}
