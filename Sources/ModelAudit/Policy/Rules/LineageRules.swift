import Foundation

/// `lineage.forbidden-relations`: the model was not derived from a parent by a forbidden relation.
public struct LineageForbiddenRelations: PolicyCheck {
    public static let type = "lineage.forbidden-relations"
    let relations: Set<LineageRelation>

    public init?(parameters: ObjectReader, context: PolicyParseContext) {
        guard let relations = parameters.enumerations("relations", LineageRelation.self), !relations.isEmpty else {
            return nil
        }
        self.relations = Set(relations)
    }

    public func evaluate(_ subject: EvaluationSubject) -> [CheckOutcome] {
        let parents = subject.predicate.lineage.parents
        guard !parents.isEmpty else {
            return [CheckOutcome(.pass, "a base model: no parents", pointer: "/predicate/lineage/parents")]
        }
        let forbidden = relations.map(\.rawValue).sorted().joined(separator: ", ")
        return parents.enumerated().map { index, parent in
            CheckOutcome(
                relations.contains(parent.relation) ? .fail : .pass,
                "derived from \(parent.name) by \(parent.relation.rawValue)", expected: "none of \(forbidden)",
                observed: parent.relation.rawValue, pointer: "/predicate/lineage/parents/\(index)/relation")
        }
    }
}

/// `lineage.dataset-licenses`: every training data set is under an allowed licence.
public struct LineageDatasetLicenses: PolicyCheck {
    public static let type = "lineage.dataset-licenses"
    let allowed: Set<String>

    public init?(parameters: ObjectReader, context: PolicyParseContext) {
        guard let allowed = parameters.strings("allowed"), !allowed.isEmpty else { return nil }
        self.allowed = Set(allowed.map { $0.lowercased() })
    }

    public func evaluate(_ subject: EvaluationSubject) -> [CheckOutcome] {
        guard let datasets = subject.predicate.lineage.datasets else {
            return [.notDeclared("the training data sets", at: "/predicate/lineage/datasets")]
        }
        if datasets.isEmpty {
            return [CheckOutcome(.pass, "no training data sets declared (an empty list)",
                pointer: "/predicate/lineage/datasets")]
        }
        let expected = "one of \(allowed.sorted().joined(separator: ", "))"
        return datasets.enumerated().map { index, dataset in
            CheckOutcome(
                allowed.contains(dataset.license.lowercased()) ? .pass : .fail,
                "data set \(dataset.name) is licensed \(dataset.license)", expected: expected,
                observed: dataset.license, pointer: "/predicate/lineage/datasets/\(index)/license")
        }
    }
}

/// `lineage.personal-data`: training sets with personal data must state a lawful basis (or are refused outright).
public struct LineagePersonalData: PolicyCheck {
    public static let type = "lineage.personal-data"
    let allowWithLawfulBasis: Bool

    public init?(parameters: ObjectReader, context: PolicyParseContext) {
        allowWithLawfulBasis = parameters.bool("allowWithLawfulBasis", required: false) ?? true
    }

    public func evaluate(_ subject: EvaluationSubject) -> [CheckOutcome] {
        guard let datasets = subject.predicate.lineage.datasets else {
            return [.notDeclared("the training data sets", at: "/predicate/lineage/datasets")]
        }
        let expected = allowWithLawfulBasis ? "no personal data, or a declared lawful basis" : "no personal data"
        if datasets.isEmpty {
            return [CheckOutcome(.pass, "no training data sets declared (an empty list)",
                expected: expected, pointer: "/predicate/lineage/datasets")]
        }
        return datasets.enumerated().map { index, dataset in
            let pointer = "/predicate/lineage/datasets/\(index)"
            guard dataset.personalData else {
                return CheckOutcome(.pass, "data set \(dataset.name) holds no personal data", expected: expected,
                    observed: "personalData: false", pointer: pointer + "/personalData")
            }
            if allowWithLawfulBasis, let basis = dataset.lawfulBasis {
                return CheckOutcome(.pass, "data set \(dataset.name) holds personal data under \(basis)",
                    expected: expected, observed: basis, pointer: pointer + "/lawfulBasis")
            }
            return CheckOutcome(
                .fail, "data set \(dataset.name) holds personal data"
                    + (allowWithLawfulBasis ? " with no lawful basis declared" : ""),
                expected: expected, observed: "personalData: true", pointer: pointer + "/personalData")
        }
    }
}

/// `lineage.distillation-terms`: every distillation teacher's terms permit training on its outputs.
public struct LineageDistillationTerms: PolicyCheck {
    public static let type = "lineage.distillation-terms"

    public init?(parameters: ObjectReader, context: PolicyParseContext) {}

