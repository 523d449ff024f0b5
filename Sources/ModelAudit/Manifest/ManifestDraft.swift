import Foundation

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
        members.insert((key: "subject", value: list), at: min(position, members.count))
        return object(members)
    }

    /// Keys here are literals, so they are unique by construction.
    static func object(_ members: [(key: String, value: JSONValue)]) -> JSONValue {
        var unique: [(key: String, value: JSONValue)] = []
        var seen: Set<String> = []
        for member in members where seen.insert(member.key).inserted { unique.append(member) }
        return .object((try? JSONObject(unique)) ?? JSONObject())
    }
}

/// Writes a `JSONValue` as block-style YAML that `YAMLDocument` reads back to the same value.
///
/// Strings are always double-quoted (JSON escapes are valid YAML), so no value changes type on the way back.
public enum YAMLWriter {
    public static func write(_ value: JSONValue) -> String {
        var out = ""
        emit(value, indent: 0, into: &out, inline: false)
        if !out.hasSuffix("\n") { out += "\n" }
        return out
    }

    private static func scalar(_ value: JSONValue) -> String? {
        switch value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let number): return number.literal
        case .string(let text): return quoted(text)
        case .array(let items) where items.isEmpty: return "[]"
        case .object(let object) where object.members.isEmpty: return "{}"
        default: return nil
        }
    }

    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += String(format: "\\u%04X", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    private static func key(_ text: String) -> String {
        let plain = text.unicodeScalars.allSatisfy {
            ($0 >= "a" && $0 <= "z") || ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9") || $0 == "_" || $0 == "-"
        }
        let reserved = ["true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"]
        return plain && !text.isEmpty && !reserved.contains(text.lowercased()) ? text : quoted(text)
    }

    private static func emit(_ value: JSONValue, indent: Int, into out: inout String, inline: Bool) {
        let pad = String(repeating: " ", count: indent)
        switch value {
        case .object(let object) where !object.members.isEmpty:
            for (index, member) in object.members.enumerated() {
                let prefix = (inline && index == 0) ? "" : pad
                if let text = scalar(member.value) {
                    out += "\(prefix)\(key(member.key)): \(text)\n"
                } else {
                    out += "\(prefix)\(key(member.key)):\n"
                    emit(member.value, indent: indent + 2, into: &out, inline: false)
                }
            }
        case .array(let items) where !items.isEmpty:
            for (index, item) in items.enumerated() {
                let prefix = (inline && index == 0) ? "" : pad
                if let text = scalar(item) {
                    out += "\(prefix)- \(text)\n"
                } else {
                    out += "\(prefix)- "
                    emit(item, indent: indent + 2, into: &out, inline: true)
                }
            }
        default:
            out += "\(inline ? "" : pad)\(scalar(value) ?? "null")\n"
        }
    }
}
