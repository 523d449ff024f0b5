import Foundation

/// Finds the retention term for a category and decides what its absence means.
enum RetentionEvidence {
    enum Lookup {
        case term(RetentionTerm, pointer: String)
        case outcome(CheckOutcome)
    }

    static func lookup(_ category: DataCategory, in subject: EvaluationSubject) -> Lookup {
        let terms = subject.predicate.dataRetention
        if let index = terms.firstIndex(where: { $0.category == category }) {
            return .term(terms[index], pointer: "/predicate/dataRetention/\(index)")
        }
        // Self-hosted data stays with the deployer — unless the manifest declares a flow of that category
        // elsewhere, whose retention must then be declared.
        let flows = subject.predicate.hosting.dataFlows ?? []
        if subject.predicate.hosting.mode == .selfHosted && !flows.contains(where: { $0.category == category }) {
            return .outcome(CheckOutcome(
                .notApplicable, "self-hosted: \(category.rawValue) stay with the deployer",
                pointer: "/predicate/dataRetention"))
        }
        return .outcome(.notDeclared("what happens to \(category.rawValue)", at: "/predicate/dataRetention"))
    }

    static func categories(_ r: ObjectReader) -> [DataCategory]? {
        r.enumerations("categories", DataCategory.self)
    }

    /// An empty category list checks nothing: every model would pass.
    static func ineffective(_ categories: [DataCategory]) -> [IneffectiveParameter] {
        guard categories.isEmpty else { return [] }
        return [IneffectiveParameter(
            "categories", "is empty, so no data category is checked and every model passes",
            fix: "list the data categories to check, e.g. [prompts, outputs]")]
    }
}

/// `retention.max-days`: collected data of each listed category is kept no longer than its limit.
public struct RetentionMaxDays: PolicyCheck {
    public static let type = "retention.max-days"
    let limits: [(DataCategory, Int)]
    /// "at most N days" for each limit, in the order of `limits`: the same for every model.
    private let expectedTexts: [String]

    public init?(parameters: ObjectReader, context: PolicyParseContext) {
        guard let object = parameters.object("limits") else { return nil }
        var limits: [(DataCategory, Int)] = []
        for key in object.object.keys {
            guard let category = DataCategory(rawValue: key) else {
                let allowed = DataCategory.allCases.map(\.rawValue).joined(separator: ", ")
                object.log.add(object.path(key), "\"\(key)\" is not a data category (\(allowed))")
                _ = object.value(key, required: false)
                continue
            }
            // Any whole number is read, so that a negative or absurd limit is refused with the rule's id and a fix.
            if let days = object.integer(key, in: Int.min...Int.max) { limits.append((category, days)) }
        }
        object.finish()
        if limits.isEmpty && object.object.isEmpty { parameters.log.add(parameters.path("limits"), "give at least one limit") }
        self.limits = limits
        expectedTexts = limits.map { "at most \($0.1) days" }
    }

    /// The longest limit that still limits anything: beyond ten years a retention limit passes every finite term.
    static let longestMeaningfulDays = 3_650

    public var ineffectiveParameters: [IneffectiveParameter] {
        limits.compactMap { category, days in
            if days < 0 {
                return IneffectiveParameter(
                    "limits/\(category.rawValue)", "is \(days): a negative number of days no retention can meet",
                    fix: "give the longest retention allowed, in days (0 for none)")
            }
            if days > Self.longestMeaningfulDays {
                return IneffectiveParameter(
                    "limits/\(category.rawValue)", "is \(days) days: more than \(Self.longestMeaningfulDays) (ten "
                        + "years) limits nothing a manifest declares",
                    fix: "give a limit of at most \(Self.longestMeaningfulDays) days, or leave the category out")
            }
            return nil
        }
    }

    public func evaluate(_ subject: EvaluationSubject) -> [CheckOutcome] {
        limits.indices.map { position in
            let (category, maximum) = limits[position]
            switch RetentionEvidence.lookup(category, in: subject) {
            case .outcome(let outcome): return outcome
            case .term(let term, let pointer):
                let expected = expectedTexts[position]
                guard term.collected else {
                    return CheckOutcome(.pass, "\(category.rawValue): not collected", expected: expected,
                        observed: "not collected", pointer: pointer + "/collected")
                }
                if term.indefinite == true {
                    return CheckOutcome(.fail, "\(category.rawValue): retained indefinitely", expected: expected,
                        observed: "indefinite", pointer: pointer + "/indefinite")
                }
                guard let days = term.retentionDays else {
                    return .notDeclared("how long \(category.rawValue) are kept", at: pointer + "/retentionDays",
                        expected: expected)
                }
                return CheckOutcome(
                    days <= maximum ? .pass : .fail, "\(category.rawValue): retained for \(days) days", expected: expected,
                    observed: "\(days) days", pointer: pointer + "/retentionDays")
            }
        }
    }
}

