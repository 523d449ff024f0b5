import AuditCrypto
import Foundation

/// Reads a policy file (YAML or JSON), follows `extends`, and validates everything, listing every problem.
///
/// The pipeline:
/// 1. parse the file strictly (duplicate keys, unknown members and bad types are problems);
/// 2. load the file it `extends` (relative to it), recursively, refusing cycles and chains deeper than 8;
/// 3. merge: the extending file's rules override the base's by id — a rule with a `type` replaces the base rule,
///    one without patches it: each member it names (header or parameter, e.g. `enforcement: off`) replaces the
///    base's; waivers and screening lists add up (a list id given again replaces the base's);
/// 4. build every rule's check from its parameters, load every screening list, and check every waiver names an
///    existing, waivable rule.
/// A policy with any problem is invalid as a whole: it never evaluates half its rules.
public enum PolicyLoader {
    public static let version = 1
    public static let maxPolicyBytes = 4 << 20
    static let maxExtendsDepth = 8

    public static func load(path: String) throws -> Policy {
        let log = ProblemLog()
        var sources: [InputFileInfo] = []
        let raw = try loadFile(path: path, label: nil, log: log, sources: &sources, chain: [])
        guard let raw else { throw InvalidDocumentError(document: "policy \(path)", problems: log.problems) }
        let policy = build(raw, log: log, sources: sources)
        guard log.problems.isEmpty, let policy else {
            throw InvalidDocumentError(document: "policy \(path)", problems: log.problems)
        }
        return policy
    }

    /// A rule as written, before merging and building.
    struct RawRule {
        var id: String
        var type: String?
        var object: JSONObject
        var pointer: String
    }

    struct RawPolicy {
        var name: String
        var description: String?
        var mode: PolicyMode?
        var rules: [RawRule]
        var waivers: [(JSONObject, String)]
        var lists: [(id: String, path: String, pointer: String)]
    }

    static let topLevelKeys = ["version", "name", "description", "extends", "mode", "screeningLists", "rules", "waivers"]

