import Foundation

/// The names in one directory, each with the type `readdir` gives beside it.
///
/// Most file systems say with each name whether it is a file, a directory or a link, so listing a fleet of ten
/// thousand manifests takes no `stat` per name; only a link, or a name whose type the file system did not give,
/// needs one (`followedType`).
struct DirectoryEntries {
    struct Entry {
        let name: String
        /// `d_type`: `DT_REG`, `DT_DIR`, `DT_LNK`, … or `DT_UNKNOWN`.
        let type: UInt8
    }

    /// What a name is once links are followed, as `FileManager.fileExists(atPath:isDirectory:)` sees it.
    enum Followed {
        case missing, directory, other
    }

    let directory: String
    let entries: [Entry]

    /// Every name except `.` and `..`, in the order the directory gives them. A name that is not valid UTF-8 is read
    /// with replacement characters, so such a file is still listed (and then fails to open by that name) rather than
    /// silently left out of a fleet.
    init(reading directory: String) throws(InputFile.ReadError) {
        guard let stream = opendir(directory) else {
            let code = errno
            throw InputFile.ReadError(
                path: directory, kind: code == ENOENT ? .missing : .unreadable(String(cString: strerror(code))))
        }
        defer { closedir(stream) }
        var entries: [Entry] = []
        while true {
            errno = 0
            guard let entry = readdir(stream) else {
                if errno != 0 {
                    throw InputFile.ReadError(path: directory, kind: .unreadable(String(cString: strerror(errno))))
                }
                break
            }
            let type = entry.pointee.d_type
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            entries.append(Entry(name: name, type: type))
        }
        self.directory = directory
        self.entries = entries
    }

    /// The entry's type with links followed: from `d_type` when it says file or directory, else by `stat`.
    func followedType(_ entry: Entry) -> Followed {
        switch Int32(entry.type) {
        case Int32(DT_REG): return .other
        case Int32(DT_DIR): return .directory
        case Int32(DT_LNK), Int32(DT_UNKNOWN):
            var info = stat()
            guard stat(path(entry.name), &info) == 0 else { return .missing }
            return info.st_mode & S_IFMT == S_IFDIR ? .directory : .other
        default: return .other
        }
    }

    /// The path of `name` inside the directory, as the directory was given (without doubling a trailing `/`).
    func path(_ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}
