import Foundation
import Testing

/// `audit digest DIR`: sha256sum-compatible output, and one clear error line for a directory it refuses.
@Suite("audit digest")
struct DigestEndToEndTests {
    /// A workspace with a small model directory `model/`.
    static func setUp() throws -> Workspace {
        let ws = try Workspace()
        try ws.write("model/config.json", "{\"architectures\": [\"Llama\"]}")
        try ws.write("model/model-00001-of-00002.safetensors", String(repeating: "weights", count: 50_000))
        try ws.write("model/model-00002-of-00002.safetensors", "")
        try ws.write("model/tokenizer/tokenizer config.json", "abc")
        try ws.write("model/.git/HEAD", "ref: refs/heads/main")
        return ws
    }

    /// Runs `/usr/bin/env tool arguments…` in `directory`.
    static func runTool(_ arguments: [String], in directory: URL) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func expectError(_ result: AuditBinary.Result, mentions texts: [String]) {
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.stdout.isEmpty, "\(result)")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result)")
        #expect(lines.first?.hasPrefix("audit: error:") == true, "\(result)")
        for text in texts {
            #expect(result.stderr.contains(text), "stderr does not mention \"\(text)\": \(result)")
        }
    }

    @Test("output is accepted by sha256sum -c inside the directory")
    func sha256sumAccepts() throws {
        let ws = try Self.setUp()
        let result = try ws.run(["digest", "model"])
        #expect(result.exitCode == 0, "\(result)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(
            lines.map { String($0.dropFirst(66)) } == [
                "config.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors",
                "tokenizer/tokenizer config.json",
            ])
        #expect(lines.contains("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  "
            + "model-00002-of-00002.safetensors"))
        try ws.write("SHA256SUMS", result.stdout)
        let model = ws.url.appendingPathComponent("model")
        let check = try Self.runTool(["sha256sum", "-c", ws.path("SHA256SUMS")], in: model)
        #expect(check.status == 0, "\(check.output)")
        #expect(check.output.components(separatedBy: ": OK").count == 5, "\(check.output)")

        // And the other way round: a changed file is caught by sha256sum too.
        try ws.write("model/config.json", "{}")
        let tampered = try Self.runTool(["sha256sum", "-c", ws.path("SHA256SUMS")], in: model)
        #expect(tampered.status != 0)
    }

    @Test("sha512 output is accepted by sha512sum -c")
    func sha512() throws {
        let ws = try Self.setUp()
        let result = try ws.run(["digest", "model", "--algorithm", "sha512"])
        #expect(result.exitCode == 0, "\(result)")
        try ws.write("SHA512SUMS", result.stdout)
        let model = ws.url.appendingPathComponent("model")
        let check = try Self.runTool(["sha512sum", "-c", ws.path("SHA512SUMS")], in: model)
        #expect(check.status == 0, "\(check.output)")
    }

    @Test("a symbolic link out of the directory → exit 2, naming the link")
    func symlinkOutside() throws {
        let ws = try Self.setUp()
        try FileManager.default.createSymbolicLink(atPath: ws.path("model/escape"), withDestinationPath: "/etc/passwd")
        Self.expectError(try ws.run(["digest", "model"]), mentions: ["escape", "/etc/passwd"])
        Self.expectError(
            try ws.run(["digest", "model", "--follow-symlinks"]), mentions: ["escape", "outside the model directory"])
    }

    @Test("every problem is listed on the one error line")
    func everyProblem() throws {
        let ws = try Self.setUp()
        try FileManager.default.createSymbolicLink(atPath: ws.path("model/escape"), withDestinationPath: "/etc/passwd")
        try FileManager.default.createSymbolicLink(atPath: ws.path("model/inside"), withDestinationPath: "config.json")
        Self.expectError(try ws.run(["digest", "model"]), mentions: ["2 problems", "escape", "inside"])
        let following = try ws.run(["digest", "model", "--follow-symlinks"])
        Self.expectError(following, mentions: ["escape"])
        #expect(!following.stderr.contains("inside"), "\(following)")
    }

    @Test("an empty directory → exit 2")
    func emptyDirectory() throws {
        let ws = try Workspace()
        try FileManager.default.createDirectory(atPath: ws.path("empty/.git"), withIntermediateDirectories: true)
        Self.expectError(try ws.run(["digest", "empty"]), mentions: ["empty", "no files"])
    }

    @Test("a missing directory or a file → exit 2")
    func notADirectory() throws {
        let ws = try Self.setUp()
        Self.expectError(try ws.run(["digest", "nope"]), mentions: ["nope", "no such file"])
        Self.expectError(try ws.run(["digest", "model/config.json"]), mentions: ["not a directory"])
    }

    @Test("a FIFO → exit 2 without hanging", .timeLimit(.minutes(1)))
    func fifo() throws {
        let ws = try Self.setUp()
        #expect(mkfifo(ws.path("model/pipe"), 0o644) == 0)
        Self.expectError(try ws.run(["digest", "model"]), mentions: ["pipe", "FIFO"])
    }
}
