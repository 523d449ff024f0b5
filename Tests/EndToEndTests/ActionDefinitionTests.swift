import Foundation
import ModelAudit
import Testing

/// `action.yml` and its documentation cannot drift: every input is documented in the README, and every flag the
/// action passes to `audit verify` is one the binary accepts.
@Suite("GitHub Action definition")
struct ActionDefinitionTests {
    static let root = AuditBinary.packageRoot

    @Test func everyInputIsDocumentedAndEveryFlagExists() throws {
        let bytes = Array(try Data(contentsOf: Self.root.appendingPathComponent("action.yml")))
        let action = try StructuredDocument.parse(bytes, path: "action.yml")
        let inputs = try #require(action["inputs"]?.objectValue)
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        for name in inputs.keys {
            #expect(readme.contains("| `\(name)` |"), "input \(name) is not in the README's table")
        }
        #expect(action["runs"]?["using"]?.stringValue == "composite")

        let help = try AuditBinary.run(["verify", "--help"]).stdout
        let steps = action["runs"]?["steps"]?.arrayValue ?? []
        let scripts = steps.compactMap { $0["run"]?.stringValue }.joined(separator: "\n")
        let flags = Set(scripts.matches(of: /\(?(--[a-z-]+)/).map { String($0.output.1) })
        #expect(!flags.isEmpty)
        for flag in flags where !["--depth", "--no-install-recommends", "--generate-completion-script"].contains(flag) {
            #expect(help.contains(flag), "action.yml passes \(flag), which audit verify does not accept")
        }
    }
}
