import Foundation

/// An exclusive lock held for a read → change → write-back of one file, so concurrent writers take turns.
///
/// The lock is a POSIX record lock (`fcntl` with `F_SETLK`) on `TARGET.lock`, an empty file beside the target.
/// Taking it for the whole read-modify-write means every writer starts from what the previous writer left, so
/// no update is silently replaced by a writer that read the file before it.
///
/// - The kernel releases the lock when its holder exits in any way, SIGKILL included: a crashed writer never
///   leaves a lock that blocks the others, and there is no PID file to go stale.
/// - The lock file is created on first use and never removed: removing it while another writer waits on it
///   would let two writers lock two different files.
/// - Waiting is bounded: the lock is retried after a short, growing pause until the timeout; the error then
///   names the target, the lock file and, when the kernel reports it (`F_GETLK`), the process holding it.
/// - POSIX record locks belong to a process, not a thread, so writers inside one process are also serialised
///   here, by lock file path, before the kernel lock is taken.
///
/// File systems without working `fcntl` locks (some network file systems) cannot give this guarantee.
public final class FileLock {
    /// How long a writer waits for another one unless told otherwise.
    public static let defaultTimeout: Duration = .seconds(10)

    /// Why the lock could not be taken; nothing was read or written.
    public struct LockError: AuditError {
        public var code: AuditErrorCode { .locked }

        public enum Reason: Sendable, Equatable {
            /// Another writer held the lock for the whole wait; `holder` is its PID when the kernel says.
            case timedOut(holder: Int32?, waited: Duration)
            /// The lock file could not be created, opened or locked at all.
            case unavailable(String)
        }

        /// The file the lock protects.
        public let target: String
        public let lockPath: String
        public let reason: Reason

        public var description: String {
            switch reason {
            case .timedOut(let holder, let waited):
                let who: String
                if let holder {
                    who = holder == getpid() ? "another writer in this process (\(holder))" : "process \(holder)"
                } else {
                    who = "another process"
                }
                return "cannot lock \(target): \(lockPath) is held by \(who); gave up after waiting "
                    + "\(FileLock.secondsText(waited)) s (--lock-timeout sets the wait)"
            case .unavailable(let why):
                return "cannot lock \(target): \(lockPath): \(why)"
            }
        }
    }

    /// The file the lock protects.
    public let target: String
    /// `TARGET.lock`, beside the target.
    public let lockPath: String
    private var descriptor: Int32
    private let claimedPath: String

    private init(target: String, lockPath: String, descriptor: Int32, claimedPath: String) {
        self.target = target
        self.lockPath = lockPath
        self.descriptor = descriptor
        self.claimedPath = claimedPath
    }

    deinit {
        release()
    }

    /// Runs `body` while holding the exclusive lock on `target`, waiting at most `timeout` for it.
    public static func withExclusiveLock<Result>(
        on target: String, timeout: Duration = defaultTimeout, _ body: () throws -> Result
    ) throws -> Result {
        let lock = try acquire(for: target, timeout: timeout)
        defer { lock.release() }
        return try body()
    }

    /// Takes the exclusive lock on `target`, waiting at most `timeout` for the writer holding it.
    public static func acquire(for target: String, timeout: Duration = defaultTimeout) throws(LockError) -> FileLock {
        let resolved = AtomicFile.resolvingSymbolicLink(target)
        let lockPath = resolved + ".lock"
        func failure(_ reason: LockError.Reason) -> LockError {
            LockError(target: target, lockPath: lockPath, reason: reason)
        }
        let directory = (resolved as NSString).deletingLastPathComponent
        guard let canonicalDirectory = realPath(directory.isEmpty ? "." : directory) else {
            throw failure(.unavailable("cannot open the directory: \(String(cString: strerror(errno)))"))
        }
        let claimedPath = canonicalDirectory + "/" + (lockPath as NSString).lastPathComponent
        let clock = ContinuousClock()
        let start = clock.now
        var pause = Duration.milliseconds(2)
        func waitOrGiveUp(holder: () -> Int32?) throws(LockError) {
            let waited = clock.now - start
            if waited >= timeout { throw failure(.timedOut(holder: holder(), waited: waited)) }
            // Jitter keeps a crowd of waiters from retrying in lock step.
            let jittered = secondsValue(pause) * Double.random(in: 0.5...1.0)
            Thread.sleep(forTimeInterval: min(jittered, secondsValue(timeout - waited)))
            pause = min(pause * 2, .milliseconds(50))
        }

        while !HeldLockFiles.shared.claim(claimedPath) {
            try waitOrGiveUp { getpid() }
        }
        var claimed = true
        defer { if claimed { HeldLockFiles.shared.relinquish(claimedPath) } }

        // O_NOFOLLOW: a symbolic link planted as the lock file is refused rather than followed.
        let descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o666)
        guard descriptor >= 0 else {
            throw failure(.unavailable(String(cString: strerror(errno))))
        }
        var keepDescriptor = false
        defer { if !keepDescriptor { close(descriptor) } }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw failure(.unavailable("not a regular file"))
        }
        while true {
            var request = wholeFileWriteLock()
            if fcntl(descriptor, F_SETLK, &request) == 0 { break }
            let code = errno
            switch code {
            case EINTR:
                continue
            case EACCES, EAGAIN:
                try waitOrGiveUp { holder(of: descriptor) }
            case ENOLCK, EOPNOTSUPP, ENOSYS:
                throw failure(.unavailable("the file system does not support fcntl locks ("
                    + String(cString: strerror(code)) + "); shared files need a local file system"))
            default:
                throw failure(.unavailable(String(cString: strerror(code))))
            }
        }
        keepDescriptor = true
        claimed = false
        return FileLock(target: target, lockPath: lockPath, descriptor: descriptor, claimedPath: claimedPath)
    }

    /// Releases the lock; later calls do nothing.
    public func release() {
        guard descriptor >= 0 else { return }
        // Closing the descriptor drops the process's record locks on the file.
        close(descriptor)
        descriptor = -1
        HeldLockFiles.shared.relinquish(claimedPath)
    }

    /// The PID holding a conflicting lock, when the kernel reports one (not for locks from another PID namespace
    /// or open-file-description locks, which it reports as 0 or -1).
    private static func holder(of descriptor: Int32) -> Int32? {
        var probe = wholeFileWriteLock()
        guard fcntl(descriptor, F_GETLK, &probe) == 0, probe.l_type != Int16(F_UNLCK), probe.l_pid > 0 else {
            return nil
        }
        return Int32(probe.l_pid)
    }

    private static func wholeFileWriteLock() -> flock {
        var request = flock()
        request.l_type = Int16(F_WRLCK)
        request.l_whence = Int16(SEEK_SET)
        request.l_start = 0
        request.l_len = 0
        return request
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func secondsValue(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func secondsText(_ duration: Duration) -> String {
        String(format: "%.1f", secondsValue(duration))
    }
}

/// The lock files this process holds: POSIX record locks do not exclude threads of the same process, and closing
/// any descriptor of a lock file would drop the process's lock on it, so a second writer here must wait before
/// it even opens the file.
private final class HeldLockFiles: @unchecked Sendable {
    static let shared = HeldLockFiles()
    private let mutex = NSLock()
    private var paths: Set<String> = []

    func claim(_ path: String) -> Bool {
        mutex.withLock { paths.insert(path).inserted }
    }

    func relinquish(_ path: String) {
        mutex.withLock { _ = paths.remove(path) }
    }
}
