import Foundation

/// Finds the retention term for a category and decides what its absence means.
enum RetentionEvidence {
    enum Lookup {
        /// The term and its position in `dataRetention`.
        case term(RetentionTerm, index: Int)
        case outcome(CheckOutcome)
    }

    static let collectedPointers = TermMemberPointers("collected")

    static func lookup(_ texts: CategoryTexts, in subject: EvaluationSubject) -> Lookup {
        let category = texts.category
        let terms = subject.predicate.dataRetention
        if let index = terms.firstIndex(where: { $0.category == category }) {
            return .term(terms[index], index: index)
        }
        // Self-hosted data stays with the deployer — unless the manifest declares a flow of that category
        // elsewhere, whose retention must then be declared.
        let flows = subject.predicate.hosting.dataFlows ?? []
        if subject.predicate.hosting.mode == .selfHosted && !flows.contains(where: { $0.category == category }) {
            return .outcome(CheckOutcome(.notApplicable, texts.staysWithDeployer, pointer: "/predicate/dataRetention"))
        }
        // `CheckOutcome.notDeclared("what happens to <category>", at: "/predicate/dataRetention")`, its text made once.
        return .outcome(CheckOutcome(
            .fail, texts.retentionNotDeclared, observed: "not declared", pointer: "/predicate/dataRetention"))
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

/// The pointers to one member of the first retention terms ("/predicate/dataRetention/0/collected", …), made once:
/// every retention rule points at them for every model, and a manifest declares a handful of terms.
struct TermMemberPointers: Sendable {
    let member: String
    private let first: [String]

    init(_ member: String) {
        self.member = member
        first = (0..<16).map { "/predicate/dataRetention/\($0)/\(member)" }
    }

    /// The pointer to the member of term `index`.
    func callAsFunction(_ index: Int) -> String {
        index < first.count ? first[index] : "/predicate/dataRetention/\(index)/\(member)"
    }
}

/// Texts about one data category that findings of every model repeat, made once per rule.
struct CategoryTexts: Sendable {
    let category: DataCategory
    /// "<category>: not collected".
    let notCollected: String
    /// "self-hosted: <category> stay with the deployer": a self-hosted model declares no term for most categories.
    let staysWithDeployer: String
    /// The message of `CheckOutcome.notDeclared` for "what happens to <category>".
    let retentionNotDeclared: String

    init(_ category: DataCategory) {
        self.category = category
        notCollected = "\(category.rawValue): not collected"
        staysWithDeployer = "self-hosted: \(category.rawValue) stay with the deployer"
        retentionNotDeclared = CheckOutcome.notDeclared("what happens to \(category.rawValue)", at: "").message
    }
}

/// `retention.max-days`: collected data of each listed category is kept no longer than its limit.
public struct RetentionMaxDays: PolicyCheck {
    public static let type = "retention.max-days"
    let limits: [(DataCategory, Int)]
    /// "at most N days" for each limit, in the order of `limits`: the same for every model.
    private let expectedTexts: [String]
    /// The texts of each limit's category, in the order of `limits`.
    private let categoryTexts: [CategoryTexts]
    private static let indefinitePointers = TermMemberPointers("indefinite")
    private static let retentionDaysPointers = TermMemberPointers("retentionDays")

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
        categoryTexts = limits.map { CategoryTexts($0.0) }
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
            switch RetentionEvidence.lookup(categoryTexts[position], in: subject) {
            case .outcome(let outcome): return outcome
            case .term(let term, let index):
                let expected = expectedTexts[position]
                guard term.collected else {
                    return CheckOutcome(.pass, categoryTexts[position].notCollected, expected: expected,
                        observed: "not collected", pointer: RetentionEvidence.collectedPointers(index))
                }
                if term.indefinite == true {
                    return CheckOutcome(.fail, "\(category.rawValue): retained indefinitely", expected: expected,
                        observed: "indefinite", pointer: Self.indefinitePointers(index))
                }
                guard let days = term.retentionDays else {
                    return .notDeclared("how long \(category.rawValue) are kept",
                        at: Self.retentionDaysPointers(index), expected: expected)
                }
                return CheckOutcome(
                    days <= maximum ? .pass : .fail, "\(category.rawValue): retained for \(days) days", expected: expected,
                    observed: "\(days) days", pointer: Self.retentionDaysPointers(index))
            }
        }
    }
}

