import Foundation

/// Reads and validates a provenance statement, reporting every problem with its JSON pointer.
///
/// The reader is strict: unknown members are errors (except under `predicate.extensions`), countries must be
/// ISO 3166-1 alpha-2, times RFC 3339, durations whole days, subject paths relative and unique.
public enum ManifestReader {
    /// Reads a statement from an already parsed JSON value.
    public static func read(_ value: JSONValue, document: String = "manifest") throws -> ProvenanceStatement {
        let log = ProblemLog()
        let statement = read(value, log: log)
        guard log.problems.isEmpty, let statement else {
            throw InvalidDocumentError(document: document, problems: log.problems)
        }
        return statement
    }

    static func read(_ value: JSONValue, log: ProblemLog) -> ProvenanceStatement? {
        guard let root = ObjectReader.make(value, pointer: "", log: log) else { return nil }
        if let type = root.string("_type"), type != InTotoStatementType.v1 {
            log.add("/_type", "expected \"\(InTotoStatementType.v1)\", found \"\(type)\"")
        }
        if let type = root.string("predicateType"), type != ProvenancePredicate.type {
            log.add("/predicateType", "expected \"\(ProvenancePredicate.type)\", found \"\(type)\"")
        }
        let subject = root.objects("subject") { readSubject($0) }
        if let subject {
            // Count what was written, not what survived validation, so one bad entry is one problem.
            if root.object["subject"]?.arrayValue?.isEmpty == true {
                log.add("/subject", "lists no artifacts; a manifest covers at least one file")
            }
            var seen: [String: Int] = [:]
            for (index, item) in subject.enumerated() {
                if let first = seen[item.name] {
                    log.add("/subject/\(index)/name", "duplicate subject path \"\(item.name)\" (also /subject/\(first))")
                } else {
                    seen[item.name] = index
                }
            }
        }
        let predicate = root.object("predicate").flatMap { readPredicate($0) }
        root.finish()
        guard let subject, let predicate else { return nil }
        return ProvenanceStatement(subject: subject, predicate: predicate)
    }

    static func readSubject(_ r: ObjectReader) -> Subject? {
        let name = r.string("name")
        let problem = name.flatMap(ArtifactPath.problem(with:))
        if let name, let problem {
            r.log.add(r.path("name"), "\"\(name)\": \(problem)")
        }
        let digest = r.object("digest").flatMap { readDigestSet($0) }
        r.finish()
        guard let name, problem == nil, let digest else { return nil }
        return Subject(name: name, sha256: digest.sha256)
    }

    static func readDigestSet(_ r: ObjectReader) -> DigestSet? {
        let sha256 = r.string("sha256")
        r.finish()
        guard let sha256 else { return nil }
        guard isLowercaseSHA256Hex(sha256) else {
            r.log.add(r.path("sha256"), "\"\(sha256)\" is not 64 lowercase hex characters")
            return nil
        }
        return DigestSet(sha256: sha256)
    }

