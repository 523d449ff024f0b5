import AuditCrypto
import Dispatch
import Foundation

// MARK: - Opening files beneath the root

extension [UInt8] {
    /// The bytes as a NUL-terminated C string.
    var cString: [CChar] {
        map { CChar(bitPattern: $0) } + [0]
    }
}

/// Why a path beneath the root could not be opened (the path is added by the caller).
struct OpenFailure: Error {
    let kind: ArtifactProblem.Kind

    init(_ kind: ArtifactProblem.Kind) {
        self.kind = kind
    }
}

extension Result where Failure == OpenFailure {
    static func refused(_ kind: ArtifactProblem.Kind) -> Self { .failure(OpenFailure(kind)) }
}

/// An open file or directory and what `fstat` says about it.
struct OpenedEntry {
    let fd: Int32
    let info: stat
}

/// Opens paths beneath the model directory so that no symbolic link can lead outside it.
///
/// Without `followSymlinks`, every component is opened with `openat(…, O_NOFOLLOW)` from the root, so any link
/// on the way is refused, even one swapped in after the walk. With it, the path is first resolved with
/// `realpath`, checked to lie inside the real root, and the resolved path is then opened the same way.
struct Opener {
    let root: String
    let followSymlinks: Bool
    /// The root as given, or its `realpath` when following links: every physical path is relative to it.
    let base: [UInt8]

    var baseC: [CChar] { base.cString }

    init(root: String, followSymlinks: Bool) throws {
        self.root = root
        self.followSymlinks = followSymlinks
        if followSymlinks {
            guard let real = Self.realPath(Array(root.utf8)) else {
                throw ArtifactError(problems: [
                    ArtifactProblem(path: root, kind: .unreadable(ModelDirectory.describe(errno)))
                ])
            }
            base = real
        } else {
            base = Array(root.utf8)
        }
    }

    static func realPath(_ path: [UInt8]) -> [UInt8]? {
        guard let resolved = realpath(path.cString, nil) else { return nil }
        defer { free(resolved) }
        return Array(UnsafeBufferPointer(start: resolved, count: strlen(resolved)).map { UInt8(bitPattern: $0) })
    }

    /// Opens the logical relative path `relative` (already checked by `ArtifactPath`).
    func open(relative: String, directory: Bool) -> Result<OpenedEntry, OpenFailure> {
        let components = relative.utf8.split(separator: 0x2F).map { Array($0) }
        guard followSymlinks else { return open(components, directory: directory) }
        return resolve(Array(root.utf8) + [0x2F] + Array(relative.utf8)).flatMap { open($0, directory: directory) }
    }

    /// Resolves a symbolic link found at `parent`/`name` to its physical components and what it points to.
    func resolveLink(parent: [[UInt8]], name: [UInt8]) -> Result<([[UInt8]], stat), OpenFailure> {
        let path = physicalPath(parent + [name])
        return resolve(path).flatMap { physical in
            var info = stat()
            guard stat(physicalPath(physical).cString, &info) == 0 else {
                return .refused(.unreadable(ModelDirectory.describe(errno)))
            }
            return .success((physical, info))
        }
    }

    /// The target text of the link at `parent`/`name`, for messages.
    func linkText(_ parent: [[UInt8]], _ name: [UInt8]) -> String {
        let path = physicalPath(parent + [name])
        var buffer = [CChar](repeating: 0, count: 4097)
        let count = readlink(path.cString, &buffer, buffer.count - 1)
        guard count >= 0 else { return "?" }
        return ArtifactPath.display(buffer.prefix(count).map { UInt8(bitPattern: $0) })
    }

    private func physicalPath(_ components: [[UInt8]]) -> [UInt8] {
        components.reduce(base) { $0 + [0x2F] + $1 }
    }

    /// `realpath` of an absolute or root-relative path, as components below the real root, or why not.
    private func resolve(_ path: [UInt8]) -> Result<[[UInt8]], OpenFailure> {
        guard let real = Self.realPath(path) else {
            let code = errno
            var info = stat()
            let isLink = lstat(path.cString, &info) == 0 && info.st_mode & S_IFMT == S_IFLNK
            let target = isLink ? linkTarget(path) : ""
            switch code {
            case ENOENT where isLink: return .refused(.unreadable("dangling symbolic link to \(target)"))
            case ENOENT, ENOTDIR: return .refused(.missing)
            case ELOOP: return .refused(.symlinkLoop(target: target.isEmpty ? "?" : target))
            default: return .refused(.unreadable(ModelDirectory.describe(code)))
            }
        }
        let prefix = base == [0x2F] ? base : base + [0x2F]
        guard real.starts(with: prefix) else {
            if real == base { return .refused(.symlinkLoop(target: ArtifactPath.display(real))) }
            return .refused(.symlinkOutside(target: ArtifactPath.display(real)))
        }
        return .success(real.dropFirst(prefix.count).split(separator: 0x2F).map { Array($0) })
    }

    private func linkTarget(_ path: [UInt8]) -> String {
        var buffer = [CChar](repeating: 0, count: 4097)
        let count = readlink(path.cString, &buffer, buffer.count - 1)
        guard count >= 0 else { return "?" }
        return ArtifactPath.display(buffer.prefix(count).map { UInt8(bitPattern: $0) })
    }

    /// Opens physical components below `base`, one `openat(…, O_NOFOLLOW)` at a time, checking each type first so
    /// that nothing but a directory or a regular file is ever opened.
    func open(_ components: [[UInt8]], directory: Bool) -> Result<OpenedEntry, OpenFailure> {
        var fd = Foundation.open(baseC, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else {
            return .refused(.unreadable("cannot open the model directory: \(describe(errno))"))
        }
        for (index, name) in components.enumerated() {
            let isLast = index == components.count - 1
            let wantDirectory = !isLast || directory
            var info = stat()
            guard fstatat(fd, name.cString, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
                let code = errno
                close(fd)
                return .refused(code == ENOENT || code == ENOTDIR ? .missing : .unreadable(describe(code)))
            }
            let type = info.st_mode & S_IFMT
            if type == S_IFLNK {
                let target = ModelDirectory.readLink(fd, name)
                close(fd)
                return .refused(.symlink(target: target))
            }
            if wantDirectory ? type != S_IFDIR : type != S_IFREG {
                close(fd)
                if !isLast { return .refused(.missing) }
                return .refused(.notRegularFile(ModelDirectory.typeName(info.st_mode)))
            }
            let flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | (wantDirectory ? O_DIRECTORY : 0)
            let next = openat(fd, name.cString, flags)
            let code = errno
            close(fd)
            guard next >= 0 else {
                switch code {
                case ELOOP: return .refused(.symlink(target: "?"))
                case ENOENT: return .refused(.missing)
                default: return .refused(.unreadable(describe(code)))
                }
            }
            fd = next
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let code = errno
            close(fd)
            return .refused(.unreadable(describe(code)))
        }
        // The type was checked before opening; checked again here in case the entry was replaced in between.
        let type = info.st_mode & S_IFMT
        guard directory ? type == S_IFDIR : type == S_IFREG else {
            close(fd)
            return .refused(.notRegularFile(ModelDirectory.typeName(info.st_mode)))
        }
        if !directory { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) }
        return .success(OpenedEntry(fd: fd, info: info))
    }

    private func describe(_ code: Int32) -> String { ModelDirectory.describe(code) }
}
