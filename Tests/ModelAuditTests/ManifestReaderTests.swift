import Foundation
import Testing

@testable import ModelAudit

// MARK: - Helpers

/// The package root (this file is `<root>/Tests/ModelAuditTests/ManifestReaderTests.swift`).
private let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

/// The text of a file in the package, e.g. `docs/examples/manifest.yaml`.
private func packageFile(_ path: String) throws -> String {
    try String(contentsOf: packageRoot.appendingPathComponent(path), encoding: .utf8)
}

private func yaml(_ text: String) throws -> JSONValue {
    try YAMLDocument.parse(Array(text.utf8))
}

/// The worked example, parsed as `audit sign` parses a `.yaml` manifest.
private func example() throws -> JSONValue {
    try yaml(try packageFile("docs/examples/manifest.yaml"))
}

/// The example with a second artifact, so one refused subject does not leave the subject list empty.
private func twoSubjects() throws -> JSONValue {
    let weights = try yaml("{name: model.safetensors, digest: {sha256: \"\(String(repeating: "f", count: 64))\"}}")
    return try editing(try example(), at: "/subject/-", to: weights)
}

/// Every problem the reader reports for `value`; empty when the statement reads.
private func problems(_ value: JSONValue) -> [ValidationProblem] {
    do {
        _ = try ManifestReader.read(value)
        return []
    } catch let error as InvalidDocumentError {
        return error.problems
    } catch {
        return [ValidationProblem(pointer: "(not an InvalidDocumentError)", message: "\(error)")]
    }
}

/// The JSON pointers of every problem in `value`, sorted.
private func pointers(_ value: JSONValue) -> [String] {
    problems(value).map(\.pointer).sorted()
}

/// The message reported at `pointer`, or `nil` when nothing is reported there.
private func message(at pointer: String, in value: JSONValue) -> String? {
    problems(value).first { $0.pointer == pointer }?.message
}

/// Why a test edit could not be applied: the document has no such place.
private struct NoSuchPlace: Error, CustomStringConvertible {
    let pointer: String
    var description: String { "the test document has nothing at \(pointer)" }
}

/// `value` with the member or element at `pointer` replaced by `replacement`, or removed when it is `nil`.
///
/// The last token may name a new member, or be `-` to append to an array.
private func editing(_ value: JSONValue, at pointer: String, to replacement: JSONValue?) throws -> JSONValue {
    guard let parsed = JSONPointer(parsing: pointer) else { throw NoSuchPlace(pointer: pointer) }
    return try edit(value, tokens: parsed.tokens[...], replacement: replacement, pointer: pointer)
}

private func edit(_ value: JSONValue, tokens: ArraySlice<String>, replacement: JSONValue?, pointer: String) throws
    -> JSONValue
{
    guard let token = tokens.first else { return replacement ?? .null }
    let rest = tokens.dropFirst()
    switch value {
    case .object(let object):
        var members = object.members
        if let index = members.firstIndex(where: { $0.key == token }) {
            if rest.isEmpty && replacement == nil {
                members.remove(at: index)
            } else {
                members[index].value = try edit(
                    members[index].value, tokens: rest, replacement: replacement, pointer: pointer)
            }
        } else if rest.isEmpty, let replacement {
            members.append(JSONObject.Member(key: token, value: replacement))
        } else {
            throw NoSuchPlace(pointer: pointer)
        }
        return .object(try JSONObject(members))
    case .array(var items):
        if token == "-", rest.isEmpty, let replacement {
            items.append(replacement)
            return .array(items)
        }
        guard let index = Int(token), items.indices.contains(index) else { throw NoSuchPlace(pointer: pointer) }
        if rest.isEmpty && replacement == nil {
            items.remove(at: index)
        } else {
            items[index] = try edit(items[index], tokens: rest, replacement: replacement, pointer: pointer)
        }
        return .array(items)
    default:
        throw NoSuchPlace(pointer: pointer)
    }
}

/// Applies several edits in order.
private func editing(_ value: JSONValue, _ edits: [(String, JSONValue?)]) throws -> JSONValue {
    try edits.reduce(value) { try editing($0, at: $1.0, to: $1.1) }
}

