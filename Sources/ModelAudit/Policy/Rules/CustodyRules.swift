import Foundation

/// `custody.required`: an unbroken, verified chain from the developer or publisher to a deployer.
public struct CustodyRequired: PolicyCheck {
    public static let type = "custody.required"
    let firstRoles: [TrustRole]
    let lastRoles: [TrustRole]

    public init?(parameters: ObjectReader, context: PolicyParseContext) {
        firstRoles = parameters.enumerations("fromRoles", TrustRole.self, required: false) ?? [.developer, .publisher]
        lastRoles = parameters.enumerations("toRoles", TrustRole.self, required: false) ?? [.deployer]
    }

    public func evaluate(_ subject: EvaluationSubject) -> [CheckOutcome] {
        guard let custody = subject.custody else {
            return [.notDeclared("a chain of custody", at: "/custody",
                expected: "custody records from \(names(firstRoles)) to \(names(lastRoles))")]
        }
        var outcomes: [CheckOutcome] = []
        if !custody.intact {
            outcomes.append(CheckOutcome(
                .fail, "the chain of custody is broken (\(custody.problems.count) problem(s), see integrity.custody)",
                expected: "an unbroken chain", observed: "\(custody.problems.count) problem(s)", pointer: "/custody"))
        }
        guard let first = custody.chain.first, let last = custody.chain.last else {
            outcomes.append(CheckOutcome(.fail, "no custody record is chained to this manifest", pointer: "/custody"))
            return outcomes
        }
        let startsRight = first.statement.predicate.action == .published
            && !Set(first.signerRoles).isDisjoint(with: firstRoles)
        outcomes.append(CheckOutcome(
            startsRight ? .pass : .fail,
            "the first hop is \(first.statement.predicate.action.rawValue) by \(first.signerOwner) "
                + "(roles: \(names(first.signerRoles)))",
            expected: "published, signed by \(names(firstRoles))", observed: first.statement.predicate.action.rawValue,
            pointer: "/custody/\(first.line)"))
        let endsRight = last.statement.predicate.action == .deployed && !Set(last.signerRoles).isDisjoint(with: lastRoles)
        outcomes.append(CheckOutcome(
            endsRight ? .pass : .fail,
            "the last hop is \(last.statement.predicate.action.rawValue) by \(last.signerOwner) "
                + "(roles: \(names(last.signerRoles)))",
            expected: "deployed, signed by \(names(lastRoles))", observed: last.statement.predicate.action.rawValue,
            pointer: "/custody/\(last.line)"))
        return outcomes
    }

    private func names(_ roles: [TrustRole]) -> String { roles.map(\.rawValue).joined(separator: "/") }
}

/// `custody.authorized-roles`: each hop is signed by a key whose role the policy authorises for its action.
public struct CustodyAuthorizedRoles: PolicyCheck {
    public static let type = "custody.authorized-roles"
    let roles: [CustodyAction: Set<TrustRole>]
    /// What a hop of each action expects, as findings show it: built once, not for every hop of every model.
    private let expected: [CustodyAction: String]

    public init?(parameters: ObjectReader, context: PolicyParseContext) {
        guard let actions = parameters.object("actions") else { return nil }
        var roles: [CustodyAction: Set<TrustRole>] = [:]
        for key in actions.object.keys {
            guard let action = CustodyAction(rawValue: key) else {
                let allowed = CustodyAction.allCases.map(\.rawValue).joined(separator: ", ")
                actions.log.add(actions.path(key), "\"\(key)\" is not a custody action (\(allowed))")
                _ = actions.value(key, required: false)
                continue
            }
            if let list = actions.enumerations(key, TrustRole.self) { roles[action] = Set(list) }
        }
        actions.finish()
        self.roles = roles
        var expected: [CustodyAction: String] = [:]
        for action in CustodyAction.allCases {
            let allowed = roles[action] ?? []
            expected[action] = allowed.isEmpty
                ? "no role is authorised for \(action.rawValue)"
                : allowed.map(\.rawValue).sorted().joined(separator: "/")
        }
        self.expected = expected
    }

    public var ineffectiveParameters: [IneffectiveParameter] {
        roles.filter { $0.value == Set(TrustRole.allCases) }.keys.map(\.rawValue).sorted().map { action in
            IneffectiveParameter(
                "actions/\(action)", "lists every role, so any trusted key may sign a \(action) hop",
                fix: "list only the roles that may perform it")
        }
    }

    public func evaluate(_ subject: EvaluationSubject) -> [CheckOutcome] {
        guard let custody = subject.custody else {
            return [CheckOutcome(.notApplicable, "no custody records were given", pointer: "/custody")]
        }
        return custody.chain.map { record in
            let action = record.statement.predicate.action
            let allowed = roles[action] ?? []
            let ok = !allowed.isDisjoint(with: record.signerRoles)
            return CheckOutcome(
                ok ? .pass : .fail,
                "\(action.rawValue) by \(record.signerOwner) "
                    + "(roles: \(record.signerRoles.map(\.rawValue).joined(separator: ", ")))",
                expected: expected[action] ?? "", observed: record.signerRoles.map(\.rawValue).joined(separator: ", "),
                pointer: "/custody/\(record.line)")
        }
    }
}

/// `custody.hop-countries`: every custody hop takes place in an allowed (or not denied) country.
public struct CustodyHopCountries: PolicyCheck {
    public static let type = "custody.hop-countries"
    let countries: CountryListVerdict
    var allow: Set<String>? { countries.allow }

    public init?(parameters: ObjectReader, context: PolicyParseContext) {
        let lists = parameters.countryLists()
        guard lists.allow != nil || lists.deny != nil else { return nil }
        countries = CountryListVerdict(allow: lists.allow, deny: lists.deny)
    }

    public var ineffectiveParameters: [IneffectiveParameter] {
        guard let allow, allow.isSuperset(of: CountryCode.all) else { return [] }
        return [IneffectiveParameter(
            "allow", "lists every country, so no hop can fail it",
            fix: "list only the allowed countries, or use deny for the countries of concern")]
    }

    public func evaluate(_ subject: EvaluationSubject) -> [CheckOutcome] {
        guard let custody = subject.custody else {
            return [CheckOutcome(.notApplicable, "no custody records were given", pointer: "/custody")]
        }
        return custody.chain.map { record in
            let p = record.statement.predicate
            return CheckOutcome(
                countries.allows(p.country) ? .pass : .fail,
                "\(p.action.rawValue) by \(record.signerOwner) took place in \(p.country)", expected: countries.expected, observed: p.country, pointer: "/custody/\(record.line)")
        }
    }
}