    /// Whether `text` is 64 lowercase hex digits, checked over its UTF-8 in place.
    static func isLowercaseSHA256Hex(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            bytes.count == 64 && bytes.allSatisfy { $0 &- UInt8(ascii: "0") < 10 || $0 &- UInt8(ascii: "a") < 6 }
        }
    }

    static func readPredicate(_ r: ObjectReader) -> ProvenancePredicate? {
        let model = r.object("model").flatMap { readModelInfo($0) }
        let origin = r.object("origin").flatMap { readOrigin($0) }
        let hosting = r.object("hosting").flatMap { readHosting($0) }
        let lineage = r.object("lineage").flatMap { readLineage($0) }
        let retention = r.objects("dataRetention") { readRetentionTerm($0) }
        if let retention {
            // At most one term per category, so a list beats hashing each category's name into a set.
            var seen: [DataCategory] = []
            for (index, term) in retention.enumerated() {
                if seen.contains(term.category) {
                    r.log.add(r.path("dataRetention") + "/\(index)/category", "\(term.category.rawValue) is listed twice")
                } else {
                    seen.append(term.category)
                }
            }
        }
        let audits = r.objects("audits") { readAudit($0) }
        let extensions = r.value("extensions", required: false)
        if let extensions, extensions.objectValue == nil {
            r.log.add(r.path("extensions"), "expected an object, found \(extensions.kindName)")
        }
        r.finish()
        guard let model, let origin, let hosting, let lineage, let retention, let audits else { return nil }
        return ProvenancePredicate(
            model: model, origin: origin, hosting: hosting, lineage: lineage, dataRetention: retention,
            audits: audits, extensions: extensions)
    }

    static func readModelInfo(_ r: ObjectReader) -> ModelInfo? {
        let name = r.string("name")
        let version = r.string("version")
        let license = r.string("license")
        let format = r.string("format")
        let source = r.string("source")
        let description = r.string("description", required: false)
        r.finish()
        guard let name, let version, let license, let format, let source else { return nil }
        return ModelInfo(
            name: name, version: version, license: license, format: format, source: source, description: description)
    }

    static func readEntity(_ r: ObjectReader) -> LegalEntity? {
        let name = r.string("name")
        let legalName = r.string("legalName", required: false)
        let country = r.country("country")
        let aliases = r.strings("aliases", required: false)
        let parent = r.object("parent", required: false).map { readEntity($0) }
        let independent = r.bool("independent", required: false)
        if independent == false {
            r.log.add(r.path("independent"), "only true is meaningful (leave it out when ownership is not declared)")
        }
        if independent == true && r.object["parent"].map({ $0 != .null }) == true {
            r.log.add(r.path("independent"), "give parent or independent: true, not both")
        }
        let affiliations = r.objects("affiliations", required: false) { readAffiliation($0) }
        r.finish()
        guard let name, let country else { return nil }
        if case .some(.none) = parent { return nil }
        return LegalEntity(
            name: name, legalName: legalName, country: country, aliases: aliases,
            parent: parent.flatMap { $0 }.map(Box.init), affiliations: affiliations, independent: independent)
    }

    static func readAffiliation(_ r: ObjectReader) -> Affiliation? {
        let type = r.enumeration("type", Affiliation.Kind.self)
        let name = r.string("name")
        let country = r.country("country")
        let description = r.string("description", required: false)
        r.finish()
        guard let type, let name, let country else { return nil }
        return Affiliation(type: type, name: name, country: country, description: description)
    }

    static func readOrigin(_ r: ObjectReader) -> Origin? {
        let developer = r.object("developer").flatMap { readEntity($0) }
        let publisherReader = r.object("publisher", required: false)
        let publisher = publisherReader.flatMap { readEntity($0) }
        r.finish()
        guard let developer, publisherReader == nil || publisher != nil else { return nil }
        return Origin(developer: developer, publisher: publisher)
    }

    static func readHosting(_ r: ObjectReader) -> Hosting? {
        let mode = r.enumeration("mode", Hosting.Mode.self)
        // A managed service must say who runs it, where, under which law and where data goes.
        let service = mode == .managedService
        let providerReader = r.object("provider", required: service)
        let provider = providerReader.flatMap { readEntity($0) }
        let serviceName = r.string("service", required: service)
        let regions = r.objects("regions", required: service) { region -> Region? in
            let name = region.string("name")
            let country = region.country("country")
            region.finish()
            guard let name, let country else { return nil }
            return Region(name: name, country: country)
        }
        let jurisdictions = r.countries("governingJurisdictions", required: service)
        let subProcessors = r.objects("subProcessors", required: service) { sub -> SubProcessor? in
            let entity = sub.object("entity").flatMap { readEntity($0) }
            let purpose = sub.string("purpose")
            let categories = sub.elements("dataCategories", required: false) { value, index -> DataCategory? in
                readCategory(value, pointer: sub.path("dataCategories") + "/\(index)", log: sub.log)
            }
            sub.finish()
            guard let entity, let purpose else { return nil }
            return SubProcessor(entity: entity, purpose: purpose, dataCategories: categories)
        }
        let flows = r.objects("dataFlows", required: service) { flow -> DataFlow? in
            let categoryValue = flow.value("category", required: true)
            let category = categoryValue.flatMap { readCategory($0, pointer: flow.path("category"), log: flow.log) }
            let recipient = flow.object("recipient").flatMap { readEntity($0) }
            let country = flow.country("country")
            let purpose = flow.string("purpose")
            flow.finish()
            guard let category, let recipient, let country, let purpose else { return nil }
            return DataFlow(category: category, recipient: recipient, country: country, purpose: purpose)
        }
        r.finish()
        guard let mode, providerReader == nil || provider != nil else { return nil }
        return Hosting(
            mode: mode, provider: provider, service: serviceName, regions: regions,
            governingJurisdictions: jurisdictions, subProcessors: subProcessors, dataFlows: flows)
    }

    /// The data category `value` names; `pointer` is written out only for a problem.
    static func readCategory(_ value: JSONValue, pointer: @autoclosure () -> String, log: ProblemLog) -> DataCategory? {
        guard case .string(let text) = value else {
            log.add(pointer(), "expected a data category, found \(value.kindName)")
            return nil
        }
        guard let category = DataCategory(rawValue: text) else {
            let allowed = DataCategory.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            log.add(pointer(), "\"\(text)\" is not one of \(allowed)")
            return nil
        }
        return category
    }

    static func readLineage(_ r: ObjectReader) -> Lineage? {
        let parents = r.objects("parents") { p -> ParentModel? in
            let name = p.string("name")
            let relation = p.enumeration("relation", LineageRelation.self)
            let digest = p.object("manifestDigest", required: false).flatMap { readDigestSet($0) }
            let developer = p.object("developer", required: false).flatMap { readEntity($0) }
            let source = p.string("source", required: false)
            p.finish()
            guard let name, let relation else { return nil }
            return ParentModel(
                name: name, relation: relation, manifestDigest: digest, developer: developer, source: source)
        }
        let datasets = r.objects("datasets", required: false) { d -> Dataset? in
            let name = d.string("name")
            let source = d.string("source", required: false)
            let license = d.string("license")
            let personal = d.bool("personalData")
            let basis = d.string("lawfulBasis", required: false)
            let countries = d.countries("collectionCountries", required: false)
            d.finish()
            guard let name, let license, let personal else { return nil }
            return Dataset(
                name: name, source: source, license: license, personalData: personal, lawfulBasis: basis,
                collectionCountries: countries)
        }
        let teachers = r.objects("distillationSources", required: false) { t -> DistillationSource? in
            let model = t.string("model")
            let developer = t.object("developer").flatMap { readEntity($0) }
            let permitted = t.bool("termsPermitDistillation")
            let digest = t.object("manifestDigest", required: false).flatMap { readDigestSet($0) }
            t.finish()
            guard let model, let developer, let permitted else { return nil }
            return DistillationSource(
                model: model, developer: developer, termsPermitDistillation: permitted, manifestDigest: digest)
        }
        let compute = r.objects("trainingCompute", required: false) { c -> TrainingCompute? in
            let accelerator = c.string("accelerator")
            let count = c.integer("count", required: false, in: 1...10_000_000)
            let country = c.country("country")
            let provider = c.object("provider", required: false).flatMap { readEntity($0) }
            c.finish()
            guard let accelerator, let country else { return nil }
            return TrainingCompute(accelerator: accelerator, count: count, country: country, provider: provider)
        }
        r.finish()
        guard let parents else { return nil }
        return Lineage(parents: parents, datasets: datasets, distillationSources: teachers, trainingCompute: compute)
    }

    static func readRetentionTerm(_ r: ObjectReader) -> RetentionTerm? {
        let categoryValue = r.value("category", required: true)
        let category = categoryValue.flatMap { readCategory($0, pointer: r.path("category"), log: r.log) }
        let collected = r.bool("collected")
        let days = r.integer("retentionDays", required: false, in: 0...36_500)
        let indefinite = r.bool("indefinite", required: false)
        let training = r.bool("usedForTraining", required: collected == true)
        let deletion = r.bool("deletionOnRequest", required: collected == true)
        let storage = r.countries("storageCountries", required: collected == true)
        r.finish()
        // An invalid retentionDays has been reported already; absent and null both mean "not given".
        let daysGiven = r.object["retentionDays"].map { $0 != .null } ?? false
        if collected == true && days == nil && indefinite != true && !daysGiven {
            r.log.add(r.path("retentionDays"), "required when collected (or set \"indefinite\": true)")
        }
        if days != nil && indefinite == true {
            r.log.add(r.path("indefinite"), "give retentionDays or indefinite, not both")
        }
        guard let category, let collected else { return nil }
        return RetentionTerm(
            category: category, collected: collected, retentionDays: days, indefinite: indefinite,
            usedForTraining: training, deletionOnRequest: deletion, storageCountries: storage)
    }

    static func readAudit(_ r: ObjectReader) -> AuditAttestation? {
        let framework = r.string("framework")
        let auditor = r.string("auditor")
        let subject = r.string("subject", required: false)
        let issued = r.timestamp("issued", allowDate: true)
        let expires = r.timestamp("expires", required: false, allowDate: true)
        let evidence = r.object("evidence", required: false).flatMap { e -> AuditEvidence? in
            let uri = e.string("uri", required: false)
            let digest = e.object("digest").flatMap { readDigestSet($0) }
            e.finish()
            guard let digest else { return nil }
            return AuditEvidence(uri: uri, digest: digest)
        }
        r.finish()
        if let issued, let expires, let from = RFC3339.parseDateOrDateTime(issued),
            let to = RFC3339.parseDateOrDateTime(expires), to < from
        {
            r.log.add(r.path("expires"), "expires before it was issued")
        }
        guard let framework, let auditor, let issued else { return nil }
        return AuditAttestation(
            framework: framework, auditor: auditor, subject: subject, issued: issued, expires: expires,
            evidence: evidence)
    }
}