private func number(_ literal: String) throws -> JSONValue {
    .number(try #require(JSONNumber(literal: literal)))
}

private func strings(_ items: [String]) -> JSONValue {
    .array(items.map(JSONValue.string))
}

/// The first retention term of the example (`prompts`, not collected) turned into a collected one with `days`.
private func collectedTerm(days: JSONValue?) throws -> JSONValue {
    var edits: [(String, JSONValue?)] = [
        ("/predicate/dataRetention/0/collected", .bool(true)),
        ("/predicate/dataRetention/0/usedForTraining", .bool(false)),
        ("/predicate/dataRetention/0/deletionOnRequest", .bool(true)),
        ("/predicate/dataRetention/0/storageCountries", strings(["US"])),
    ]
    if let days { edits.append(("/predicate/dataRetention/0/retentionDays", days)) }
    return try editing(try example(), edits)
}

/// A complete managed-service hosting section.
private func managedHosting() throws -> JSONValue {
    try yaml(
        """
        mode: managed-service
        provider: {name: CloudCo, legalName: CloudCo Ltd, country: IE}
        service: CloudCo Models
        regions: [{name: eu-west-1, country: IE}]
        governingJurisdictions: [IE]
        subProcessors:
          - entity: {name: Moderation Co, country: "NO"}
            purpose: content moderation
            dataCategories: [prompts, outputs]
        dataFlows:
          - category: telemetry
            recipient: {name: Metrics Ltd, country: GB}
            country: GB
            purpose: service health
        """)
}

// MARK: - The worked example

@Suite("ManifestReader: the worked example")
struct ManifestReaderExampleTests {
    @Test("docs/examples/manifest.yaml reads, field by field")
    func exampleReads() throws {
        let statement = try ManifestReader.read(try example())
        #expect(statement.subject == [Subject(name: "config.json", sha256: String(repeating: "0", count: 64))])
        let predicate = statement.predicate
        #expect(predicate.model.name == "acme-chat-7b")
        #expect(predicate.model.version == "1.2.0")
        #expect(predicate.model.license == "Apache-2.0")
        #expect(predicate.origin.developer.country == "US")
        #expect(predicate.origin.developer.parent?.value.legalName == "Acme Holdings Corporation")
        #expect(predicate.origin.developer.affiliations?.first?.type == .investor)
        #expect(predicate.origin.developer.allNames == ["Acme AI", "Acme AI, Inc.", "Acme Artificial Intelligence"])
        #expect(predicate.hosting.mode == .selfHosted)
        #expect(predicate.hosting.dataFlows == nil, "absent: not declared")
        #expect(predicate.lineage.parents.first?.relation == .fineTune)
        #expect(predicate.lineage.distillationSources == [], "[]: declared none")
        #expect(predicate.lineage.trainingCompute?.first?.count == 512)
        #expect(predicate.dataRetention.map(\.category) == [.prompts, .telemetry])
        #expect(predicate.dataRetention.allSatisfy { !$0.collected })
        let audit = try #require(predicate.audits.first)
        #expect(audit.framework == "ISO/IEC 42001")
        #expect(audit.issuedDate == RFC3339.parse("2026-03-01T00:00:00Z"))
        #expect(audit.expiryDate == RFC3339.parse("2029-02-28T00:00:00Z"))
        #expect(predicate.extensions == nil)
    }

    @Test("docs/examples/manifest.json is the same statement as the YAML")
    func jsonCopyMatches() throws {
        let json = try StrictJSON.parse(Array(try packageFile("docs/examples/manifest.json").utf8))
        #expect(try ManifestReader.read(json) == ManifestReader.read(try example()))
    }

    @Test("a complete managed service reads")
    func managedServiceReads() throws {
        let value = try editing(try example(), at: "/predicate/hosting", to: try managedHosting())
        let hosting = try ManifestReader.read(value).predicate.hosting
        #expect(hosting.mode == .managedService)
        #expect(hosting.subProcessors?.first?.entity.country == "NO")
        #expect(hosting.dataFlows?.first?.category == .telemetry)
        #expect(hosting.governingJurisdictions == ["IE"])
    }

    @Test("a managed service may declare no data flows with []")
    func managedServiceDeclaresNone() throws {
        let value = try editing(try example(), [
            ("/predicate/hosting", try managedHosting()), ("/predicate/hosting/dataFlows", .array([])),
        ])
        #expect(try ManifestReader.read(value).predicate.hosting.dataFlows == [])
    }

    @Test("the canonical payload reads back to an equal statement, and re-encodes to the same bytes")
    func canonicalPayloadRoundTrips() throws {
        let statement = try ManifestReader.read(try editing(
            try example(), at: "/predicate/extensions", to: try yaml("vendor: {tier: 2, tags: [a, b], ok: true}")))
        let bytes = try ManifestPayload.canonicalBytes(statement)
        let reread = try ManifestReader.read(try StrictJSON.parse(bytes))
        #expect(reread == statement)
        #expect(try ManifestPayload.canonicalBytes(reread) == bytes)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix(#"{"_type":"https://in-toto.io/Statement/v1","predicate":{"audits":"#))
        #expect(!text.contains("\n"), "compact")
        #expect(!text.contains(#"\/"#), "slashes unescaped")
    }

    @Test("ManifestPayload.make replaces the subject list and validates")
    func payloadReplacesSubjects() throws {
        let subjects = [
            Subject(name: "weights/b.safetensors", sha256: String(repeating: "b", count: 64)),
            Subject(name: "config.json", sha256: String(repeating: "a", count: 64)),
        ]
        let made = try ManifestPayload.make(from: try example(), subjects: subjects, document: "example")
        #expect(made.statement.subject.map(\.name) == ["config.json", "weights/b.safetensors"])
        #expect(try ManifestReader.read(try StrictJSON.parse(made.payload)) == made.statement)
    }

    @Test("the audit init draft is refused, listing every member still to fill in")
    func draftIsRefused() throws {
        let draft = ManifestDraft.make(
            subjects: [Subject(name: "config.json", sha256: String(repeating: "0", count: 64))], modelName: nil)
        let found = problems(draft)
        #expect(found.allSatisfy { $0.message == "required, not filled in" }, "\(found)")
        #expect(
            found.map(\.pointer).sorted() == [
                "/predicate/audits", "/predicate/dataRetention", "/predicate/hosting/mode",
                "/predicate/lineage/parents",
                "/predicate/model/format", "/predicate/model/license", "/predicate/model/name",
                "/predicate/model/source", "/predicate/model/version",
                "/predicate/origin/developer/country", "/predicate/origin/developer/name",
                "/predicate/origin/publisher/country", "/predicate/origin/publisher/name",
            ])
        // The draft written as YAML reads back to the same value.
        #expect(try yaml(YAMLWriter.write(draft)) == draft)
    }

    @Test func yamlWriterKeepsEveryValueItsType() throws {
        let tricky = try StrictJSON.parse(Array(#"""
            {"no":"yes","version":"1.10","nothing":"null","n":12,"x":-0.5,"t":true,"z":null,"e":[],"o":{},
             "lines":"a\nb: c","quote":"say \"hi\" # not a comment","unicode":"Zürich 北京","list":[{"a":1},["x"],""]}
            """#.utf8))
        #expect(try yaml(YAMLWriter.write(tricky)) == tricky)
    }
}

// MARK: - Structure: sections, types, unknown members

@Suite("ManifestReader: structure")
struct ManifestReaderStructureTests {
    @Test("a missing required section is reported at its pointer")
    func missingSection() throws {
        let value = try editing(try example(), at: "/predicate/hosting", to: nil)
        #expect(pointers(value) == ["/predicate/hosting"])
        #expect(message(at: "/predicate/hosting", in: value) == "required member is missing")
    }

    @Test("every required section and member, removed one at a time", arguments: [
        "/_type", "/subject", "/predicateType", "/predicate", "/predicate/model", "/predicate/origin",
        "/predicate/lineage", "/predicate/dataRetention", "/predicate/audits", "/predicate/model/source",
        "/predicate/origin/developer", "/predicate/origin/developer/country", "/predicate/lineage/parents",
        "/predicate/lineage/datasets/0/license", "/predicate/audits/0/issued", "/subject/0/digest",
        "/predicate/audits/0/evidence/digest", "/predicate/dataRetention/0/collected",
    ])
    func missingMember(pointer: String) throws {
        #expect(pointers(try editing(try twoSubjects(), at: pointer, to: nil)) == [pointer])
    }

    @Test("wrong types are reported at their pointers, with the type found")
    func wrongTypes() throws {
        let value = try editing(try twoSubjects(), [
            ("/predicate/model/name", .number(JSONNumber(42))),
            ("/predicate/lineage/datasets/0/personalData", .string("no")),
            ("/predicate/lineage/parents", .string("none")),
            ("/predicate/origin", .array([])),
            ("/subject/0/digest", .string("sha256:00")),
        ])
        #expect(
            pointers(value) == [
                "/predicate/lineage/datasets/0/personalData", "/predicate/lineage/parents", "/predicate/model/name",
                "/predicate/origin", "/subject/0/digest",
            ])
        #expect(message(at: "/predicate/model/name", in: value) == "expected a string, found number")
        #expect(message(at: "/predicate/lineage/datasets/0/personalData", in: value)
            == "expected true or false, found string")
        #expect(message(at: "/predicate/lineage/parents", in: value) == "expected an array, found string")
        #expect(message(at: "/predicate/origin", in: value) == "expected an object, found array")
    }

    @Test("the root must be an object")
    func rootNotObject() throws {
        #expect(pointers(.array([])) == [""])
    }

    @Test("an empty or blank required string is not filled in; an empty optional one is refused")
    func emptyStrings() throws {
        let value = try editing(try example(), [
            ("/predicate/model/license", .string("  ")), ("/predicate/model/description", .string("")),
        ])
        #expect(pointers(value) == ["/predicate/model/description", "/predicate/model/license"])
        #expect(message(at: "/predicate/model/license", in: value) == "required, not filled in")
        #expect(message(at: "/predicate/model/description", in: value) == "must not be empty")
    }

    @Test("unknown members are rejected wherever they are", arguments: [
        "/comment", "/predicate/model/quantisation", "/predicate/origin/developer/parent/stockTicker",
        "/subject/0/digest/sha512", "/predicate/audits/0/evidence/size", "/predicate/dataRetention/1/notes",
    ])
    func unknownMember(pointer: String) throws {
        let value = try editing(try example(), at: pointer, to: .string("x"))
        #expect(pointers(value) == [pointer])
        let name = try #require(pointer.split(separator: "/").last)
        #expect(message(at: pointer, in: value) == "unknown member \"\(name)\"")
    }

    @Test("extensions may hold anything, and are kept")
    func extensionsAllowed() throws {
        let extensions = try yaml(
            """
            x-acme: {tier: 2, tags: [a, b], nested: {anything: [1, null, true]}}
            quantisation: int4
            """)
        let value = try editing(try example(), at: "/predicate/extensions", to: extensions)
        #expect(try ManifestReader.read(value).predicate.extensions == extensions)
    }

    @Test("extensions must be an object")
    func extensionsMustBeObject() throws {
        let value = try editing(try example(), at: "/predicate/extensions", to: strings(["x"]))
        #expect(pointers(value) == ["/predicate/extensions"])
        #expect(message(at: "/predicate/extensions", in: value) == "expected an object, found array")
    }

    @Test("the statement and predicate types must be exact")
    func types() throws {
        let value = try editing(try example(), [
            ("/_type", .string("https://in-toto.io/Statement/v0.1")),
            ("/predicateType", .string("https://model-audit.dev/provenance/v2")),
        ])
        #expect(pointers(value) == ["/_type", "/predicateType"])
    }

    @Test("enumerations list the allowed values")
    func enumerations() throws {
        let value = try editing(try example(), [
            ("/predicate/hosting/mode", .string("hybrid")),
            ("/predicate/lineage/parents/0/relation", .string("finetune")),
            ("/predicate/origin/developer/affiliations/0/type", .string("partner")),
            ("/predicate/dataRetention/1/category", .string("location")),
        ])
        #expect(
            pointers(value) == [
                "/predicate/dataRetention/1/category", "/predicate/hosting/mode",
                "/predicate/lineage/parents/0/relation", "/predicate/origin/developer/affiliations/0/type",
            ])
        let relation = try #require(message(at: "/predicate/lineage/parents/0/relation", in: value))
        #expect(relation.contains("\"fine-tune\""))
    }

    @Test("a data category may appear only once in dataRetention")
    func duplicateCategory() throws {
        let value = try editing(try example(), at: "/predicate/dataRetention/1/category", to: .string("prompts"))
        #expect(pointers(value) == ["/predicate/dataRetention/1/category"])
    }

    @Test("trainingCompute count is 1…10,000,000")
    func computeCount() throws {
        for literal in ["0", "10000001", "-5"] {
            let pointer = "/predicate/lineage/trainingCompute/0/count"
            let value = try editing(try example(), at: pointer, to: number(literal))
            #expect(pointers(value) == [pointer], "count \(literal)")
        }
    }

    @Test("five problems in one document are all reported")
    func everyProblemAtOnce() throws {
        let value = try editing(try twoSubjects(), [
            ("/predicate/hosting", nil),
            ("/predicate/origin/developer/country", .string("China")),
            ("/predicate/model/quantisation", .string("int4")),
            ("/predicate/audits/0/issued", .string("March 2026")),
            ("/subject/0/name", .string("../etc/passwd")),
        ])
        #expect(
            pointers(value) == [
                "/predicate/audits/0/issued", "/predicate/hosting", "/predicate/model/quantisation",
                "/predicate/origin/developer/country", "/subject/0/name",
            ])
        let error = try #require(throws: InvalidDocumentError.self) {
            try ManifestReader.read(value, document: "m.yaml")
        }
        #expect(error.description.hasPrefix("m.yaml is invalid (5 problems):\n"))
    }
}

// MARK: - Countries

@Suite("ManifestReader: countries")
struct ManifestReaderCountryTests {
    @Test("not a country code", arguments: [
        ("XX", "\"XX\" is not an assigned ISO 3166-1 alpha-2 country code"),
        ("China", "\"China\" is not an ISO 3166-1 alpha-2 country code (use two letters, e.g. CN, US, DE)"),
        ("cn", "\"cn\" must be upper case (CN)"),
        ("UK", "\"UK\" is not an assigned ISO 3166-1 alpha-2 country code"),
        ("EU", "\"EU\" is not an assigned ISO 3166-1 alpha-2 country code"),
    ])
    func badCountry(code: String, expected: String) throws {
        let value = try editing(try example(), at: "/predicate/origin/developer/country", to: .string(code))
        #expect(pointers(value) == ["/predicate/origin/developer/country"])
        #expect(message(at: "/predicate/origin/developer/country", in: value) == expected)
    }

    @Test("a bad code inside a list of countries is reported at its index")
    func badCountryInList() throws {
        let value = try editing(
            try example(), at: "/predicate/lineage/datasets/0/collectionCountries", to: strings(["US", "EU", "de"]))
        #expect(
            pointers(value) == [
                "/predicate/lineage/datasets/0/collectionCountries/1",
                "/predicate/lineage/datasets/0/collectionCountries/2",
            ])
    }

    @Test("every place a country is written is checked")
    func everyCountryChecked() throws {
        let places = [
            "/predicate/origin/developer/country", "/predicate/origin/developer/parent/country",
            "/predicate/origin/developer/affiliations/0/country", "/predicate/origin/publisher/country",
            "/predicate/lineage/parents/0/developer/country", "/predicate/lineage/trainingCompute/0/country",
            "/predicate/lineage/trainingCompute/0/provider/country",
        ]
        let value = try editing(try example(), places.map { ($0, .string("XX")) })
        #expect(pointers(value) == places.sorted())

        let hosting = try editing(try managedHosting(), [
            ("/provider/country", .string("XX")), ("/regions/0/country", .string("XX")),
            ("/governingJurisdictions/0", .string("XX")), ("/subProcessors/0/entity/country", .string("XX")),
            ("/dataFlows/0/country", .string("XX")), ("/dataFlows/0/recipient/country", .string("XX")),
        ])
        #expect(
            pointers(try editing(try example(), at: "/predicate/hosting", to: hosting)) == [
                "/predicate/hosting/dataFlows/0/country", "/predicate/hosting/dataFlows/0/recipient/country",
                "/predicate/hosting/governingJurisdictions/0", "/predicate/hosting/provider/country",
                "/predicate/hosting/regions/0/country", "/predicate/hosting/subProcessors/0/entity/country",
            ])
    }

    @Test("CountryCode lists the 249 assigned codes")
    func countryList() {
        #expect(CountryCode.all.count == 249)
        #expect(CountryCode.isValid("NO") && CountryCode.isValid("CN") && CountryCode.isValid("GB"))
        #expect(!CountryCode.isValid("XX") && !CountryCode.isValid("UK") && !CountryCode.isValid("cn"))
    }
}

// MARK: - Retention

@Suite("ManifestReader: retention terms")
struct ManifestReaderRetentionTests {
    static let pointer = "/predicate/dataRetention/0/retentionDays"

    @Test("a collected term with whole days reads")
    func wholeDays() throws {
        for literal in ["0", "30", "36500"] {
            let term = try #require(try ManifestReader.read(try collectedTerm(days: number(literal))).predicate
                .dataRetention.first)
            #expect(term.retentionDays == Int(literal))
            #expect(term.storageCountries == ["US"])
        }
    }

    @Test("days that are negative, fractional, too many or not a number are refused", arguments: [
        ("-1", "-1 is outside 0…36500"),
        ("1.5", "expected a whole number, found 1.5"),
        ("30.0", "expected a whole number, found 30.0"),
        ("3e1", "expected a whole number, found 3e1"),
        ("36501", "36501 is outside 0…36500"),
    ])
    func badDays(literal: String, expected: String) throws {
        let value = try collectedTerm(days: number(literal))
        #expect(pointers(value) == [Self.pointer])
        #expect(message(at: Self.pointer, in: value) == expected)
    }

    @Test("days written as a string are refused")
    func daysAsString() throws {
        let value = try collectedTerm(days: .string("30"))
        #expect(pointers(value) == [Self.pointer])
        #expect(message(at: Self.pointer, in: value) == "expected a whole number, found string")
    }

    @Test("a collected term needs retentionDays or indefinite: true")
    func collectedNeedsDays() throws {
        let value = try collectedTerm(days: nil)
        #expect(pointers(value) == [Self.pointer])
        #expect(message(at: Self.pointer, in: value) == "required when collected (or set \"indefinite\": true)")
        let notIndefinite = try editing(value, at: "/predicate/dataRetention/0/indefinite", to: .bool(false))
        #expect(pointers(notIndefinite) == [Self.pointer])
        let indefinite = try editing(value, at: "/predicate/dataRetention/0/indefinite", to: .bool(true))
        #expect(try ManifestReader.read(indefinite).predicate.dataRetention.first?.indefinite == true)
    }

    @Test("retentionDays: null on a collected term is not a declaration of days")
    func collectedNullDays() throws {
        let value = try collectedTerm(days: .null)
        #expect(pointers(value) == [Self.pointer])
    }

    @Test("retentionDays and indefinite: true together are refused")
    func daysAndIndefinite() throws {
        let value = try editing(
            try collectedTerm(days: number("30")), at: "/predicate/dataRetention/0/indefinite", to: .bool(true))
        #expect(pointers(value) == ["/predicate/dataRetention/0/indefinite"])
    }

    @Test("a collected term must say training, deletion and storage countries")
    func collectedNeedsTerms() throws {
        let value = try editing(try example(), [
            ("/predicate/dataRetention/0/collected", .bool(true)),
            ("/predicate/dataRetention/0/retentionDays", .number(JSONNumber(30))),
        ])
        #expect(
            pointers(value) == [
                "/predicate/dataRetention/0/deletionOnRequest", "/predicate/dataRetention/0/storageCountries",
                "/predicate/dataRetention/0/usedForTraining",
            ])
    }
}

// MARK: - Dates

@Suite("ManifestReader: dates")
struct ManifestReaderDateTests {
    static let issued = "/predicate/audits/0/issued"

    @Test("issued and expires accept an RFC 3339 full-date or date-time", arguments: [
        "2026-03-01", "2026-03-01T09:30:00Z", "2026-03-01T09:30:00.5+01:00", "2026-03-01t09:30:00z",
    ])
    func goodDates(text: String) throws {
        let value = try editing(try example(), at: Self.issued, to: .string(text))
        #expect(try ManifestReader.read(value).predicate.audits.first?.issued == text)
    }

    @Test("a date that is not RFC 3339 is refused", arguments: [
        "March 2026", "2026-3-1", "01/03/2026", "2026-02-30", "2026-13-01", "2026-03-01T09:30:00",
        "2026-03-01 09:30:00Z", "2026",
    ])
    func badDates(text: String) throws {
        let value = try editing(try example(), at: Self.issued, to: .string(text))
        #expect(pointers(value) == [Self.issued])
        let reported = try #require(message(at: Self.issued, in: value))
        #expect(reported.hasPrefix("\"\(text)\" is not an RFC 3339 date (2026-01-31) or date-time"))
    }

    @Test("an audit cannot expire before it was issued")
    func expiresBeforeIssued() throws {
        let value = try editing(try example(), at: "/predicate/audits/0/expires", to: .string("2025-12-31"))
        #expect(pointers(value) == ["/predicate/audits/0/expires"])
        #expect(message(at: "/predicate/audits/0/expires", in: value) == "expires before it was issued")
    }
}

// MARK: - Subjects

@Suite("ManifestReader: subjects")
struct ManifestReaderSubjectTests {
    @Test("a subject path that could leave the model directory is refused", arguments: [
        ("../etc/passwd", "contains a '..' component"),
        ("weights/../../etc/passwd", "contains a '..' component"),
        ("/etc/passwd", "absolute path"),
        ("./config.json", "contains a '.' component"),
        ("weights//a.bin", "contains an empty component"),
        ("weights/", "contains an empty component"),
        ("a\u{0}b", "contains a NUL byte"),
        ("a\\b", "contains a backslash"),
        ("a\nb", "contains a line break"),
        ("", "empty path"),
    ])
    func badPath(path: String, reason: String) throws {
        let value = try editing(try twoSubjects(), at: "/subject/0/name", to: .string(path))
        #expect(pointers(value) == ["/subject/0/name"])
        let reported = try #require(message(at: "/subject/0/name", in: value))
        #expect(reported.hasSuffix(reason) || (path.isEmpty && reported == "required, not filled in"), "\(reported)")
    }

    @Test("nested relative paths and dot-files are fine")
    func goodPaths() throws {
        let dotFile = "{name: .gitattributes, digest: {sha256: \"\(String(repeating: "e", count: 64))\"}}"
        let value = try editing(try example(), [
            ("/subject/0/name", .string("weights/model-00001-of-00002.safetensors")),
            ("/subject/-", try yaml(dotFile)),
        ])
        #expect(try ManifestReader.read(value).subject.count == 2)
    }

    @Test("duplicate subject paths are refused, naming the first")
    func duplicatePaths() throws {
        let duplicate = try yaml("{name: config.json, digest: {sha256: \"\(String(repeating: "1", count: 64))\"}}")
        let value = try editing(try example(), at: "/subject/-", to: duplicate)
        #expect(pointers(value) == ["/subject/1/name"])
        #expect(message(at: "/subject/1/name", in: value) == "duplicate subject path \"config.json\" (also /subject/0)")
    }

    @Test("a subject digest must be 64 lowercase hex characters", arguments: [
        "abc123", String(repeating: "A", count: 64), String(repeating: "0", count: 63),
        String(repeating: "g", count: 64), "sha256:" + String(repeating: "0", count: 64),
    ])
    func badDigest(digest: String) throws {
        let value = try editing(try twoSubjects(), at: "/subject/0/digest/sha256", to: .string(digest))
        #expect(pointers(value) == ["/subject/0/digest/sha256"])
        let expected = "\"\(digest)\" is not 64 lowercase hex characters"
        #expect(message(at: "/subject/0/digest/sha256", in: value) == expected)
    }

    @Test("one refused subject is not also reported as an empty subject list")
    func singleBadSubject() throws {
        let value = try editing(try example(), at: "/subject/0/name", to: .string("../etc/passwd"))
        #expect(pointers(value) == ["/subject/0/name"])
    }

    @Test("the subject list must name at least one artifact")
    func emptySubject() throws {
        #expect(pointers(try editing(try example(), at: "/subject", to: .array([]))) == ["/subject"])
    }

    @Test("digests elsewhere follow the same rule")
    func otherDigests() throws {
        let value = try editing(try example(), [
            ("/predicate/lineage/parents/0/manifestDigest/sha256", .string("9F2C")),
            ("/predicate/audits/0/evidence/digest/sha256", .string("")),
        ])
        #expect(
            pointers(value) == [
                "/predicate/audits/0/evidence/digest/sha256", "/predicate/lineage/parents/0/manifestDigest/sha256",
            ])
    }
}

// MARK: - Hosting

@Suite("ManifestReader: hosting")
struct ManifestReaderHostingTests {
    @Test("a managed service without dataFlows is refused")
    func managedWithoutFlows() throws {
        let value = try editing(try example(), [
            ("/predicate/hosting", try managedHosting()), ("/predicate/hosting/dataFlows", nil),
        ])
        #expect(pointers(value) == ["/predicate/hosting/dataFlows"])
        #expect(message(at: "/predicate/hosting/dataFlows", in: value) == "required member is missing")
    }

    @Test("a managed service must declare provider, service, regions, law, sub-processors and data flows")
    func managedNeedsEverything() throws {
        let value = try editing(try example(), at: "/predicate/hosting/mode", to: .string("managed-service"))
        #expect(
            pointers(value) == [
                "/predicate/hosting/dataFlows", "/predicate/hosting/governingJurisdictions",
                "/predicate/hosting/provider", "/predicate/hosting/regions", "/predicate/hosting/service",
                "/predicate/hosting/subProcessors",
            ])
    }

    @Test("self-hosted needs none of them")
    func selfHostedNeedsNothing() throws {
        #expect(problems(try example()).isEmpty)
    }
}

// MARK: - YAML

@Suite("ManifestReader: YAML")
struct ManifestReaderYAMLTests {
    @Test("core-schema scalars: NO, yes and on stay strings")
    func noStaysString() throws {
        let value = try yaml("country: NO\nflag: yes\nswitch: on\nnone: ~\nreal: true\nversion: 1.0\nhex: 0x1F\n")
        #expect(value["country"] == .string("NO"))
        #expect(value["flag"] == .string("yes"))
        #expect(value["switch"] == .string("on"))
        #expect(value["none"] == .null)
        #expect(value["real"] == .bool(true))
        #expect(value["version"] == .number(try #require(JSONNumber(literal: "1.0"))))
        #expect(value["hex"] == .string("0x1F"))
    }

    @Test("country: NO in a manifest is Norway")
    func norway() throws {
        let text = try packageFile("docs/examples/manifest.yaml")
        let edited = text.replacingOccurrences(
            of: "      legalName: \"Acme AI, Inc.\"\n      country: \"US\"\n      aliases",
            with: "      legalName: \"Acme AI, Inc.\"\n      country: NO\n      aliases")
        #expect(edited != text)
        #expect(try ManifestReader.read(try yaml(edited)).predicate.origin.developer.country == "NO")
    }

    @Test("an unquoted version like 1.0 is a number, and is refused")
    func unquotedVersion() throws {
        let text = try packageFile("docs/examples/manifest.yaml")
        let edited = text.replacingOccurrences(of: "version: \"1.2.0\"", with: "version: 1.0")
        #expect(edited != text)
        let value = try yaml(edited)
        #expect(pointers(value) == ["/predicate/model/version"])
        #expect(message(at: "/predicate/model/version", in: value) == "expected a string, found number")
    }

    @Test("a duplicate key is refused")
    func duplicateKey() throws {
        let error = try #require(throws: YAMLDocument.ParseError.self) {
            try yaml("model:\n  name: a\n  name: b\n")
        }
        // Yams finds it first and names the key; YAMLDocument's own check is the backstop.
        #expect(error.message.contains("'name'") || error.message.contains("\"name\""), "\(error)")
        #expect(error.message.contains("duplicate"), "\(error)")
    }

    @Test("an alias is expanded by the parser, within the node budget, into the same strict value")
    func alias() throws {
        let value = try yaml("base: &b {x: 1}\nother: *b\n")
        #expect(value["other"] == value["base"])
        #expect(value["other"]?["x"]?.numberValue?.int64 == 1)
    }

    @Test("alias expansion is bounded: a billion laughs is refused, not expanded")
    func billionLaughs() throws {
        var text = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
        for (previous, name) in zip(names, names.dropFirst()) {
            text += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ", ") + "]\n"
        }
        let error = try #require(throws: YAMLDocument.ParseError.self) { try yaml(text) }
        #expect(error.message.contains("more than 1000000 nodes"), "\(error)")
    }

    @Test("a merge key is not merged: it stays a member named <<, which the reader refuses")
    func mergeKey() throws {
        let text = try packageFile("docs/examples/manifest.yaml")
            .replacingOccurrences(of: "  model:\n", with: "  model:\n    <<: {format: gguf}\n")
        #expect(text.contains("<<: {format: gguf}"))
        #expect(pointers(try yaml(text)) == ["/predicate/model/<<"])
    }

    @Test("a non-string key and a second document are refused")
    func otherYAMLProblems() throws {
        #expect(throws: YAMLDocument.ParseError.self) { try yaml("[a]: 1\n") }
        #expect(throws: YAMLDocument.ParseError.self) { try yaml("a: 1\n---\nb: 2\n") }
    }
}
