import AuditCrypto

/// One entry of a screening list.
public struct ScreeningEntry: Sendable, Equatable {
    /// The list the entry comes from inside a consolidated file (e.g. "Entity List (EL) - Bureau of ...").
    public let source: String
    public let name: String
    /// Other names of the entity, from the `;`-separated `alt_names` column.
    public let altNames: [String]
    public let country: String?
    public let addresses: String?
    public let federalRegisterNotice: String?
    public let startDate: String?
    /// The 1-based line of the row in the list file.
    public let line: Int

    public init(
        source: String, name: String, altNames: [String] = [], country: String? = nil, addresses: String? = nil,
        federalRegisterNotice: String? = nil, startDate: String? = nil, line: Int
    ) {
        self.source = source
        self.name = name
        self.altNames = altNames
        self.country = country
        self.addresses = addresses
        self.federalRegisterNotice = federalRegisterNotice
        self.startDate = startDate
        self.line = line
    }
}

/// An entity list (such as the US Consolidated Screening List) indexed for exact normalised-name lookup.
///
/// The file is a CSV in the Consolidated Screening List layout. Required columns, matched
/// case-insensitively: `source`, `name`, `alt_names`, `country`, `addresses`, `federal_register_notice`,
/// `start_date`; any other column (`_id`, `entity_number`, `type`, `programs`, …) is ignored. Every name
/// and alias is normalised once, at load, both by `EntityName.normalize` and by `EntityName.matchingKeys`
/// (its confusable skeletons), so a query costs a few normalisations and dictionary lookups.
public struct ScreeningList: Sendable {
    /// The caller-given id the policy names the list by.
    public let id: String
    public let path: String
    /// Lowercase hex SHA-256 of the file bytes, so a report says exactly which list it used.
    public let sha256: String
    public let entries: [ScreeningEntry]

    /// The names and aliases of every entry, by their forms.
    private let names: NameIndex
    /// What each name asked about matched, so a fleet run looks each distinct developer, publisher or host up once
    /// per list: the answer depends on the name and the list alone.
    private let remembered: NameMemo<[ScreeningMatch]>

    /// The entries' names and aliases by normal form and by matching key, and the look-up over them.
    private struct NameIndex: Sendable {
        let id: String
        let entries: [ScreeningEntry]
        /// Normalised name → every (entry, name) that normalises to it; at most one per entry.
        let index: [String: [NameReference]]
        /// Matching key (normal form of the skeleton) → every (entry, name) with that key; at most one per entry.
        let keyIndex: [String: [NameReference]]

        /// Entries in list order, one match per entry, preferring a match on the readable form.
        func matches(for name: ScreeningName) -> [ScreeningMatch] {
            var found: [Int: ScreeningMatch] = [:]
            for form in name.forms where !form.normalized.isEmpty {
                for reference in index[form.normalized.value] ?? [] where found[reference.entry] == nil {
                    found[reference.entry] = ScreeningMatch(
                        listID: id, entry: entries[reference.entry], matchedName: reference.name,
                        queriedName: name.name)
                }
            }
            for key in name.forms.flatMap(\.keys) where !key.isEmpty {
                for reference in keyIndex[key.value] ?? [] where found[reference.entry] == nil {
                    found[reference.entry] = ScreeningMatch(
                        listID: id, entry: entries[reference.entry], matchedName: reference.name,
                        queriedName: name.name, throughLookAlikes: true)
                }
            }
            return found.keys.sorted().compactMap { found[$0] }
        }
    }

    private struct NameReference: Sendable {
        let entry: Int
        /// The entry's name or alias, as written in the list.
        let name: String
    }

    /// The columns a list must have, in the CSL's spelling.
    public static let requiredColumns = [
        "source", "name", "alt_names", "country", "addresses", "federal_register_notice", "start_date",
    ]

    /// The default ceiling on a list file's size, 64 MiB; `load` callers can lower or raise it.
    public static let defaultMaxBytes = 64 << 20

    /// A list built from entries already in memory.
    public init(id: String, path: String, sha256: String, entries: [ScreeningEntry]) {
        self.id = id
        self.path = path
        self.sha256 = sha256
        self.entries = entries
        var index: [String: [NameReference]] = [:]
        var keyIndex: [String: [NameReference]] = [:]
        for (position, entry) in entries.enumerated() {
            var seen: Set<String> = []
            var seenKeys: Set<String> = []
            for name in [entry.name] + entry.altNames {
                let normalized = EntityName.normalize(name)
                // An empty normal form (a name that is only a legal form) would match every other such name.
                if !normalized.isEmpty, seen.insert(normalized.value).inserted {
                    index[normalized.value, default: []].append(NameReference(entry: position, name: name))
                }
                for key in EntityName.matchingKeys(name) where !key.isEmpty && seenKeys.insert(key.value).inserted {
                    keyIndex[key.value, default: []].append(NameReference(entry: position, name: name))
                }
            }
        }
        let names = NameIndex(id: id, entries: entries, index: index, keyIndex: keyIndex)
        self.names = names
        self.remembered = NameMemo { name in names.matches(for: ScreeningName(name)) }
    }

    /// Reads and parses the list file at `path`, refusing files larger than `maxBytes`.
    public static func load(id: String, path: String, maxBytes: Int = defaultMaxBytes) throws -> ScreeningList {
        let bytes: [UInt8]
        do {
            bytes = try InputFile.read(path, limit: maxBytes)
        } catch {
            let reason: String
            switch error.kind {
            case .missing: reason = "no such file"
            case .notRegularFile: reason = "not a regular file"
            case .tooLarge(let limit): reason = "larger than the \(limit)-byte limit"
            case .unreadable(let detail): reason = detail
            }
            throw ScreeningListError(path: path, line: nil, message: "cannot read screening list: \(reason)")
        }
        return try parse(id: id, path: path, bytes: bytes, maxBytes: maxBytes)
    }

