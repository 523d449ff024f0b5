import Foundation
import Testing

/// `audit digest --algorithm blake2b|blake3` and `--shard-size N`, checked against independent tools.
@Suite("audit digest: BLAKE2b, BLAKE3 and shards")
struct DigestAlgorithmEndToEndTests {
    /// A model whose big file spans several shards of 100,000 bytes, plus an empty file.
    static func setUp() throws -> Workspace {
        let ws = try Workspace()
        try ws.write("model/weights.bin", String(repeating: "0123456789abcdef", count: 20_000))
        try ws.write("model/config.json", "{\"layers\": 2}")
        try ws.write("model/empty.bin", "")
        return ws
    }

    @Test("blake2b matches openssl's BLAKE2b-512 for every file")
    func blake2b() throws {
        let ws = try Self.setUp()
        let result = try ws.run(["digest", "model", "--algorithm", "blake2b"])
        #expect(result.exitCode == 0, "\(result)")
        let model = ws.url.appendingPathComponent("model")
        for line in result.stdout.split(separator: "\n") {
            let hex = String(line.prefix(128))
            let name = String(line.dropFirst(130))
            let openssl = try DigestEndToEndTests.runTool(["openssl", "dgst", "-blake2b512", "-r", name], in: model)
            #expect(openssl.status == 0, "\(openssl.output)")
            #expect(openssl.output.hasPrefix(hex + " "), "\(name): ours \(hex), openssl \(openssl.output)")
        }
        #expect(result.stdout.split(separator: "\n").count == 3)
    }

    @Test("blake3 prints BLAKE3's digest of the empty file and 64-hex digests for all")
    func blake3() throws {
        let ws = try Self.setUp()
        let result = try ws.run(["digest", "model", "--algorithm", "blake3"])
        #expect(result.exitCode == 0, "\(result)")
        #expect(
            result.stdout.contains("af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262  empty.bin"),
            "\(result)")
        for line in result.stdout.split(separator: "\n") {
            #expect(line.prefix(64).allSatisfy(\.isHexDigit) && line.dropFirst(64).hasPrefix("  "), "\(line)")
        }
    }

    @Test("--shard-size prints one line per shard, [start, end), and none for an empty file")
    func shards() throws {
        let ws = try Self.setUp()
        let result = try ws.run(["digest", "model", "--shard-size", "100000"])
        #expect(result.exitCode == 0, "\(result)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(
            lines.map { String($0.dropFirst(66)) } == [
                "config.json:0:13", "weights.bin:0:100000", "weights.bin:100000:200000", "weights.bin:200000:300000",
                "weights.bin:300000:320000",
            ])
        // Each shard digest is the SHA-256 of exactly those bytes.
        let weights = Array(try ws.read("model/weights.bin"))
        for line in lines where line.contains("weights.bin:") {
            let fields = line.split(separator: ":")
            let start = try #require(Int(fields[fields.count - 2]))
            let end = try #require(Int(fields[fields.count - 1]))
            try ws.write("slice", bytes: Data(weights[start..<end]))
            let check = try DigestEndToEndTests.runTool(["sha256sum", ws.path("slice")], in: ws.url)
            #expect(check.output.hasPrefix(String(line.prefix(64))), "\(line) vs \(check.output)")
        }
    }

    @Test("a zero or negative --shard-size is a usage error", arguments: ["0", "-5"])
    func badShardSize(size: String) throws {
        let ws = try Self.setUp()
        let result = try ws.run(["digest", "model", "--shard-size=\(size)"])
        #expect(result.exitCode == 64, "\(result)")
        #expect(result.stderr.contains("--shard-size must be a positive number of bytes"), "\(result)")
        #expect(result.stdout.isEmpty)
    }

    @Test("an unknown algorithm is a usage error that lists the known ones")
    func unknownAlgorithm() throws {
        let ws = try Self.setUp()
        let result = try ws.run(["digest", "model", "--algorithm", "md5"])
        #expect(result.exitCode == 64, "\(result)")
        #expect(result.stderr.contains("blake3"), "\(result)")
    }
}
