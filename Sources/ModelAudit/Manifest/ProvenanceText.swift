import Foundation

/// Renders a provenance statement for people: one section per part of the predicate, no raw JSON.
///
/// Every value comes from the manifest's author, so every line goes through `TerminalText`: it is safe to print to a
/// terminal or a CI log.
public enum ProvenanceText {
    public static func render(_ statement: ProvenanceStatement) -> String {
        let p = statement.predicate
        var out: [String] = []
        func section(_ title: String) {
            out.append("")
            out.append(title.uppercased())
        }
        func line(_ label: String, _ value: String?, indent: Int = 2) {
            guard let value, !value.isEmpty else { return }
            let pad = String(repeating: " ", count: indent)
            out.append("\(pad)\(label.padding(toLength: max(label.count, 22 - indent), withPad: " ", startingAt: 0)) \(value)")
        }

        section("Model")
        line("name", "\(p.model.name) \(p.model.version)")
        line("license", p.model.license)
        line("format", p.model.format)
        line("source", p.model.source)
        line("description", p.model.description)

        section("Origin")
        entityLines("developer", p.origin.developer, indent: 2, into: &out)
        if let publisher = p.origin.publisher {
            entityLines("publisher", publisher, indent: 2, into: &out)
        } else {
            line("publisher", "not declared")
        }

        section("Hosting")
        line("mode", p.hosting.mode.rawValue)
        if let provider = p.hosting.provider { entityLines("provider", provider, indent: 2, into: &out) }
        line("service", p.hosting.service)
        if let regions = p.hosting.regions {
            line("regions", regions.isEmpty ? "none" : regions.map { "\($0.name) (\($0.country))" }.joined(separator: ", "))
        }
        if let law = p.hosting.governingJurisdictions {
            line("governing law", law.isEmpty ? "none declared" : law.joined(separator: ", "))
        }
        for sub in p.hosting.subProcessors ?? [] {
            line("sub-processor", "\(describe(sub.entity)) — \(sub.purpose)")
        }
        for flow in p.hosting.dataFlows ?? [] {
            line("data flow", "\(flow.category.rawValue) → \(describe(flow.recipient)) in \(flow.country): \(flow.purpose)")
        }

        section("Lineage")
        if p.lineage.parents.isEmpty { line("parents", "none (a base model)") }
        for parent in p.lineage.parents {
            let digest = parent.manifestDigest.map { "manifest sha256:\($0.sha256.prefix(16))…" } ?? "NO SIGNED MANIFEST"
            line("parent", "\(parent.name) (\(parent.relation.rawValue)), \(digest)")
        }
        for dataset in p.lineage.datasets ?? [] {
            var text = "\(dataset.name), \(dataset.license)"
            if dataset.personalData { text += ", personal data (\(dataset.lawfulBasis ?? "no lawful basis stated"))" }
            if let countries = dataset.collectionCountries, !countries.isEmpty {
                text += ", collected in \(countries.joined(separator: ", "))"
            }
            line("dataset", text)
        }
        for teacher in p.lineage.distillationSources ?? [] {
            let terms = teacher.termsPermitDistillation ? "terms permit distillation" : "TERMS FORBID DISTILLATION"
            line("distilled from", "\(teacher.model) by \(describe(teacher.developer)), \(terms)")
        }
        for compute in p.lineage.trainingCompute ?? [] {
            var text = "\(compute.count.map { "\($0) × " } ?? "")\(compute.accelerator) in \(compute.country)"
            if let provider = compute.provider { text += " at \(describe(provider))" }
            line("training compute", text)
        }

        section("Data retention")
        if p.dataRetention.isEmpty { line("terms", "none declared") }
        for term in p.dataRetention {
            guard term.collected else {
                line(term.category.rawValue, "not collected")
                continue
            }
            var parts: [String] = []
            if term.indefinite == true { parts.append("kept indefinitely") }
            if let days = term.retentionDays { parts.append("kept \(days) day\(days == 1 ? "" : "s")") }
            if let training = term.usedForTraining { parts.append(training ? "USED FOR TRAINING" : "not used for training") }
            if let deletion = term.deletionOnRequest { parts.append(deletion ? "deleted on request" : "NOT deleted on request") }
            if let storage = term.storageCountries { parts.append("stored in \(storage.joined(separator: ", "))") }
            line(term.category.rawValue, parts.joined(separator: "; "))
        }

        section("Audits")
        if p.audits.isEmpty { line("audits", "none declared") }
        for audit in p.audits {
            var text = "\(audit.framework) by \(audit.auditor), issued \(audit.issued)"
            if let expires = audit.expires { text += ", expires \(expires)" }
            text += audit.evidence == nil ? ", no evidence digest" : ", evidence sha256:\(audit.evidence?.digest.sha256.prefix(16) ?? "")…"
            line("audit", text)
        }

        section("Artifacts (\(statement.subject.count))")
        for subject in statement.subject {
            out.append("  \(subject.digest.sha256)  \(subject.name)")
        }
        if p.extensions != nil {
            section("Extensions")
            out.append("  present (publisher-defined, not evaluated)")
        }
        // Each line is the tool's layout around values from the signed payload: one escape pass per line keeps the
        // layout and shows the values' control characters, line breaks and bidi controls as escapes.
        return out.dropFirst().map(TerminalText.escape).joined(separator: "\n") + "\n"
    }

    static func describe(_ entity: LegalEntity) -> String {
        "\(entity.legalName ?? entity.name) (\(entity.country))"
    }

    static func entityLines(_ label: String, _ entity: LegalEntity, indent: Int, into out: inout [String]) {
        let pad = String(repeating: " ", count: indent)
        out.append("\(pad)\(label.padding(toLength: max(label.count, 22 - indent), withPad: " ", startingAt: 0)) \(describe(entity))")
        if let aliases = entity.aliases, !aliases.isEmpty {
            out.append("\(pad)  also known as \(aliases.joined(separator: ", "))")
        }
        var parent = entity.parent?.value
        var depth = 0
        while let owner = parent, depth < 8 {
            out.append("\(pad)  owned by \(describe(owner))")
            parent = owner.parent?.value
            depth += 1
        }
        for affiliation in entity.affiliations ?? [] {
            out.append("\(pad)  \(affiliation.type.rawValue) affiliation: \(affiliation.name) (\(affiliation.country))")
        }
    }
}