    /// Parses list file contents already in memory; `path` is only used in messages and reports.
    public static func parse(id: String, path: String, bytes: [UInt8]) throws -> ScreeningList {
        try parse(id: id, path: path, bytes: bytes, maxBytes: defaultMaxBytes)
    }

    private static func parse(id: String, path: String, bytes: [UInt8], maxBytes: Int) throws -> ScreeningList {
        let table: CSVTable
        do {
            table = try CSVReader.parse(bytes, limits: CSVReader.Limits(maxBytes: maxBytes))
        } catch {
            throw ScreeningListError(path: path, line: error.line, message: error.message)
        }
        let columns = try columnPositions(header: table.header, path: path)
        var entries: [ScreeningEntry] = []
        entries.reserveCapacity(table.records.count)
        for record in table.records {
            func value(_ column: KeyPath<Columns, Int>) -> String {
                record.fields[columns[keyPath: column]].trimmingWhitespace()
            }
            func optional(_ column: KeyPath<Columns, Int>) -> String? {
                let text = value(column)
                return text.isEmpty ? nil : text
            }
            let name = value(\.name)
            guard !name.isEmpty else {
                throw ScreeningListError(path: path, line: record.line, message: "empty name")
            }
            let altNames = value(\.altNames).split(separator: ";")
                .map { String($0).trimmingWhitespace() }
                .filter { !$0.isEmpty }
            entries.append(
                ScreeningEntry(
                    source: value(\.source),
                    name: name,
                    altNames: altNames,
                    country: optional(\.country),
                    addresses: optional(\.addresses),
                    federalRegisterNotice: optional(\.federalRegisterNotice),
                    startDate: optional(\.startDate),
                    line: record.line
                )
            )
        }
        let digest: String
        do {
            digest = try Digests.sha256Hex(bytes)
        } catch {
            throw ScreeningListError(path: path, line: nil, message: "cannot hash screening list: \(error)")
        }
        return ScreeningList(id: id, path: path, sha256: digest, entries: entries)
    }

    /// Where each required column is in a file's header.
    private struct Columns {
        let source, name, altNames, country, addresses, federalRegisterNotice, startDate: Int
    }

    /// Finds each required column in the header; every missing column is named at once.
    private static func columnPositions(header: [String], path: String) throws -> Columns {
        var positions: [String: Int] = [:]
        for (position, title) in header.enumerated() {
            let key = title.trimmingWhitespace().lowercased()
            guard requiredColumns.contains(key) else { continue }
            guard positions[key] == nil else {
                throw ScreeningListError(path: path, line: 1, message: "column \"\(key)\" appears more than once")
            }
            positions[key] = position
        }
        let missing = requiredColumns.filter { positions[$0] == nil }
        guard missing.isEmpty else {
            let list = missing.map { "\"\($0)\"" }.joined(separator: ", ")
            let noun = missing.count == 1 ? "column" : "columns"
            throw ScreeningListError(path: path, line: 1, message: "missing required \(noun) \(list)")
        }
        func position(_ column: String) -> Int { positions[column] ?? 0 }
        return Columns(
            source: position("source"), name: position("name"), altNames: position("alt_names"),
            country: position("country"), addresses: position("addresses"),
            federalRegisterNotice: position("federal_register_notice"), startDate: position("start_date")
        )
    }

    /// Every entry whose name or any alt name matches `name` after normalisation.
    ///
    /// A name matches when its `EntityName.normalize` form or one of its `EntityName.matchingKeys` (confusable
    /// skeletons) equals one of a listed name; a name that normalises to nothing matches nothing. Entries come
    /// back in list order, one match per entry, preferring a match on the readable form.
    public func matches(for name: String) -> [ScreeningMatch] {
        matches(for: ScreeningName(name))
    }

    /// `matches(for:)` for a name already analysed; remembered by the name, which the analysis follows from.
    public func matches(for name: ScreeningName) -> [ScreeningMatch] {
        remembered.value(for: name.name) { names.matches(for: name) }
    }
}

/// A screening-list entry that a queried name matched.
public struct ScreeningMatch: Sendable, Equatable {
    public let listID: String
    public let entry: ScreeningEntry
    /// The entry name or alias that matched, as the list spells it.
    public let matchedName: String
    /// The name that was looked up, as given.
    public let queriedName: String
    /// True when the names agree only in their confusable skeletons: they look alike but are spelled apart.
    public let throughLookAlikes: Bool

    public init(
        listID: String, entry: ScreeningEntry, matchedName: String, queriedName: String, throughLookAlikes: Bool = false
    ) {
        self.listID = listID
        self.entry = entry
        self.matchedName = matchedName
        self.queriedName = queriedName
        self.throughLookAlikes = throughLookAlikes
    }
}

/// Why a screening list could not be read or parsed.
public struct ScreeningListError: AuditError, Equatable {
    public var code: AuditErrorCode { .invalidPolicy }

    public let path: String
    /// The 1-based line of the problem, when it is on one line.
    public let line: Int?
    public let message: String

    public init(path: String, line: Int?, message: String) {
        self.path = path
        self.line = line
        self.message = message
    }

    public var description: String {
        if let line { return "\(path):\(line): \(message)" }
        return "\(path): \(message)"
    }
}

extension String {
    /// The string without leading and trailing Unicode whitespace (including NBSP), without Foundation.
    fileprivate func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
