import AuditCrypto
import Dispatch
import Foundation

/// The digest of one shard of a file: the bytes in `[start, end)`.
public struct FileShardDigest: Sendable, Equatable {
    public let start: UInt64
    /// Exclusive.
    public let end: UInt64
    /// Lowercase hex.
    public let digest: String

    public init(start: UInt64, end: UInt64, digest: String) {
        self.start = start
        self.end = end
        self.digest = digest
    }
}

/// Hashes one file as consecutive fixed-size shards, the shards in parallel on all cores.
///
/// Shard *i* covers `[i × shardSize, min((i + 1) × shardSize, size))`, so every shard but the last is exactly
/// `shardSize` bytes. This is OpenSSF model signing's shard mode (`sha256-sharded-N`): one digest per shard, in
/// order. An **empty file has no shards** (an empty list, as the reference tool produces); a caller that must
/// account for empty files has to do so by name, not through this list.
///
/// Each shard is read with `pread`, so workers share the one descriptor without moving its offset. After the last
/// shard the file's size is checked again: a file that grew or shrank while it was hashed is an error, never a
/// shorter or longer list.
public enum FileShardHasher {
    /// A shard size that cannot cut a file (zero or negative).
    public struct InvalidShardSize: Error, Sendable, Equatable, CustomStringConvertible {
        public let shardSize: Int64

        public var description: String { "shard size must be a positive number of bytes, not \(shardSize)" }
    }

    /// The ordered shard digests of the open regular file `fd` of `size` bytes (as `fstat` reported it).
    ///
    /// - Parameters:
    ///   - path: names the file in errors only.
    /// - Throws: `InvalidShardSize` when `shardSize <= 0`; `ArtifactProblem` (`.unreadable`) when a read fails or the
    ///   file's size changes.
    public static func shards(
        of fd: Int32, path: String, size: UInt64, shardSize: Int64, algorithm: DigestAlgorithm
    ) throws -> [FileShardDigest] {
        guard shardSize > 0 else { throw InvalidShardSize(shardSize: shardSize) }
        let step = UInt64(shardSize)
        let count = Int((size / step) + (size % step == 0 ? 0 : 1))
        guard count > 0 else { return [] }
        let results = ShardResults(count: count)
        let workers = min(max(1, ProcessInfo.processInfo.activeProcessorCount), count)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let index = results.next() {
                let start = UInt64(index) * step
                let end = min(start + step, size)
                do {
                    let digest = try Digests.hashFileRange(
                        descriptor: fd, offset: start, length: end - start, algorithm: algorithm)
                    let shard = FileShardDigest(start: start, end: end, digest: Hex.encode(digest))
                    results.store(.success(shard), at: index)
                } catch {
                    results.store(.failure(ArtifactProblem(path: path, kind: .unreadable("\(error)"))), at: index)
                }
            }
        }
        var shards: [FileShardDigest] = []
        shards.reserveCapacity(count)
        for result in results.all() {
            switch result {
            case .success(let shard): shards.append(shard)
            case .failure(let problem): throw problem
            }
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw ArtifactProblem(path: path, kind: .unreadable(ModelDirectory.describe(errno)))
        }
        guard UInt64(max(info.st_size, 0)) == size else {
            let reason = "file changed size while it was hashed (\(size) → \(info.st_size) bytes)"
            throw ArtifactProblem(path: path, kind: .unreadable(reason))
        }
        return shards
    }
}

extension ModelDirectory {
    /// The shard digests of one file of the model directory, opened with the same link and file-type rules as the
    /// rest of the directory (see `FileShardHasher` for the shard layout; an empty file has none).
    ///
    /// - Throws: `FileShardHasher.InvalidShardSize`, or `ArtifactError` naming the file when it cannot be opened
    ///   safely or read.
    public func shardDigests(of path: String, shardSize: Int64, algorithm: DigestAlgorithm = .sha256) throws
        -> [FileShardDigest]
    {
        guard shardSize > 0 else { throw FileShardHasher.InvalidShardSize(shardSize: shardSize) }
        if let reason = ArtifactPath.problem(with: path) {
            let display = ArtifactPath.display(Array(path.utf8))
            throw ArtifactError(problems: [ArtifactProblem(path: display, kind: .invalidName(reason))])
        }
        let opener = try Opener(root: root, followSymlinks: options.followSymlinks)
        let handle: OpenedEntry
        switch opener.open(relative: path, directory: false) {
        case .failure(let failure): throw ArtifactError(problems: [ArtifactProblem(path: path, kind: failure.kind)])
        case .success(let opened): handle = opened
        }
        defer { close(handle.fd) }
        do {
            return try FileShardHasher.shards(
                of: handle.fd, path: path, size: UInt64(max(handle.info.st_size, 0)), shardSize: shardSize,
                algorithm: algorithm)
        } catch let problem as ArtifactProblem {
            throw ArtifactError(problems: [problem])
        }
    }
}

/// The shard queue the workers share: the next index to take and the results, behind one lock.
private final class ShardResults: @unchecked Sendable {
    private let lock = NSLock()
    private var position = 0
    private var slots: [Result<FileShardDigest, ArtifactProblem>?]

    init(count: Int) {
        slots = Array(repeating: nil, count: count)
    }

    func next() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard position < slots.count else { return nil }
        position += 1
        return position - 1
    }

    func store(_ result: Result<FileShardDigest, ArtifactProblem>, at index: Int) {
        lock.lock()
        slots[index] = result
        lock.unlock()
    }

    func all() -> [Result<FileShardDigest, ArtifactProblem>] {
        lock.lock()
        defer { lock.unlock() }
        return slots.map { $0 ?? .failure(ArtifactProblem(path: "", kind: .unreadable("shard not hashed"))) }
    }
}
