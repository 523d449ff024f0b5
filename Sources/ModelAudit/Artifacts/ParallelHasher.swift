import AuditCrypto
import Dispatch
import Foundation

// MARK: - Hashing

extension ModelDirectory {
    /// Hashes `files` on a fixed pool of workers, largest first; results come back in the order of `files`.
    func hash(_ files: [FileEntry], algorithm: DigestAlgorithm, progress: DigestProgress?)
        -> [Result<ArtifactDigest, ArtifactProblem>]
    {
        guard !files.isEmpty else { return [] }
        // Largest first, so the last file to start is a small one and the workers finish together.
        let order = files.indices.sorted { (files[$0].size, $1) > (files[$1].size, $0) }
        let queue = HashQueue(order: order)
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, files.count))
        let opener: Opener
        do {
            opener = try Opener(root: root, followSymlinks: options.followSymlinks)
        } catch {
            let problem = (error as? ArtifactError)?.problems.first
                ?? ArtifactProblem(path: root, kind: .unreadable("\(error)"))
            return files.map { _ in .failure(problem) }
        }
        progress?.started(totalBytes: files.reduce(0) { $0 + $1.size }, files: files.count)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.chunkSize, alignment: 64)
            defer { buffer.deallocate() }
            while let index = queue.next() {
                let result = Self.hashFile(
                    files[index].path, opener: opener, algorithm: algorithm, buffer: buffer, progress: progress)
                queue.store(result, at: index)
            }
        }
        progress?.finished()
        return queue.results(count: files.count)
    }

    /// Hashes one file through `buffer`, failing if its size changes while it is read.
    private static func hashFile(
        _ path: String, opener: Opener, algorithm: DigestAlgorithm, buffer: UnsafeMutableRawBufferPointer,
        progress: DigestProgress?
    ) -> Result<ArtifactDigest, ArtifactProblem> {
        let handle: OpenedEntry
        switch opener.open(relative: path, directory: false) {
        case .failure(let failure): return .failure(ArtifactProblem(path: path, kind: failure.kind))
        case .success(let opened): handle = opened
        }
        defer { close(handle.fd) }
        #if os(Linux)
        _ = posix_fadvise(handle.fd, 0, 0, Int32(POSIX_FADV_SEQUENTIAL))
        #endif
        let expectedSize = UInt64(max(handle.info.st_size, 0))
        do {
            let digest = try StreamingDigest(algorithm)
            var total: UInt64 = 0
            while true {
                let count = read(handle.fd, buffer.baseAddress, buffer.count)
                if count < 0 {
                    if errno == EINTR { continue }
                    return .failure(ArtifactProblem(path: path, kind: .unreadable("read failed: \(describe(errno))")))
                }
                if count == 0 { break }
                total += UInt64(count)
                // A file that keeps growing (someone appending) must not be hashed forever.
                guard total <= expectedSize else {
                    return .failure(ArtifactProblem(path: path, kind: .unreadable("file grew while it was hashed")))
                }
                try digest.update(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
                progress?.advanced(bytes: UInt64(count))
            }
            guard total == expectedSize else {
                return .failure(ArtifactProblem(path: path, kind: .unreadable("file shrank while it was hashed")))
            }
            let hex = Hex.encode(try digest.finalize())
            return .success(ArtifactDigest(path: path, algorithm: algorithm, digest: hex, size: total))
        } catch {
            return .failure(ArtifactProblem(path: path, kind: .unreadable("\(error)")))
        }
    }
}

/// The shared work list of the hashing workers: the next file to take and the results, behind one lock.
private final class HashQueue: @unchecked Sendable {
    private let lock = NSLock()
    private let order: [Int]
    private var position = 0
    private var slots: [Result<ArtifactDigest, ArtifactProblem>?]

    init(order: [Int]) {
        self.order = order
        slots = Array(repeating: nil, count: order.count)
    }

    func next() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard position < order.count else { return nil }
        position += 1
        return order[position - 1]
    }

    func store(_ result: Result<ArtifactDigest, ArtifactProblem>, at index: Int) {
        lock.lock()
        slots[index] = result
        lock.unlock()
    }

    func results(count: Int) -> [Result<ArtifactDigest, ArtifactProblem>] {
        lock.lock()
        defer { lock.unlock() }
        return slots.map { $0 ?? .failure(ArtifactProblem(path: "", kind: .unreadable("not hashed"))) }
    }
}