/// Shared shape of the yes/no retention rules: a flag every collected category must have the right value of.
struct RetentionFlagRule {
    let categories: [DataCategory]

    func evaluate(
        _ subject: EvaluationSubject, member: String, flag: (RetentionTerm) -> Bool?, want: Bool,
        describe: (DataCategory, Bool) -> String, expected: String
    ) -> [CheckOutcome] {
        categories.map { category in
            switch RetentionEvidence.lookup(category, in: subject) {
            case .outcome(let outcome): return outcome
            case .term(let term, let pointer):
                guard term.collected else {
                    return CheckOutcome(.pass, "\(category.rawValue): not collected", expected: expected,
                        observed: "not collected", pointer: pointer + "/collected")
                }
                guard let value = flag(term) else {
                    return .notDeclared("\(member) for \(category.rawValue)", at: pointer + "/\(member)",
                        expected: expected)
                }
                return CheckOutcome(
                    value == want ? .pass : .fail, describe(category, value), expected: expected,
                    observed: "\(member): \(value)", pointer: pointer + "/\(member)")
            }
        }
    }
}

/// `retention.no-training`: customer data of the listed categories is never used to train models.
public struct RetentionNoTraining: PolicyCheck {
    public static let type = "retention.no-training"
    let rule: RetentionFlagRule

    public init?(parameters: ObjectReader, context: PolicyParseContext) {
        guard let categories = RetentionEvidence.categories(parameters) else { return nil }
        rule = RetentionFlagRule(categories: categories)
    }

    public var ineffectiveParameters: [IneffectiveParameter] { RetentionEvidence.ineffective(rule.categories) }

    public func evaluate(_ subject: EvaluationSubject) -> [CheckOutcome] {
        rule.evaluate(
            subject, member: "usedForTraining", flag: \.usedForTraining, want: false,
            describe: { "\($0.rawValue): \($1 ? "used" : "not used") for training" },
            expected: "usedForTraining: false")
    }
}

/// `retention.deletion-on-request`: customers can have data of the listed categories deleted.
public struct RetentionDeletionOnRequest: PolicyCheck {
    public static let type = "retention.deletion-on-request"
    let rule: RetentionFlagRule

    public init?(parameters: ObjectReader, context: PolicyParseContext) {
        guard let categories = RetentionEvidence.categories(parameters) else { return nil }
        rule = RetentionFlagRule(categories: categories)
    }

    public var ineffectiveParameters: [IneffectiveParameter] { RetentionEvidence.ineffective(rule.categories) }

    public func evaluate(_ subject: EvaluationSubject) -> [CheckOutcome] {
        rule.evaluate(
            subject, member: "deletionOnRequest", flag: \.deletionOnRequest, want: true,
            describe: { "\($0.rawValue): \($1 ? "" : "not ")deleted on request" },
            expected: "deletionOnRequest: true")
    }
}

/// `retention.forbidden-collection`: the listed categories (e.g. keystrokes, audio) are not collected at all.
public struct RetentionForbiddenCollection: PolicyCheck {
    public static let type = "retention.forbidden-collection"
    let categories: [DataCategory]

    public init?(parameters: ObjectReader, context: PolicyParseContext) {
        guard let categories = RetentionEvidence.categories(parameters) else { return nil }
        self.categories = categories
    }

    public var ineffectiveParameters: [IneffectiveParameter] { RetentionEvidence.ineffective(categories) }

    public func evaluate(_ subject: EvaluationSubject) -> [CheckOutcome] {
        categories.map { category in
            switch RetentionEvidence.lookup(category, in: subject) {
            case .outcome(let outcome): return outcome
            case .term(let term, let pointer):
                return CheckOutcome(
                    term.collected ? .fail : .pass,
                    "\(category.rawValue): \(term.collected ? "collected" : "not collected")",
                    expected: "collected: false", observed: "collected: \(term.collected)",
                    pointer: pointer + "/collected")
            }
        }
    }
}

/// `retention.storage-countries`: collected data is stored only in allowed (or not in denied) countries.
public struct RetentionStorageCountries: PolicyCheck {
    public static let type = "retention.storage-countries"
    let check: JurisdictionCheck

    public init?(parameters: ObjectReader, context: PolicyParseContext) {
        let lists = parameters.countryLists()
        let categories = parameters.enumerations("categories", DataCategory.self, required: false).map(Set.init)
        guard lists.allow != nil || lists.deny != nil else { return nil }
        check = JurisdictionCheck(
            role: .dataStorage, allow: lists.allow, deny: lists.deny, scope: .any, categories: categories)
    }

    public var ineffectiveParameters: [IneffectiveParameter] { check.ineffectiveParameters }

    public func evaluate(_ subject: EvaluationSubject) -> [CheckOutcome] { check.evaluate(subject) }
}
