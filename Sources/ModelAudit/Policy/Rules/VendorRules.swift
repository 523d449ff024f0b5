import Foundation

/// A vendor as a policy names it: a name and the aliases it trades under.
///
/// Names compare as in screening (`ScreeningName`): invisible characters are ignored, and a deny list also
/// catches a name spelled with look-alike letters from other scripts. An allow list never approves a
/// look-alike: "Асme" with a Cyrillic "А" is not the approved "Acme".
struct VendorEntry: Sendable {
    let name: String
    let names: [ScreeningName]

    static func read(_ r: ObjectReader) -> VendorEntry? {
        let name = r.string("name")
        let aliases = r.strings("aliases", required: false) ?? []
        r.finish()
        guard let name else { return nil }
        let names = ([name] + aliases).map(ScreeningName.init).filter { !$0.normalized.isEmpty }
        return VendorEntry(name: name, names: names)
    }

    /// True when a name of `party` is spelled as a name of this vendor (readable normal forms agree).
    func matches(_ party: Party) -> Bool {
        party.names.map(ScreeningName.init).contains { name in names.contains { $0.isSpelledLike(name) } }
    }

    /// True when a name of `party` is this vendor's or looks like it (confusable skeletons agree).
    func resembles(_ party: Party) -> Bool {
        party.names.map(ScreeningName.init).contains { name in names.contains { $0.matches(name) } }
    }
}

/// The parties a vendor rule looks at.
enum VendorSubject: String, CaseIterable {
    case developer, publisher, host

    var role: PartyRole {
        switch self {
        case .developer: return .developer
        case .publisher: return .publisher
        case .host: return .host
        }
    }
}

/// Shared reading and evaluation of the allow- and deny-list rules.
struct VendorList {
    let subjects: [VendorSubject]
    let entries: [VendorEntry]

    init?(_ r: ObjectReader) {
        let subjects = r.enumerations("subjects", VendorSubject.self)
        let entries = r.objects("vendors") { VendorEntry.read($0) }
        guard let subjects, !subjects.isEmpty, let entries else { return nil }
        if entries.isEmpty { r.log.add(r.path("vendors"), "list at least one vendor") }
        self.subjects = subjects
        self.entries = entries
    }

    func evaluate(_ subject: EvaluationSubject, allow: Bool) -> [CheckOutcome] {
        let parties = subject.parties
        var outcomes: [CheckOutcome] = []
        for kind in subjects {
            let pointer: String
            switch kind {
            case .developer: pointer = "/predicate/origin/developer"
            case .publisher: pointer = "/predicate/origin/publisher"
            case .host: pointer = "/predicate/hosting/provider"
            }
            guard let party = parties.first(where: { $0.role == kind.role }) else {
                if kind == .host && subject.predicate.hosting.mode == .selfHosted {
                    outcomes.append(CheckOutcome(.notApplicable, "self-hosted: no hosting provider", pointer: pointer))
                } else {
                    outcomes.append(.notDeclared("the \(kind.rawValue)", at: pointer))
                }
                continue
            }
            let listed = entries.map(\.name).joined(separator: ", ")
            if allow {
                let match = entries.first { $0.matches(party) }
                let lookAlike = match == nil ? entries.first { $0.resembles(party) } : nil
                outcomes.append(
                    CheckOutcome(
                        match != nil ? .pass : .fail,
                        match.map { "\(kind.rawValue) \(party.displayName) is approved as \($0.name)" }
                            ?? lookAlike.map {
                                "\(kind.rawValue) \(party.displayName) is not an approved vendor: it only looks like "
                                    + "\($0.name), with look-alike characters"
                            }
                            ?? "\(kind.rawValue) \(party.displayName) is not an approved vendor",
                        expected: "one of: \(listed)", observed: party.names.joined(separator: " / "), pointer: pointer))
            } else {
                let match = entries.first { $0.resembles(party) }
                outcomes.append(
                    CheckOutcome(
                        match == nil ? .pass : .fail,
                        match.map { "\(kind.rawValue) \(party.displayName) is a denied vendor (\($0.name))" }
                            ?? "\(kind.rawValue) \(party.displayName) is not on the deny list",
                        expected: "none of: \(listed)", observed: party.names.joined(separator: " / "), pointer: pointer))
            }
            // A denied developer anywhere in the verified ancestry fails the model too.
            if !allow && kind == .developer {
                for ancestor in subject.ancestors {
                    guard let developer = ancestor.statement?.predicate.parties().first(where: { $0.role == .developer })
                    else { continue }
                    let match = entries.first { $0.resembles(developer) }
                    outcomes.append(
                        CheckOutcome(
                            match == nil ? .pass : .fail,
                            "ancestor \(ancestor.path.joined(separator: " ← ")) was developed by "
                                + "\(developer.displayName)\(match.map { ", a denied vendor (\($0.name))" } ?? "")",
                            expected: "none of: \(entries.map(\.name).joined(separator: ", "))",
                            observed: developer.names.joined(separator: " / "), pointer: "/predicate/lineage/parents",
                            path: ancestor.path))
                }
            }
        }
        return outcomes
    }
}

/// `vendors.allow`: the developer/publisher/host must be an approved vendor (by name or alias).
public struct VendorAllowList: PolicyCheck {
    public static let type = "vendors.allow"
    let list: VendorList

    public init?(parameters: ObjectReader, context: PolicyParseContext) {
        guard let list = VendorList(parameters) else { return nil }
        self.list = list
    }

    public func evaluate(_ subject: EvaluationSubject) -> [CheckOutcome] { list.evaluate(subject, allow: true) }
}

/// `vendors.deny`: the developer/publisher/host must not be a denied vendor (by name or alias).
public struct VendorDenyList: PolicyCheck {
    public static let type = "vendors.deny"
    let list: VendorList

    public init?(parameters: ObjectReader, context: PolicyParseContext) {
        guard let list = VendorList(parameters) else { return nil }
        self.list = list
    }

    /// A deny entry that names nobody after normalisation can never match.
    public var ineffectiveParameters: [IneffectiveParameter] {
        list.entries.enumerated().filter { $0.element.names.isEmpty }.map { index, entry in
            IneffectiveParameter(
                "vendors/\(index)/name", "\"\(entry.name)\" names no vendor once punctuation and legal forms are "
                    + "removed, so it can never match", fix: "give the vendor's name (and aliases), e.g. \"Acme AI\"")
        }
    }

    public func evaluate(_ subject: EvaluationSubject) -> [CheckOutcome] { list.evaluate(subject, allow: false) }
}
