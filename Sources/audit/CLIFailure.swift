import AuditCrypto
import ArgumentParser
import Foundation
import ModelAudit

/// The documented exit codes; `docs/exit-codes.md` and the README list the same.
enum AuditExit {
    static let compliant = ExitCode(0)
    static let notVerified = ExitCode(1)
    static let couldNotEvaluate = ExitCode(2)
    static let usage = ExitCode(64)
}

/// An error the CLI reports as one line on stderr before exiting with its code.
struct CLIFailure: Error {
    let message: String
    let exitCode: ExitCode

    init(_ message: String, exitCode: ExitCode = AuditExit.couldNotEvaluate) {
        self.message = message
        self.exitCode = exitCode
    }

    /// Every `AuditError` from the library means "could not evaluate" (exit 2).
    init?(libraryError error: Error) {
        guard let error = error as? AuditError else { return nil }
        self.init(error.description)
    }

    /// An error no command expected: a defect, reported as one with exit 2, so it can never read as a failed
    /// verification (exit 1).
    init(unexpected error: Error) {
        self.init("internal error (\(String(reflecting: type(of: error)))): \(error)")
    }

    func report() {
        Terminal.printError("audit: error: \(message)")
    }
}

/// Writes to the standard streams.
enum Terminal {
    /// Writes a message to stderr, which a CI job logs like stdout. Messages quote input (file names, manifest and
    /// policy values, key owners), so the text is escaped (`TerminalText.message`): the indented lines of a problem
    /// list stay lines of their own, any other line break, control character or bidi control becomes an escape.
    static func printError(_ text: String) {
        FileHandle.standardError.write(Data((TerminalText.message(text) + "\n").utf8))
    }

    static func write(_ bytes: [UInt8]) {
        FileHandle.standardOutput.write(Data(bytes))
    }
}
