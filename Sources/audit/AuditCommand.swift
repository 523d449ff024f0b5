import ArgumentParser
import Foundation
import ModelAudit

/// The `audit` command: decides whether a model may be deployed, and proves why.
@main
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Verify signed model provenance and decide whether a model may be deployed.",
        discussion: """
            Exit codes: 0 verified/compliant, 1 not verified/non-compliant, 2 could not evaluate \
            (unreadable or malformed input, invalid trust store), 64 usage error.
            """,
        version: ModelAuditVersion.current,
        subcommands: [
            KeygenCommand.self, InitCommand.self, DigestCommand.self, SignCommand.self, VerifyCommand.self,
            ShowCommand.self, ReportCommand.self, LineageCommand.self, CustodyCommand.self, PolicyCommand.self,
            EnvelopeCommand.self, TrustCommand.self, LedgerCommand.self,
        ]
    )

    /// Runs the command, mapping the library's errors to one line on stderr and the documented exit codes.
    static func main() {
        var command: ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            exitForArgumentError(error)
        }
        do {
            try command.run()
        } catch let failure as CLIFailure {
            failure.report()
            Foundation.exit(failure.exitCode.rawValue)
        } catch let error as ExitCode {
            exit(withError: error)
        } catch {
            // ArgumentParser's own errors (help, usage, validation) print themselves with their exit codes.
            if String(reflecting: type(of: error)).hasPrefix("ArgumentParser.") { exitForArgumentError(error) }
            let failure = CLIFailure(libraryError: error) ?? CLIFailure(unexpected: error)
            failure.report()
            Foundation.exit(failure.exitCode.rawValue)
        }
    }

    /// Help and version go to standard output as ArgumentParser prints them; a usage error is printed like every other
    /// error, `audit: error: …` (escaped, as it may quote input), followed by the usage lines, with exit 64.
    static func exitForArgumentError(_ error: Error) -> Never {
        let code = exitCode(for: error)
        guard code != .success else { exit(withError: error) }
        let message = fullMessage(for: error)
        let lines = (message.hasPrefix("Error: ") ? String(message.dropFirst(7)) : message)
            .split(separator: "\n", omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() {
            Terminal.printError(index == 0 ? "audit: error: \(line)" : String(line))
        }
        Foundation.exit(code.rawValue)
    }
}