    public func evaluate(_ subject: EvaluationSubject) -> [CheckOutcome] {
        let lineage = subject.predicate.lineage
        guard let teachers = lineage.distillationSources else {
            if lineage.parents.contains(where: { $0.relation == .distillation }) {
                return [.notDeclared("the distillation sources of a distilled model",
                    at: "/predicate/lineage/distillationSources")]
            }
            return [CheckOutcome(.notApplicable, "not a distilled model", pointer: "/predicate/lineage")]
        }
        if teachers.isEmpty {
            // A model distilled from a parent names no teacher: the terms it was distilled under are unknown.
            if let index = lineage.parents.firstIndex(where: { $0.relation == .distillation }) {
                return [CheckOutcome(
                    .fail, "parent \(lineage.parents[index].name) is a distillation, but no distillation source is "
                        + "declared; absence of evidence is not compliance",
                    expected: "the teacher and whether its terms permit distillation", observed: "an empty list",
                    pointer: "/predicate/lineage/distillationSources")]
            }
            return [CheckOutcome(.pass, "no distillation sources (an empty list)",
                pointer: "/predicate/lineage/distillationSources")]
        }
        return teachers.enumerated().map { index, teacher in
            CheckOutcome(
                teacher.termsPermitDistillation ? .pass : .fail,
                "distilled from \(teacher.model) by \(teacher.developer.name), whose terms "
                    + (teacher.termsPermitDistillation ? "permit it" : "forbid it"),
                expected: "termsPermitDistillation: true", observed: "\(teacher.termsPermitDistillation)",
                pointer: "/predicate/lineage/distillationSources/\(index)/termsPermitDistillation")
        }
    }
}

/// `lineage.parents-signed`: every parent is referenced by the digest of its signed manifest.
///
/// This checks the reference only; following the references into a store of manifests and verifying each
/// ancestor is the lineage resolver's job.
public struct LineageParentsSigned: PolicyCheck {
    public static let type = "lineage.parents-signed"

    public init?(parameters: ObjectReader, context: PolicyParseContext) {}

    public func evaluate(_ subject: EvaluationSubject) -> [CheckOutcome] {
        let parents = subject.predicate.lineage.parents
        guard !parents.isEmpty else {
            return [CheckOutcome(.pass, "a base model: no parents", pointer: "/predicate/lineage/parents")]
        }
        return parents.enumerated().map { index, parent in
            let pointer = "/predicate/lineage/parents/\(index)/manifestDigest"
            guard let digest = parent.manifestDigest else {
                return CheckOutcome(
                    .fail, "parent \(parent.name) has no signed manifest: hidden lineage",
                    expected: "the sha256 of the parent's signed manifest", observed: "not declared", pointer: pointer)
            }
            return CheckOutcome(.pass, "parent \(parent.name) is referenced by its signed manifest",
                observed: "sha256:\(digest.sha256)", pointer: pointer)
        }
    }
}

/// `lineage.ancestors-verified`: every ancestor, followed through the manifest store, is signed by a trusted key.
///
/// A parent that is named but cannot be found, is unsigned, untrusted, does not match the digest its child names,
/// or closes a cycle fails with the path from the model to it. Without a store (`--store`) no ancestor can be
/// verified, and the rule fails for every parent. A manifest reached by several paths is judged once, on the first
/// (its repeats carry the same status).
public struct LineageAncestorsVerified: PolicyCheck {
    public static let type = "lineage.ancestors-verified"

    public init?(parameters: ObjectReader, context: PolicyParseContext) {}

    public func evaluate(_ subject: EvaluationSubject) -> [CheckOutcome] {
        guard let lineage = subject.lineage else {
            return [CheckOutcome(.error, "lineage was not resolved", pointer: "/predicate/lineage/parents")]
        }
        if lineage.links.isEmpty {
            return [CheckOutcome(.pass, "a base model: no ancestors", pointer: "/predicate/lineage/parents")]
        }
        return lineage.reported.map { link in
            let trail = link.path.joined(separator: " ← ")
            let ok = link.status == .verified
            return CheckOutcome(
                ok ? .pass : .fail,
                ok ? "\(trail): verified" : "unverified ancestor \(trail): \(link.status.rawValue) — \(link.detail)",
                expected: "a signed manifest by a trusted key", observed: link.status.rawValue,
                pointer: link.depth == 1 ? link.pointer : "/predicate/lineage/parents", path: link.path)
        }
    }
}

/// `lineage.max-depth`: the ancestry is no deeper than `maxDepth` generations, along its longest chain.
public struct LineageMaxDepth: PolicyCheck {
    public static let type = "lineage.max-depth"
    let maxDepth: Int

    public init?(parameters: ObjectReader, context: PolicyParseContext) {
        guard let maxDepth = parameters.integer("maxDepth", in: 0...LineageResolver.generationLimit) else { return nil }
        self.maxDepth = maxDepth
    }

    public func evaluate(_ subject: EvaluationSubject) -> [CheckOutcome] {
        guard let lineage = subject.lineage else {
            return [CheckOutcome(.error, "lineage was not resolved", pointer: "/predicate/lineage/parents")]
        }
        let depth = lineage.depth
        return [CheckOutcome(
            depth <= maxDepth ? .pass : .fail, "the ancestry is \(depth) generation(s) deep",
            expected: "at most \(maxDepth)", observed: "\(depth)", pointer: "/predicate/lineage/parents",
            path: depth > maxDepth ? lineage.deepestPath : nil)]
    }
}
