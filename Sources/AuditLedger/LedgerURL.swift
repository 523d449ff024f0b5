import Foundation
import ModelAudit

/// Where a ledger lives, parsed from `--ledger` / `AUDIT_LEDGER`: `sqlite:PATH` or `postgres://…`.
///
/// The password never appears in `description`: errors and messages print `redacted`.
public enum LedgerURL: Sendable, Equatable, CustomStringConvertible {
    /// `fullSync`: flush the write-ahead log to disk at every commit (`?synchronous=full`), so an acknowledged
    /// record also survives a power cut; by default a commit survives a crash of any process, not a power cut.
    case sqlite(path: String, fullSync: Bool = false)
    case postgres(PostgresLocation)

    /// A PostgreSQL server and database, and how to authenticate and encrypt.
    public struct PostgresLocation: Sendable, Equatable {
        public var host: String
        public var port: Int
        public var user: String
        public var password: String?
        public var database: String
        public var tls: TLSMode
        /// PEM file of CA certificates for `verify-full` (default: the system's).
        public var rootCertificate: String?

        /// libpq's `sslmode` values this ledger supports.
        public enum TLSMode: String, Sendable, Equatable {
            case disable
            /// Encrypt when the server offers it, without checking its certificate.
            case prefer
            /// Always encrypt, without checking the certificate.
            case require
            /// Always encrypt and check the certificate and host name.
            case verifyFull = "verify-full"
        }
    }

    /// Parses a URL; the password comes from the URL, `password_file=` or the `PGPASSWORD` environment variable.
    public static func parse(
        _ text: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> LedgerURL {
        if text.hasPrefix("sqlite:") {
            var path = String(text.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path.removeFirst(2) }
            var fullSync = false
            if let question = path.lastIndex(of: "?") {
                let parameter = path[path.index(after: question)...]
                switch parameter {
                case "synchronous=full": fullSync = true
                case "synchronous=normal": fullSync = false
                default: throw LedgerError.badURL("unknown SQLite parameter \(parameter) (synchronous=full|normal)")
                }
                path = String(path[..<question])
            }
            guard !path.isEmpty else { throw LedgerError.badURL("sqlite: needs a file path, e.g. sqlite:audit.db") }
            return .sqlite(path: path, fullSync: fullSync)
        }
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            return .postgres(try parsePostgres(text, environment: environment))
        }
        throw LedgerError.badURL(
            "\(redact(text)) is neither sqlite:PATH nor postgres://USER@HOST[:PORT]/DATABASE")
    }

    private static func parsePostgres(_ text: String, environment: [String: String]) throws -> PostgresLocation {
        guard let components = URLComponents(string: text), let host = components.host, !host.isEmpty else {
            throw LedgerError.badURL("\(redact(text)) is not a valid postgres:// URL")
        }
        let user = components.user ?? environment["PGUSER"] ?? "postgres"
        var database = components.path
        if database.hasPrefix("/") { database.removeFirst() }
        if database.isEmpty { database = user }
        var password = components.password
        var tls = PostgresLocation.TLSMode.prefer
        var rootCertificate: String?
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let value = item.value, let mode = PostgresLocation.TLSMode(rawValue: value) else {
                    throw LedgerError.badURL(
                        "sslmode=\(item.value ?? "") is not one of disable, prefer, require, verify-full")
                }
                tls = mode
            case "sslrootcert":
                rootCertificate = item.value
            case "password_file":
                guard let path = item.value else { throw LedgerError.badURL("password_file needs a path") }
                password = try readPasswordFile(path)
            default:
                throw LedgerError.badURL("unknown parameter \(item.name) in the postgres URL")
            }
        }
        if password == nil, let fromEnvironment = environment["PGPASSWORD"], !fromEnvironment.isEmpty {
            password = fromEnvironment
        }
        let port = components.port ?? 5432
        guard (1...65535).contains(port) else {
            throw LedgerError.badURL("the port must be between 1 and 65535")
        }
        return PostgresLocation(host: host, port: port, user: user, password: password, database: database,
            tls: tls, rootCertificate: rootCertificate)
    }

    private static func readPasswordFile(_ path: String) throws -> String {
        let bytes: [UInt8]
        do {
            bytes = try InputFile.read(path, limit: 4096)
        } catch {
            throw LedgerError.badURL("cannot read the password file: \(error)")
        }
        let line = bytes.prefix { $0 != 0x0A && $0 != 0x0D }
        guard !line.isEmpty else { throw LedgerError.badURL("the password file \(path) is empty") }
        return String(decoding: line, as: UTF8.self)
    }

    public var description: String {
        switch self {
        case .sqlite(let path, let fullSync):
            return "sqlite:\(path)" + (fullSync ? "?synchronous=full" : "")
        case .postgres(let location):
            var userPart = location.user
            if location.password != nil { userPart += ":***" }
            return "postgres://\(userPart)@\(location.host):\(location.port)/\(location.database)"
        }
    }

    /// `text` with any password between `://user:` and `@` replaced by `***`, for messages about a URL that did not
    /// parse.
    public static func redact(_ text: String) -> String {
        guard let scheme = text.range(of: "://") else { return text }
        let rest = text[scheme.upperBound...]
        guard let at = rest.lastIndex(of: "@") else { return text }
        let credentials = rest[..<at]
        guard let colon = credentials.firstIndex(of: ":") else { return text }
        return String(text[..<credentials.index(after: colon)]) + "***" + String(rest[at...])
    }
}
