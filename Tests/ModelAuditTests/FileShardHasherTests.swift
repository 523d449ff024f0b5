import AuditCrypto
import Foundation
import Testing

@testable import ModelAudit

/// `FileShardHasher` and `ModelDirectory.shardDigests`: shard layout, digests, and refusals.
@Suite("File shards")
struct FileShardHasherTests {
    /// A temporary directory holding the given files, removed afterwards.
    final class Scratch {
        let root: String

        init(_ files: [String: [UInt8]]) throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("shards-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            for (name, bytes) in files {
                try Data(bytes).write(to: URL(fileURLWithPath: root + "/" + name))
            }
        }

        deinit { try? FileManager.default.removeItem(atPath: root) }
    }

    static let bytes = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 8) }

    @Test(
        "shards tile the file in order and each digest is of exactly its bytes",
        arguments: [(1, 10_000), (3, 3334), (4096, 3), (9_999, 2), (10_000, 1), (10_001, 1), (Int64.max, 1)])
    func layout(shardSize: Int64, expectedCount: Int) throws {
        let scratch = try Scratch(["weights.bin": Self.bytes])
        let model = try ModelDirectory(root: scratch.root)
        for algorithm in [DigestAlgorithm.sha256, .blake3] {
            let shards = try model.shardDigests(of: "weights.bin", shardSize: shardSize, algorithm: algorithm)
            #expect(shards.count == expectedCount)
            var next: UInt64 = 0
            for shard in shards {
                #expect(shard.start == next)
                #expect(shard.end > shard.start)
                #expect(shard.end - shard.start <= UInt64(shardSize))
                next = shard.end
            }
            #expect(next == UInt64(Self.bytes.count))
            // Spot-check digests (all of them for the small counts; every 997th for one-byte shards).
            for (index, shard) in shards.enumerated() where shards.count < 100 || index % 997 == 0 {
                let slice = Array(Self.bytes[Int(shard.start)..<Int(shard.end)])
                #expect(shard.digest == Hex.encode(try Digests.hash(slice, algorithm: algorithm)))
            }
        }
    }

    @Test("an empty file has no shards")
    func emptyFile() throws {
        let scratch = try Scratch(["empty.bin": []])
        let model = try ModelDirectory(root: scratch.root)
        #expect(try model.shardDigests(of: "empty.bin", shardSize: 1024).isEmpty)
    }

    @Test("a zero or negative shard size is refused", arguments: [Int64(0), -1, Int64.min])
    func invalidShardSize(shardSize: Int64) throws {
        let scratch = try Scratch(["weights.bin": Self.bytes])
        let model = try ModelDirectory(root: scratch.root)
        #expect(throws: FileShardHasher.InvalidShardSize(shardSize: shardSize)) {
            try model.shardDigests(of: "weights.bin", shardSize: shardSize)
        }
        let fd = open(scratch.root + "/weights.bin", O_RDONLY)
        defer { close(fd) }
        #expect(throws: FileShardHasher.InvalidShardSize(shardSize: shardSize)) {
            try FileShardHasher.shards(
                of: fd, path: "weights.bin", size: 10_000, shardSize: shardSize, algorithm: .sha256)
        }
    }

    @Test("a size that does not match the file is an error, not a shorter or longer list")
    func wrongSize() throws {
        let scratch = try Scratch(["weights.bin": Self.bytes])
        let fd = open(scratch.root + "/weights.bin", O_RDONLY)
        #expect(fd >= 0)
        defer { close(fd) }
        // Claims more bytes than there are: the last shard's read runs off the end.
        #expect(throws: ArtifactProblem.self) {
            try FileShardHasher.shards(of: fd, path: "weights.bin", size: 12_000, shardSize: 1000, algorithm: .sha256)
        }
        // Claims fewer: every shard reads fine, but the size check afterwards fails.
        do {
            _ = try FileShardHasher.shards(
                of: fd, path: "weights.bin", size: 9_000, shardSize: 1000, algorithm: .sha256)
            Issue.record("a wrong size was accepted")
        } catch let problem as ArtifactProblem {
            #expect(problem.description.contains("changed size"), "\(problem)")
        }
    }

    @Test("the file is opened by the safe opener: a symbolic link and a bad name are refused")
    func safeOpen() throws {
        let scratch = try Scratch(["weights.bin": Self.bytes])
        try FileManager.default.createSymbolicLink(
            atPath: scratch.root + "/link.bin", withDestinationPath: "weights.bin")
        let model = try ModelDirectory(root: scratch.root)
        do {
            _ = try model.shardDigests(of: "link.bin", shardSize: 100)
            Issue.record("a symbolic link was hashed")
        } catch let error as ArtifactError {
            #expect(error.description.contains("symbolic link"), "\(error)")
        }
        #expect(throws: ArtifactError.self) { try model.shardDigests(of: "../weights.bin", shardSize: 100) }
        #expect(throws: ArtifactError.self) { try model.shardDigests(of: "missing.bin", shardSize: 100) }
    }
}
