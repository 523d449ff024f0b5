import ArgumentParser
import AuditCrypto
import Foundation
import ModelAudit

/// `audit custody`: records the chain of custody of a model.
struct CustodyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "custody",
        abstract: "Record a model's chain of custody, one signed hop at a time.",
        subcommands: [CustodyAppendCommand.self]
    )
}

/// `audit custody append`: signs the next hop and appends it to the bundle.
struct CustodyAppendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "append",
        abstract: "Sign a custody record for the next hop and append it to the model's bundle.",
        discussion: """
            The record names the digest of the previous record (or of the signed manifest for the first hop), \
            so the bundle forms a hash chain from origin to deployment. Actions that change the files \
            (converted, quantized, fine-tuned) need --model-dir: the record lists the files it read and the \
            files it produced. The bundle is MANIFEST's stem + .custody.jsonl unless --custody names one. See \
            docs/custody.md.

            Concurrent appenders take turns: each holds a lock on BUNDLE.lock while it reads the last record, signs \
            and writes the bundle, waiting at most --lock-timeout seconds for the others (then exit 2, nothing \
            written). A write that fails (full disk, read-only directory) leaves the bundle as it was, exit 2.

            Examples:
              audit custody append model.json --action published --actor "Acme AI" --actor-country US --key dev.key
              audit custody append model.json --action quantized --actor "Community Lab" --actor-country DE \\
                --model-dir weights-q4/ --key lab.key
              audit custody append model.json --action deployed --actor "Example Corp" --actor-country US \\
                --country US --location us-east-1 --key deployer.key
            """
    )

    @Argument(help: ArgumentHelp("The model's signed manifest.", valueName: "manifest"))
    var manifest: String

    @Option(name: .long, help: "What happened: \(CustodyAction.allCases.map(\.rawValue).joined(separator: ", ")).")
    var action: CustodyAction

    @Option(name: .long, help: "The custodian's name.")
    var actor: String

    @Option(name: .long, help: "The custodian's legal name.")
    var actorLegalName: String?

    @Option(name: .long, help: "The custodian's country of incorporation (ISO 3166-1 alpha-2).")
    var actorCountry: String

    @Option(name: .long, help: "Where the hop took place (ISO 3166-1 alpha-2); default: the actor's country.")
    var country: String?

    @Option(name: .long, help: "Site, region or registry of the hop.")
    var location: String?

    @Option(name: .long, help: "Free-text note.")
    var note: String?

    @Option(name: .long, help: ArgumentHelp("The files after a transformation.", valueName: "dir"))
    var modelDir: String?

    @Option(name: .long, help: ArgumentHelp("The custody bundle to append to.", valueName: "file"))
    var custody: String?

    @Option(name: .long, help: ArgumentHelp("The custodian's private key (PEM).", valueName: "key"))
    var key: String

    @OptionGroup var passphraseOptions: PassphraseOptions
    @OptionGroup var signingKeys: SigningKeyOptions
    @OptionGroup var timeOptions: TimeOptions
    @OptionGroup var lockOptions: LockOptions

    func validate() throws {
        for code in [actorCountry, country].compactMap({ $0 }) where CountryCode.problem(with: code) != nil {
            throw ValidationError(CountryCode.problem(with: code) ?? "invalid country")
        }
        if action.transformsArtifacts && modelDir == nil {
            throw ValidationError("\(action.rawValue) changes the files: give --model-dir with the files after it")
        }
        if !action.transformsArtifacts && modelDir != nil {
            throw ValidationError("\(action.rawValue) does not change the files: --model-dir is only for converted, "
                + "quantized and fine-tuned")
        }
    }

    func run() throws {
        let privateKey = try signingKeys.load(key, passphrase: try passphraseOptions.passphrase())
        var newSubject: [Subject]?
        if let modelDir {
            newSubject = try ModelDirectory(root: modelDir).digests(progress: TerminalProgress()).map {
                Subject(name: $0.path, sha256: $0.digest)
            }
        }
        let bundle = custody ?? CustodyBundle.defaultPath(forManifest: manifest)
        let hop = CustodyAppender.Hop(
            action: action,
            actor: LegalEntity(
                name: actor, legalName: actorLegalName, country: actorCountry, aliases: nil, parent: nil,
                affiliations: nil),
            // Without --at, the time is taken when the record is signed, holding the bundle's lock.
            country: country ?? actorCountry, location: location, time: timeOptions.at.flatMap(RFC3339.parse),
            note: note, newSubject: newSubject)
        let digest = try CustodyAppender.append(
            hop, manifestPath: manifest, bundlePath: bundle, key: privateKey, lockTimeout: lockOptions.timeout)
        print("appended \(action.rawValue) by \(actor) to \(bundle) (record sha256:\(digest), signed by "
            + "\(privateKey.publicKey.keyID))")
    }
}

extension CustodyAction: CaseArgument {}
