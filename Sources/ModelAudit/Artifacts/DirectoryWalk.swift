import AuditCrypto
import Dispatch
import Foundation

// MARK: - Walking

extension ModelDirectory {
    /// A regular file found by the walk.
    struct FileEntry: Sendable {
        let path: String
        let size: UInt64
    }

    /// A directory still to be read: its logical path and its physical components below the walk's base.
    private struct PendingDirectory {
        let relative: [UInt8]
        let physical: [[UInt8]]
    }

    /// A symbolic link met in follow mode, resolved after the plain tree so real paths win over linked ones.
    private struct PendingLink {
        let relative: String
        let physicalParent: [[UInt8]]
        let name: [UInt8]
    }

    /// The identity of a directory, to walk each physical directory once.
    private struct DirectoryID: Hashable {
        let device: UInt64
        let inode: UInt64

        init(_ info: stat) {
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
        }
    }

    /// Lists every regular file and every problem; throws only when the root itself cannot be read.
    func walk() throws -> (files: [FileEntry], problems: [ArtifactProblem]) {
        let opener = try Opener(root: root, followSymlinks: options.followSymlinks)
        var files: [FileEntry] = []
        var problems: [ArtifactProblem] = []
        var visited: Set<DirectoryID> = []
        var rootInfo = stat()
        guard stat(opener.baseC, &rootInfo) == 0 else {
            throw ArtifactError(problems: [ArtifactProblem(path: root, kind: .unreadable(Self.describe(errno)))])
        }
        visited.insert(DirectoryID(rootInfo))
        var directories = [PendingDirectory(relative: [], physical: [])]
        var links: [PendingLink] = []

        func report(_ path: String, _ kind: ArtifactProblem.Kind) {
            problems.append(ArtifactProblem(path: path, kind: kind))
        }
        /// A directory's name in messages: its relative path, or the root as given.
        func label(_ relative: [UInt8]) -> String {
            relative.isEmpty ? root : ArtifactPath.display(relative)
        }

        while true {
            while let directory = directories.popLast() {
                let opened = opener.open(directory.physical, directory: true)
                guard case .success(let handle) = opened else {
                    if case .failure(let failure) = opened {
                        report(label(directory.relative), failure.kind)
                    }
                    continue
                }
                guard let stream = fdopendir(handle.fd) else {
                    report(label(directory.relative), .unreadable(Self.describe(errno)))
                    close(handle.fd)
                    continue
                }
                defer { closedir(stream) }
                let dirFD = dirfd(stream)
                while true {
                    errno = 0
                    guard let entry = readdir(stream) else {
                        if errno != 0 {
                            report(label(directory.relative), .unreadable(Self.describe(errno)))
                        }
                        break
                    }
                    let name = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
                    if name == [0x2E] || name == [0x2E, 0x2E] { continue }
                    let relativeBytes = directory.relative.isEmpty ? name : directory.relative + [0x2F] + name
                    guard let relative = String(validating: relativeBytes, as: UTF8.self) else {
                        report(ArtifactPath.display(relativeBytes), .invalidName("not valid UTF-8"))
                        continue
                    }
                    var info = stat()
                    guard fstatat(dirFD, name.cString, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
                        report(relative, .unreadable(Self.describe(errno)))
                        continue
                    }
                    let type = info.st_mode & S_IFMT
                    if options.ignore.ignores(relative, isDirectory: type == S_IFDIR) { continue }
                    if let reason = ArtifactPath.problem(with: relative) {
                        report(ArtifactPath.display(relativeBytes), .invalidName(reason))
                        continue
                    }
                    switch type {
                    case S_IFREG:
                        files.append(FileEntry(path: relative, size: UInt64(max(info.st_size, 0))))
                    case S_IFDIR:
                        visited.insert(DirectoryID(info))
                        directories.append(
                            PendingDirectory(relative: relativeBytes, physical: directory.physical + [name]))
                    case S_IFLNK:
                        if options.followSymlinks {
                            links.append(
                                PendingLink(relative: relative, physicalParent: directory.physical, name: name))
                        } else {
                            report(relative, .symlink(target: Self.readLink(dirFD, name)))
                        }
                    default:
                        report(relative, .notRegularFile(Self.typeName(info.st_mode)))
                    }
                }
            }
            guard !links.isEmpty else { break }
            // Links are resolved after the plain tree, in path order, so the result does not depend on readdir order.
            let batch = links.sorted { $0.relative.utf8.lexicographicallyPrecedes($1.relative.utf8) }
            links.removeAll()
            for link in batch {
                switch opener.resolveLink(parent: link.physicalParent, name: link.name) {
                case .failure(let failure):
                    report(link.relative, failure.kind)
                case .success(let (physical, info)):
                    let isDirectory = info.st_mode & S_IFMT == S_IFDIR
                    if options.ignore.ignores(link.relative, isDirectory: isDirectory) { continue }
                    if isDirectory {
                        let (inserted, _) = visited.insert(DirectoryID(info))
                        guard inserted else {
                            report(link.relative, .symlinkLoop(target: opener.linkText(link.physicalParent, link.name)))
                            continue
                        }
                        directories.append(PendingDirectory(relative: Array(link.relative.utf8), physical: physical))
                    } else if info.st_mode & S_IFMT == S_IFREG {
                        files.append(FileEntry(path: link.relative, size: UInt64(max(info.st_size, 0))))
                    } else {
                        report(link.relative, .notRegularFile(Self.typeName(info.st_mode)))
                    }
                }
            }
        }
        problems.append(contentsOf: Self.normalizationClashes(files.map(\.path)))
        files.sort { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        problems.sort { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        return (files, problems)
    }

    /// Names that differ only in Unicode normalization compare equal as Swift strings, so a dictionary keyed by
    /// path (here or in any caller) could silently merge two different files: both are refused.
    private static func normalizationClashes(_ paths: [String]) -> [ArtifactProblem] {
        var groups: [String: Set<[UInt8]>] = [:]
        for path in paths { groups[path, default: []].insert(Array(path.utf8)) }
        var problems: [ArtifactProblem] = []
        for (_, variants) in groups where variants.count > 1 {
            for bytes in variants {
                problems.append(
                    ArtifactProblem(
                        path: ArtifactPath.display(bytes),
                        kind: .invalidName("differs from another file's name only in Unicode normalization")))
            }
        }
        return problems
    }

    static func describe(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    static func typeName(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFIFO: return "FIFO"
        case S_IFSOCK: return "socket"
        case S_IFCHR: return "character device"
        case S_IFBLK: return "block device"
        case S_IFDIR: return "directory"
        case S_IFLNK: return "symbolic link"
        default: return "special file"
        }
    }

    static func readLink(_ dirFD: Int32, _ name: [UInt8]) -> String {
        var buffer = [UInt8](repeating: 0, count: 4097)
        let count = buffer.withUnsafeMutableBufferPointer { out in
            out.baseAddress.map { base in
                base.withMemoryRebound(to: CChar.self, capacity: out.count) {
                    readlinkat(dirFD, name.cString, $0, out.count - 1)
                }
            } ?? -1
        }
        guard count >= 0 else { return "?" }
        return ArtifactPath.display(Array(buffer.prefix(count)))
    }
}