    private static func loadFile(
        path: String, label: String?, log: ProblemLog, sources: inout [InputFileInfo],
        chain: [(resolved: String, name: String)]
    ) throws -> RawPolicy? {
        let resolved = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        // Problems in a base file carry its name; the top file's pointers stand alone.
        let prefix = label.map { "\($0)#" } ?? ""
        if chain.contains(where: { $0.resolved == resolved }) {
            // Name the files as the policies wrote them, not as resolved on this machine.
            let names = chain.map(\.name) + [label ?? path]
            log.add(prefix, "extends cycle: \(names.joined(separator: " → "))")
            return nil
        }
        if chain.count > maxExtendsDepth {
            log.add(prefix, "extends chain deeper than \(maxExtendsDepth) files")
            return nil
        }
        let bytes: [UInt8]
        let value: JSONValue
        do {
            bytes = try InputFile.read(path, limit: maxPolicyBytes)
            value = try StructuredDocument.parse(bytes, path: path)
        } catch {
            if label == nil { throw error }
            log.add(prefix, "\(error)")
            return nil
        }
        sources.append(InputFileInfo(id: label ?? "policy", file: path, sha256: try Digests.sha256Hex(bytes)))
        guard let root = ObjectReader.make(value, pointer: prefix, log: log) else { return nil }
        let version = root.integer("version", in: 0...1_000)
        if let version, version != Self.version {
            log.add(root.path("version"), "unsupported policy version \(version) (this tool reads version \(Self.version))")
        }
        let name = root.string("name", required: label == nil)
        let description = root.string("description", required: false)
        let mode = root.enumeration("mode", PolicyMode.self, required: false)
        let extends = root.string("extends", required: false)
        // Paths stay as relative as the policy path was given, so reports do not name machine paths.
        let directory = (path as NSString).deletingLastPathComponent
        let lists = root.objects("screeningLists", required: false) { r -> (id: String, path: String, pointer: String)? in
            let id = r.string("id")
            let file = r.string("file")
            r.finish()
            guard let id, let file else { return nil }
            let resolvedFile = file.hasPrefix("/") ? file : (directory as NSString).appendingPathComponent(file)
            return (id, resolvedFile, r.pointer)
        } ?? []
        let rules = root.array("rules", required: extends == nil) { value, pointer -> RawRule? in
            guard case .object(let object) = value else {
                log.add(pointer, "expected a rule object, found \(value.kindName)")
                return nil
            }
            guard case .string(let id)? = object["id"], !id.isEmpty else {
                log.add(pointer + "/id", "every rule needs a non-empty string id")
                return nil
            }
            return RawRule(id: id, type: object["type"]?.stringValue, object: object, pointer: pointer)
        } ?? []
        let waivers = root.array("waivers", required: false) { value, pointer -> (JSONObject, String)? in
            guard case .object(let object) = value else {
                log.add(pointer, "expected a waiver object, found \(value.kindName)")
                return nil
            }
            return (object, pointer)
        } ?? []
        root.finish()

        var seen: Set<String> = []
        for rule in rules where !seen.insert(rule.id).inserted {
            log.add(rule.pointer + "/id", "duplicate rule id \"\(rule.id)\"")
        }
        var mine = RawPolicy(
            name: name ?? "", description: description, mode: mode, rules: rules, waivers: waivers, lists: lists)
        guard let extends else { return mine }
        let basePath = extends.hasPrefix("/") ? extends : (directory as NSString).appendingPathComponent(extends)
        guard let base = try loadFile(
            path: basePath, label: extends, log: log, sources: &sources, chain: chain + [(resolved, label ?? path)])
        else { return nil }
        // Merge: base first, then this file's overrides and additions.
        var merged = base.rules
        for rule in rules {
            if let index = merged.firstIndex(where: { $0.id == rule.id }) {
                if rule.type != nil {
                    merged[index] = rule
                } else {
                    var patched = merged[index]
                    var members = patched.object.members
                    for member in rule.object.members where member.key != "id" {
                        members.removeAll { $0.key == member.key }
                        members.append(member)
                    }
                    patched.object = (try? JSONObject(members)) ?? patched.object
                    patched.pointer = rule.pointer
                    merged[index] = patched
                }
            } else {
                if rule.type == nil {
                    log.add(rule.pointer + "/id",
                        "no rule \"\(rule.id)\" in \(extends) to patch (give a type to add a new rule)")
                    continue
                }
                merged.append(rule)
            }
        }
        mine.rules = merged
        mine.name = name ?? base.name
        mine.description = description ?? base.description
        mine.mode = mode ?? base.mode
        mine.waivers = base.waivers + waivers
        var listsByID = base.lists
        for list in lists {
            listsByID.removeAll { $0.id == list.id }
            listsByID.append(list)
        }
        mine.lists = listsByID
        return mine
    }

    static let headerKeys = ["id", "type", "title", "severity", "enforcement", "controls", "remediation"]

