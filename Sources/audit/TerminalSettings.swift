import ArgumentParser
import Foundation
import ModelAudit

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `--color auto|always|never`.
enum ColorChoice: String, CaseArgument {
    /// Colour only on a terminal, and not when `NO_COLOR` is set or `TERM` is `dumb`.
    case auto
    case always
    case never
}

/// What the text report needs to know about where it is printed: the width to wrap to and whether to colour.
///
/// Decided here, from the environment and standard output, and handed to the renderer as plain values, so the
/// renderer's output depends on its input alone.
struct TerminalSettings: Equatable {
    /// The width used when neither `COLUMNS` nor the terminal says: wide enough for a finding on one line, narrow
    /// enough for a code review pane.
    static let fallbackWidth = 100

    var width: Int
    var color: Bool

    /// Settings for standard output: width from `COLUMNS`, then the terminal's size (`TIOCGWINSZ`), then
    /// `fallbackWidth`; colour as `choice` and the environment say.
    static func standardOutput(
        _ choice: ColorChoice, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> TerminalSettings {
        let terminal = isatty(STDOUT_FILENO) == 1
        let width = columns(environment) ?? (terminal ? terminalWidth() : nil) ?? fallbackWidth
        return TerminalSettings(width: width, color: color(choice, terminal: terminal, environment: environment))
    }

    /// Settings for a report file: never coloured, `COLUMNS` wide when set, else `fallbackWidth`.
    static func file(environment: [String: String] = ProcessInfo.processInfo.environment) -> TerminalSettings {
        TerminalSettings(width: columns(environment) ?? fallbackWidth, color: false)
    }

    /// `auto` colours a terminal unless `NO_COLOR` is set (to anything, see no-color.org) or `TERM` is `dumb`.
    static func color(_ choice: ColorChoice, terminal: Bool, environment: [String: String]) -> Bool {
        switch choice {
        case .always: return true
        case .never: return false
        case .auto: return terminal && environment["NO_COLOR"] == nil && environment["TERM"] != "dumb"
        }
    }

    /// `COLUMNS` when it is a positive number a terminal could have.
    static func columns(_ environment: [String: String]) -> Int? {
        guard let value = environment["COLUMNS"]?.trimmingCharacters(in: .whitespaces), let number = Int(value),
            number > 0, number <= 10_000
        else { return nil }
        return number
    }

    /// The terminal's width in columns, or `nil` when standard output is not a terminal that reports one.
    private static func terminalWidth() -> Int? {
        var size = winsize()
        #if canImport(Darwin)
        let request = UInt(TIOCGWINSZ)
        #else
        let request = UInt(TIOCGWINSZ)
        #endif
        guard ioctl(STDOUT_FILENO, request, &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }
}