/// Shared shape of the yes/no retention rules: a flag every collected category must have the right value of.
///
/// Everything its findings say that does not depend on the model (each category's messages for either value of
/// the flag, the observed texts, the pointers to the flag) is made once, with the rule.
struct RetentionFlagRule: Sendable {
    let categories: [DataCategory]
    /// The flag's member name in a retention term, e.g. `usedForTraining`.
    let member: String
    /// The value every collected category must have.
    let want: Bool
    let expected: String
    /// For each category, in order: its texts and the messages for the flag false and true.
    private let texts: [(category: CategoryTexts, whenFalse: String, whenTrue: String)]
    /// "<member>: false" and "<member>: true".
    private let observedFalse: String, observedTrue: String
    private let memberPointers: TermMemberPointers

    init(
        categories: [DataCategory], member: String, want: Bool, expected: String,
        describe: (DataCategory, Bool) -> String
    ) {
        self.categories = categories
        self.member = member
        self.want = want
        self.expected = expected
        texts = categories.map { (CategoryTexts($0), describe($0, false), describe($0, true)) }
        observedFalse = "\(member): false"
        observedTrue = "\(member): true"
        memberPointers = TermMemberPointers(member)
    }

    func evaluate(_ subject: EvaluationSubject, flag: (RetentionTerm) -> Bool?) -> [CheckOutcome] {
        texts.map { entry in
            let category = entry.category.category
            switch RetentionEvidence.lookup(entry.category, in: subject) {
            case .outcome(let outcome): return outcome
            case .term(let term, let index):
                guard term.collected else {
                    return CheckOutcome(.pass, entry.category.notCollected, expected: expected,
                        observed: "not collected", pointer: RetentionEvidence.collectedPointers(index))
                }
                guard let value = flag(term) else {
                    return .notDeclared("\(member) for \(category.rawValue)", at: memberPointers(index),
                        expected: expected)
                }
                return CheckOutcome(
                    value == want ? .pass : .fail, value ? entry.whenTrue : entry.whenFalse, expected: expected,
                    observed: value ? observedTrue : observedFalse, pointer: memberPointers(index))
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
        rule = RetentionFlagRule(
            categories: categories, member: "usedForTraining", want: false, expected: "usedForTraining: false",
            describe: { "\($0.rawValue): \($1 ? "used" : "not used") for training" })
    }

    public var ineffectiveParameters: [IneffectiveParameter] { RetentionEvidence.ineffective(rule.categories) }

    public func evaluate(_ subject: EvaluationSubject) -> [CheckOutcome] {
        rule.evaluate(subject, flag: \.usedForTraining)
    }
}

/// `retention.deletion-on-request`: customers can have data of the listed categories deleted.
public struct RetentionDeletionOnRequest: PolicyCheck {
    public static let type = "retention.deletion-on-request"
    let rule: RetentionFlagRule

    public init?(parameters: ObjectReader, context: PolicyParseContext) {
        guard let categories = RetentionEvidence.categories(parameters) else { return nil }
        rule = RetentionFlagRule(
            categories: categories, member: "deletionOnRequest", want: true, expected: "deletionOnRequest: true",
            describe: { "\($0.rawValue): \($1 ? "" : "not ")deleted on request" })
    }

    public var ineffectiveParameters: [IneffectiveParameter] { RetentionEvidence.ineffective(rule.categories) }

    public func evaluate(_ subject: EvaluationSubject) -> [CheckOutcome] {
        rule.evaluate(subject, flag: \.deletionOnRequest)
    }
}

/// `retention.forbidden-collection`: the listed categories (e.g. keystrokes, audio) are not collected at all.
public struct RetentionForbiddenCollection: PolicyCheck {
    public static let type = "retention.forbidden-collection"
    let categories: [DataCategory]
    /// For each category, in order: its texts and "<category>: collected".
    private let texts: [(category: CategoryTexts, collected: String)]

    public init?(parameters: ObjectReader, context: PolicyParseContext) {
        guard let categories = RetentionEvidence.categories(parameters) else { return nil }
        self.categories = categories
        texts = categories.map { (CategoryTexts($0), "\($0.rawValue): collected") }
    }

    public var ineffectiveParameters: [IneffectiveParameter] { RetentionEvidence.ineffective(categories) }

    public func evaluate(_ subject: EvaluationSubject) -> [CheckOutcome] {
        texts.map { entry in
            switch RetentionEvidence.lookup(entry.category, in: subject) {
            case .outcome(let outcome): return outcome
            case .term(let term, let index):
                return CheckOutcome(
                    term.collected ? .fail : .pass, term.collected ? entry.collected : entry.category.notCollected,
                    expected: "collected: false", observed: term.collected ? "collected: true" : "collected: false",
                    pointer: RetentionEvidence.collectedPointers(index))
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