    private static func build(_ raw: RawPolicy, log: ProblemLog, sources: [InputFileInfo]) -> Policy? {
        var lists: [ScreeningList] = []
        for list in raw.lists {
            do {
                let loaded = try ScreeningList.load(id: list.id, path: list.path)
                if loaded.entries.isEmpty {
                    // An empty list matches nobody: every rule consulting it would pass whatever the model.
                    log.add(list.pointer + "/file", "screening list \"\(list.id)\" has no entries, so no party could "
                        + "ever match it; give a list with entries (or remove the list and the rules using it)")
                }
                lists.append(loaded)
            } catch {
                log.add(list.pointer + "/file", "\(error)")
            }
        }
        let context = PolicyParseContext(screeningListIDs: Set(raw.lists.map(\.id)))
        var rules: [PolicyRule] = []
        for rawRule in raw.rules {
            let r = ObjectReader(rawRule.object, pointer: rawRule.pointer, log: log)
            _ = r.string("id")
            let type = r.string("type")
            let title = r.string("title", required: false)
            let severity = r.enumeration("severity", Severity.self)
            let enforcement = r.enumeration("enforcement", Enforcement.self, required: false) ?? .enforce
            let controls = r.strings("controls", required: false) ?? []
            let remediation = r.string("remediation", required: false)
            if IntegrityChecks.ruleIDs.contains(rawRule.id) {
                log.add(r.path("id"), "\"\(rawRule.id)\" is reserved for the built-in integrity checks")
            }
            guard let type else {
                r.finish()
                continue
            }
            guard let checkType = PolicyCheckRegistry.check(named: type) else {
                log.add(r.path("type"), "unknown rule type \"\(type)\" (one of \(PolicyCheckRegistry.typeNames.joined(separator: ", ")))")
                continue
            }
            let problemsBefore = log.problems.count
            let check = checkType.init(parameters: r, context: context)
            if check == nil && log.problems.count == problemsBefore {
                // A rule must never vanish silently: that would make the policy fail open.
                log.add(rawRule.pointer, "the parameters of \(type) are incomplete or empty (see docs/policy.md)")
            }
            r.finish()
            guard let check, let severity else { continue }
            for ineffective in check.ineffectiveParameters {
                log.add(
                    "\(rawRule.pointer)/\(ineffective.parameter)",
                    "rule \"\(rawRule.id)\" (\(type)): \(ineffective.parameter) \(ineffective.reason); "
                        + ineffective.fix)
            }
            let header = RuleHeader(
                id: rawRule.id, title: title ?? type, severity: severity, enforcement: enforcement,
                controls: controls, remediation: remediation)
            rules.append(PolicyRule(header: header, type: type, check: check, origin: rawRule.pointer))
        }
        let ruleIDs = Set(raw.rules.map(\.id))
        var waivers: [Waiver] = []
        for (object, pointer) in raw.waivers {
            let r = ObjectReader(object, pointer: pointer, log: log)
            let rule = r.string("rule")
            let model = r.object("model")
            let name = model?.string("name", required: false)
            let developer = model?.string("developer", required: false)
            var digest = model?.string("digest", required: false)
            model?.finish()
            if let model, model.object["developer"] == nil, model.object["digest"] == nil {
                log.add(model.pointer, Self.unboundWaiverProblem(name: name))
            }
            if let model, let developer, EntityName.normalize(developer).isEmpty {
                log.add(model.path("developer"), "\"\(developer)\" names no developer (only punctuation or a legal "
                    + "form): give the developer's name as its key's owner in the trust store")
            }
            if let text = digest {
                let hex = text.hasPrefix("sha256:") ? String(text.dropFirst(7)) : text
                if hex.utf8.count != 64 || Hex.decode(hex) == nil || hex.lowercased() != hex {
                    log.add(r.path("model") + "/digest", "\"\(text)\" is not a sha256 digest (64 lowercase hex)")
                }
                digest = hex
            }
            let justification = r.string("justification")
            let approver = r.string("approver")
            let expires = r.timestamp("expires", allowDate: true)
            r.finish()
            if let rule, !ruleIDs.contains(rule) {
                if IntegrityChecks.ruleIDs.contains(rule) {
                    log.add(r.path("rule"), "\"\(rule)\" cannot be waived: signature and integrity failures are final")
                } else {
                    log.add(r.path("rule"), "no rule with id \"\(rule)\" in the policy")
                }
            }
            guard let rule, ruleIDs.contains(rule), developer != nil || digest != nil, let justification,
                let approver, let expires, let expiryDate = expiryInstant(expires)
            else { continue }
            waivers.append(
                Waiver(
                    rule: rule, modelName: name, developer: developer, modelDigest: digest,
                    justification: justification, approver: approver, expires: expires, expiryDate: expiryDate))
        }
        guard log.problems.isEmpty else { return nil }
        return Policy(
            name: raw.name, description: raw.description, mode: raw.mode, rules: rules, waivers: waivers,
            screeningLists: lists, sources: sources)
    }

    /// Why a waiver without `developer` or `digest` is refused, and how to write it.
    static func unboundWaiverProblem(name: String?) -> String {
        let example = name.map { "{name: \"\($0)\", developer: \"<developer>\"}" }
            ?? "{developer: \"<developer>\"}"
        return (name == nil ? "name the model" : "a waiver that selects the model by \"name\" alone would also apply "
            + "to another developer's model of the same name")
            + ": add \"developer\" (the developer as its signing key's owner in the trust store, e.g. model: "
            + "\(example)) or \"digest\" (sha256 of one signed envelope)"
    }

    /// A date-only expiry lasts to the end of that day (UTC).
    static func expiryInstant(_ text: String) -> Date? {
        guard let date = RFC3339.parseDateOrDateTime(text) else { return nil }
        return text.utf8.count == 10 ? date.addingTimeInterval(86_399) : date
    }
}
