import Foundation
import Yams

/// Builds the manifest draft `audit init` writes: artifacts filled in, every section present for the author.
///
/// Every member is `null`: required ones make `audit sign` refuse the draft until each is filled in (listed by JSON
/// pointer), optional ones stay *not declared* unless the author writes them. Nothing is pre-filled with an empty
/// list, because `[]` is a claim ("declared: none") the author never made.
public enum ManifestDraft {
    public static func make(subjects: [Subject], modelName: String?) -> JSONValue {
        let entity: JSONValue = object([
            ("name", .null), ("legalName", .null), ("country", .null), ("aliases", .null), ("parent", .null),
            ("independent", .null), ("affiliations", .null),
        ])
        let predicate = object([
            ("model", object([
                ("name", modelName.map(JSONValue.string) ?? .null), ("version", .null), ("license", .null),
                ("format", .null), ("source", .null),
            ])),
            ("origin", object([("developer", entity), ("publisher", entity)])),
            ("hosting", object([
                ("mode", .null), ("provider", .null), ("service", .null), ("regions", .null),
                ("governingJurisdictions", .null), ("subProcessors", .null), ("dataFlows", .null),
            ])),
            ("lineage", object([
                ("parents", .null), ("datasets", .null), ("distillationSources", .null), ("trainingCompute", .null),
            ])),
            ("dataRetention", .null),
            ("audits", .null),
        ])
        return object([
            ("_type", .string(InTotoStatementType.v1)),
            ("subject", .array(subjects.sorted().map { subjectValue($0) })),
            ("predicateType", .string(ProvenancePredicate.type)),
            ("predicate", predicate),
        ])
    }

    /// The in-toto subject entry for one artifact.
    public static func subjectValue(_ subject: Subject) -> JSONValue {
        object([("name", .string(subject.name)), ("digest", object([("sha256", .string(subject.digest.sha256))]))])
    }

    /// Replaces the statement's `subject` with `subjects`, keeping everything else as written.
    public static func replacingSubjects(in statement: JSONValue, with subjects: [Subject]) -> JSONValue {
        guard case .object(let root) = statement else { return statement }
        let list = JSONValue.array(subjects.sorted().map { subjectValue($0) })
        var members = root.members.filter { $0.key != "subject" }
        let position = root.members.firstIndex { $0.key == "subject" } ?? min(1, members.count)
        members.insert(JSONObject.Member(key: "subject", value: list), at: min(position, members.count))
        // The root's keys are unique and `subject` was taken out before it went back in once: no fallback that
        // could hand back an empty statement is needed.
        return .object(JSONObject(uniqueMembers: members, positions: nil))
    }

    /// Keys here are literals, so they are unique by construction.
    static func object(_ members: [(key: String, value: JSONValue)]) -> JSONValue {
        var unique: [(key: String, value: JSONValue)] = []
        var seen: Set<String> = []
        for member in members where seen.insert(member.key).inserted { unique.append(member) }
        return .object((try? JSONObject(unique)) ?? JSONObject())
    }
}

/// Writes a `JSONValue` as block-style YAML, through Yams, that `YAMLDocument` reads back to the same value.
///
/// Strings are always double-quoted and numbers keep their JSON literal, so no value changes type on the way back
/// (a version "1.10" stays a string, a bare `no` never becomes false); members keep their order.
public enum YAMLWriter {
    public static func write(_ value: JSONValue) -> String {
        // Serialising a tree of plain nodes cannot fail; should Yams ever refuse, the JSON text is valid YAML too.
        let text = (try? Yams.serialize(node: node(value), indent: 2, width: -1, allowUnicode: true, lineBreak: .ln))
            ?? String(decoding: JSONWriter.write(value), as: UTF8.self)
        return text.hasSuffix("\n") ? text : text + "\n"
    }

    static func node(_ value: JSONValue) -> Yams.Node {
        switch value {
        case .null: return .scalar(.init("null", Tag(.null), .plain))
        case .bool(let flag): return .scalar(.init(flag ? "true" : "false", Tag(.bool), .plain))
        case .number(let number):
            return .scalar(.init(number.literal, Tag(number.int64 == nil ? .float : .int), .plain))
        case .string(let text): return .scalar(.init(text, Tag(.str), .doubleQuoted))
        case .array(let items):
            return .sequence(.init(items.map(node), Tag(.seq), items.isEmpty ? .flow : .block))
        case .object(let object):
            let pairs = object.members.map { (Yams.Node.scalar(.init($0.key, Tag(.str), .any)), node($0.value)) }
            return .mapping(.init(pairs, Tag(.map), object.members.isEmpty ? .flow : .block))
        }
    }
}
