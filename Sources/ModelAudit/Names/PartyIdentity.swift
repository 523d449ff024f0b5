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
        if let legalName, !legalName.trimmingCharacters(in: .whitespaces).isEmpty { return legalName }
        return name
    }

    /// Whether `owner` (from the trust store) is the party declared as `legalName`/`name`.
    public static func owner(_ owner: String, matchesLegalName legalName: String?, name: String) -> Bool {
        let normalizedOwner = EntityName.normalize(owner)
        guard !normalizedOwner.isEmpty else { return false }
        return EntityName.normalize(bindingName(legalName: legalName, name: name)) == normalizedOwner
    }
}
