import Foundation

/// Whether the owner of a trusted key is the party a signed document names.
///
/// A document's party names are claims made by whoever signed it; the key's owner comes from the trust store.
/// They agree when the owner, normalised (`EntityName`), equals the party's legal name — or its name when no
/// legal name is given. Aliases are never used here: they are chosen by the signer, so an alias matching the
/// owner would let any key vouch for any name.
public enum PartyIdentity {
    /// Owners and party names already normalised: a fleet run compares the same ones thousands of times.
    private static let normalizedNames = NameMemo { EntityName.normalize($0) }

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
        let normalizedOwner = normalizedNames(owner)
        guard !normalizedOwner.isEmpty else { return false }
        return normalizedNames(bindingName(legalName: legalName, name: name)) == normalizedOwner
    }
}
