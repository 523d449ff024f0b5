import ArgumentParser
import Foundation
import ModelAudit

/// `audit policy`: validate policies and run their fixtures.
struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Validate a policy, or run policy fixtures like tests.",
        subcommands: [PolicyCheckCommand.self, PolicyTestCommand.self]
    )
}

/// `audit policy check`: loads a policy and lists every problem.
struct PolicyCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a policy file (and every file it extends).",
        discussion: """
            Lists every problem with its location: unknown keys, unknown rule types, invalid country codes, \
            waivers naming missing rules, unreadable screening lists. Waivers that have already expired (as of \
            --at, or now) are listed as warnings. Exit 0 when valid, 2 when not.

            Examples:
              audit policy check policies/enterprise-default.yaml
            """
    )

    @Argument(help: ArgumentHelp("The policy file.", valueName: "policy"))
    var policy: String

    @OptionGroup var timeOptions: TimeOptions

    func run() throws {
        let loaded = try PolicyLoader.load(path: policy)
        let now = timeOptions.time
        let enforced = loaded.rules.filter { $0.header.enforcement == .enforce }.count
        print(TerminalText.escape(
            "\(policy): valid — policy \"\(loaded.name)\", \(loaded.rules.count) rules (\(enforced) enforced), "
                + "\(loaded.waivers.count) waiver(s), \(loaded.screeningLists.count) screening list(s)"))
        for source in loaded.sources {
            print(TerminalText.escape("  \(source.file)  sha256:\(source.sha256)"))
        }
        // An expired waiver is valid policy but covers nothing any more; whoever maintains the policy should know.
        for (index, waiver) in loaded.waivers.enumerated() where waiver.expiryDate < now {
            let scope = waiver.modelName.map { " for model \"\($0)\"" } ?? waiver.developer.map { " for \"\($0)\"" } ?? ""
            print(TerminalText.escape(
                "warning: /waivers/\(index): the waiver of \(waiver.rule)\(scope) expired on \(waiver.expires) and "
                    + "no longer applies; renew it with a new expiry or remove it"))
        }
    }
}

/// `audit policy test`: runs fixture cases against a policy.
struct PolicyTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run policy fixtures: manifests with the status each rule must reach.",
        discussion: """
            Each case file in DIR names a manifest (a provenance statement, unsigned) and the expected status of \
            rules by id (pass, fail, warn, waived, error, not-applicable); see docs/policy.md. Exit 0 when every \
            expectation holds, 1 when one does not, 2 when a case or the policy is invalid.

            Examples:
              audit policy test Tests/Fixtures/policy/cases --policy policies/enterprise-default.yaml
              audit policy test Tests/Fixtures/policy/cases --policy policies/enterprise-default.yaml --format junit -o policy.xml
            """
    )

    @Argument(help: ArgumentHelp("Directory of case files.", valueName: "dir"))
    var directory: String

    @Option(name: .long, help: ArgumentHelp("The policy under test.", valueName: "file"))
    var policy: String

    @OptionGroup var timeOptions: TimeOptions

    @Option(name: .long, help: "Output format: text or junit.")
    var format: PolicyTestFormat = .text

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("Write the results here.", valueName: "file"))
    var output: String?

    enum PolicyTestFormat: String, CaseArgument {
        case text
        case junit
    }

    func run() throws {
        let loaded = try PolicyLoader.load(path: policy)
        let results = try PolicyTestSuite.run(directory: directory, policy: loaded, defaultTime: timeOptions.time)
        let text: String
        switch format {
        case .text: text = PolicyTestSuite.text(results)
        case .junit: text = PolicyTestSuite.junit(results, suite: loaded.name)
        }
        if let output {
            try AtomicFile.write(Array(text.utf8), to: output)
            print(PolicyTestSuite.summaryLine(results))
        } else {
            print(text, terminator: "")
        }
        if results.contains(where: { !$0.passed }) { throw AuditExit.notVerified }
    }
}
