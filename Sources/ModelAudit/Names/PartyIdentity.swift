import Foundation

/// Whether the owner of a trusted key is the party a signed document names.
///
/// A document's party names are claims made by whoever signed it; the key's owner comes from the trust store.
/// They agree when the owner, normalised (`EntityName`), equals the party's legal name — or its name when no
/// legal name is given. Aliases are never used here: they are chosen by the signer, so an alias matching the
/// owner would let any key vouch for any name.
public enum PartyIdentity {
    /// The name a party is held to: its legal name when it declares one, else its name.
    public static func bindingName(legalName: String?, name: String) -> String {
        guard let legalName else { return name }
        // Any ASCII character but space and tab makes the name non-blank: decided without trimming through
        // Foundation, which the common case never needs.
        if legalName.utf8.contains(where: { $0 < 0x80 && $0 != 0x20 && $0 != 0x09 }) { return legalName }
        return legalName.trimmingCharacters(in: .whitespaces).isEmpty ? name : legalName
    }

    /// Whether `owner` (from the trust store) is the party declared as `legalName`/`name`.
    public static func owner(_ owner: String, matchesLegalName legalName: String?, name: String) -> Bool {
        let normalizedOwner = NormalizedNameCache.shared.normalize(owner)
        guard !normalizedOwner.isEmpty else { return false }
        return NormalizedNameCache.shared.normalize(bindingName(legalName: legalName, name: name)) == normalizedOwner
    }
}

/// Names already normalised in this process: a fleet run compares the same key owners and developers thousands of
/// times, and `EntityName.normalize` is a pure function of the name, so a remembered result is the result. It stops
/// growing at `capacity` names, so a fleet of unique names costs what it did without it, never unbounded memory.
final class NormalizedNameCache: @unchecked Sendable {
    static let shared = NormalizedNameCache(capacity: 100_000)

    private let lock = NSLock()
    private var names: [String: (name: String, normalized: NormalizedName)] = [:]
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    func normalize(_ name: String) -> NormalizedName {
        lock.lock()
        let known = names[name]
        lock.unlock()
        // String equality is canonical equivalence; a name spelled with other code points is normalised on its own.
        if let known, known.name.utf8.elementsEqual(name.utf8) { return known.normalized }
        let normalized = EntityName.normalize(name)
        lock.lock()
        if names.count < capacity { names[name] = (name, normalized) }
        lock.unlock()
        return normalized
    }
}
