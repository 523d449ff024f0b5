import Foundation
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

@testable import ModelAudit

/// Strings an attacker can put in a manifest, a policy, a file name or a trust store, each aimed at a reader of the
/// output: a terminal (title, screen, overwritten verdict), a CI log (workflow commands) or a renderer (links).
enum InjectionStrings {
    static let all = [
        "\n::error::pwned", "\u{1B}]0;title\u{07}", "\u{1B}[2J", "\r✔ compliant", "evil\u{202E}gnp.exe",
        "##[error]legacy command", "::add-mask::secret", "x\u{2028}::stop-commands::token", "\u{9B}31m",
        "\u{2066}isolate\u{2069} \u{200E}mark\u{200F} \u{061C}", "zero\u{200B}width\u{FEFF}", "\u{7F}\u{0}\u{85}",
        "see https://evil.example/login and www.evil.example", "\u{00A0}::warning::indented",
        "tag\u{E0041}\u{E007F}", "nonchar\u{FFFE}\u{FFFF}", "<script>alert('x')</script> & | ` * _ [a](b)",
    ]

    /// Characters that must never reach any output as themselves.
    static let forbiddenScalars: [Unicode.Scalar] = [
        "\u{1B}", "\u{07}", "\r", "\u{0}", "\u{7F}", "\u{85}", "\u{9B}", "\u{202A}", "\u{202B}", "\u{202C}",
        "\u{202D}", "\u{202E}", "\u{2066}", "\u{2067}", "\u{2068}", "\u{2069}", "\u{200E}", "\u{200F}", "\u{061C}",
        "\u{2028}", "\u{2029}", "\u{200B}", "\u{FEFF}", "\u{E0041}", "\u{FFFE}", "\u{FFFF}",
    ]

    static func forbidden(in text: String) -> [Unicode.Scalar] {
        text.unicodeScalars.filter { forbiddenScalars.contains($0) }
    }

    /// Lines a GitHub runner would run as a workflow command: `::` after leading white space, or `##[` anywhere.
    static func commandLines(in text: String) -> [Substring] {
        text.split(separator: "\n", omittingEmptySubsequences: false).filter { line in
            line.drop(while: { $0.isWhitespace }).hasPrefix("::") || line.contains("##[")
        }
    }
}

@Suite("Escaping: visible escapes")
struct VisibleEscapeTests {
    @Test func hiddenCharactersAreUnsafe() {
        for scalar in InjectionStrings.forbiddenScalars + ["\n", "\t", "\u{00AD}", "\u{115F}", "\u{034F}"] {
            #expect(VisibleEscape.isUnsafe(scalar), "U+\(String(scalar.value, radix: 16))")
        }
    }

    @Test func printableCharactersAreSafe() {
        for scalar in "az AZ 09 ~!@#$%^&*()[]{}<>\\|é中✔—→←│└😀\u{FE0F}\u{00A0}".unicodeScalars {
            #expect(!VisibleEscape.isUnsafe(scalar), "U+\(String(scalar.value, radix: 16))")
        }
    }

    @Test func escapesReadLikeSwift() {
        #expect(VisibleEscape.apply("a\u{1B}[2J\u{07}") == "a\\u{1B}[2J\\u{07}")
        #expect(VisibleEscape.apply("\n\r\t") == "\\n\\r\\t")
        #expect(VisibleEscape.apply("x\u{202E}y\u{E0041}") == "x\\u{202E}y\\u{E0041}")
        #expect(VisibleEscape.apply("a\nb", keep: { $0 == "\n" }) == "a\nb")
    }

    @Test func ordinaryTextIsUnchangedAndEscapingTwiceChangesNothing() {
        for text in ["acme-chat 2.1.0", "Acme AI Ltd & Partners <eu>", "C:\\models\\x", "Zürich 東京 ✔", ""] {
            #expect(VisibleEscape.apply(text) == text)
        }
        for text in InjectionStrings.all {
            let once = VisibleEscape.apply(text)
            #expect(VisibleEscape.apply(once) == once)
            #expect(InjectionStrings.forbidden(in: once).isEmpty, "\(once)")
            #expect(!once.contains("\n"))
        }
    }
}

@Suite("Escaping: terminal text")
struct TerminalTextTests {
    @Test func attacksBecomeVisibleOnOneLine() {
        #expect(TerminalText.escape("\n::error::pwned") == "\\n::error::pwned")
        #expect(TerminalText.escape("\u{1B}]0;title\u{07}") == "\\u{1B}]0;title\\u{07}")
        #expect(TerminalText.escape("\u{1B}[2J") == "\\u{1B}[2J")
        #expect(TerminalText.escape("\r✔ compliant") == "\\r✔ compliant")
        #expect(TerminalText.escape("evil\u{202E}gnp.exe") == "evil\\u{202E}gnp.exe")
        for text in InjectionStrings.all {
            let escaped = TerminalText.escape(text)
            #expect(InjectionStrings.forbidden(in: escaped).isEmpty, "\(escaped)")
            #expect(!escaped.contains("\n"))
            #expect(InjectionStrings.commandLines(in: escaped).isEmpty, "\(escaped)")
            #expect(TerminalText.escape(escaped) == escaped)
        }
    }

    @Test func workflowCommandSpellingsAreDefused() {
        #expect(TerminalText.escape("::add-mask::secret") == "\\u{3A}:add-mask::secret")
        #expect(TerminalText.escape("  ::error::x") == "  \\u{3A}:error::x")
        #expect(TerminalText.escape("\u{00A0}::warning::x") == "\u{00A0}\\u{3A}:warning::x")
        #expect(TerminalText.escape("text ##[error]boom") == "text ##\\u{5B}error]boom")
        #expect(TerminalText.escape("a::b and ##x and #[y") == "a::b and ##x and #[y")
    }

    @Test func guardLineKeepsTheToolsColourCodes() {
        let coloured = "\u{1B}[1mtitle\u{1B}[0m ::not at the start"
        #expect(TerminalText.guardLine(coloured) == coloured)
        #expect(TerminalText.guardLine("      ::error::wrapped") == "      \\u{3A}:error::wrapped")
    }

    @Test func linesKeepLineBreaksButEscapeEachLine() {
        #expect(TerminalText.lines("a\r\nb\n::x::y\n\u{1B}c") == "a\nb\n\\u{3A}:x::y\n\\u{1B}c")
    }

    @Test func messagesKeepOnlyIndentedContinuationLines() {
        let message = "policy.yaml is invalid (2 problems):\n  /a: unknown member \"x\n::error::y\"\n  /b: bad"
        #expect(TerminalText.message(message)
            == "policy.yaml is invalid (2 problems):\n  /a: unknown member \"x\\n::error::y\"\n  /b: bad")
        #expect(TerminalText.message("x\n  ::error::indented") == "x\n  \\u{3A}:error::indented")
        #expect(TerminalText.message("x\r✔ compliant\n✔ compliant") == "x\\r✔ compliant\\n✔ compliant")
    }

    @Test func ordinaryTextIsUnchanged() {
        for text in ["acme-chat 2.1.0 [verified] — Acme AI Ltd", "└─ fine-tune ← acme-base-7b", "50% a:b,c #1"] {
            #expect(TerminalText.escape(text) == text)
            #expect(TerminalText.lines(text + "\n" + text) == text + "\n" + text)
        }
    }
}

@Suite("Escaping: XML and HTML")
struct MarkupTextTests {
    @Test func xmlEscapesMarkupAndKeepsTheDocumentWellFormed() throws {
        #expect(XMLText.text("<a & b>") == "&lt;a &amp; b&gt;")
        #expect(XMLText.attribute("\"'\t\n") == "&quot;&apos;&#9;&#10;")
        #expect(XMLText.text("a\nb") == "a&#10;b")
        #expect(XMLText.text("x\r✔") == "x\\r✔")
        #expect(XMLText.text("##[error]x") == "##&#91;error]x")
        let everything = InjectionStrings.all.joined() + String(
            String.UnicodeScalarView((0...0x9F).compactMap(Unicode.Scalar.init)))
        let document = "<r a=\"\(XMLText.attribute(everything))\">\(XMLText.text(everything))</r>"
        let reader = XMLTextCollector()
        let parser = XMLParser(data: Data(document.utf8))
        parser.delegate = reader
        #expect(parser.parse(), "\(String(describing: parser.parserError))")
        #expect(reader.attribute == VisibleEscape.apply(everything, keep: { $0 == "\t" || $0 == "\n" }))
        #expect(InjectionStrings.forbidden(in: document).isEmpty)
        #expect(InjectionStrings.commandLines(in: document).isEmpty)
    }

    @Test func htmlEscapesMarkupAndHiddenCharacters() {
        #expect(HTMLText.escape("<script>alert('x')</script>") == "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;")
        #expect(HTMLText.escape("a\"b") == "a&quot;b")
        #expect(HTMLText.escape("a\r\nb") == "a&#10;b")
        #expect(HTMLText.multiline("a\nb") == "a<br>b")
        #expect(HTMLText.escape("x\u{202E}y") == "x\\u{202E}y")
        #expect(HTMLText.escape("##[error]x") == "##&#91;error]x")
        #expect(HTMLText.escape("Acme AI Ltd") == "Acme AI Ltd")
        for text in InjectionStrings.all {
            let escaped = HTMLText.multiline(text)
            #expect(InjectionStrings.forbidden(in: escaped).isEmpty, "\(escaped)")
            #expect(!escaped.contains("\n") && !escaped.contains("<script"))
        }
    }
}

@Suite("Escaping: GitHub workflow commands")
struct GitHubCommandTextTests {
    @Test func dataAndPropertiesFollowTheRunnersRules() {
        #expect(GitHubCommandText.data("50% a\r\nb") == "50%25 a%0D%0Ab")
        #expect(GitHubCommandText.property("a:b,c%") == "a%3Ab%2Cc%25")
        #expect(GitHubCommandText.data("x\n::error::injected") == "x%0A::error::injected")
        #expect(GitHubCommandText.data("\u{1B}[2J\u{202E}") == "\\u{1B}[2J\\u{202E}")
        #expect(GitHubCommandText.property("file.json") == "file.json")
    }

    @Test func noValueCanEndItsCommand() {
        for text in InjectionStrings.all {
            let property = GitHubCommandText.property(text)
            let data = GitHubCommandText.data(text)
            // A property cannot close the property list (`::`) or start another property (`,`).
            #expect(!property.contains(":") && !property.contains(","), "\(property)")
            #expect(!data.contains("\n") && !data.contains("\r"))
            #expect(InjectionStrings.forbidden(in: property + data).isEmpty, "\(data)")
        }
    }
}

@Suite("Escaping: Markdown")
struct MarkdownTextTests {
    @Test func bareAddressesAreNotLinked() {
        #expect(MarkdownText.inline("see https://evil.example/x") == "see https\\[:\\]//evil.example/x")
        #expect(MarkdownText.inline("HTTP://X and ftp://y") == "HTTP\\[:\\]//X and ftp\\[:\\]//y")
        #expect(MarkdownText.inline("www.evil.example (WWW.x)") == "www\\[.\\]evil.example (WWW\\[.\\]x)")
        #expect(MarkdownText.inline("awww.x") == "awww.x")
        for text in InjectionStrings.all {
            let escaped = MarkdownText.inline(text)
            #expect(!escaped.contains("://"))
            #expect(escaped.range(of: #"(^|[^\w])www\."#, options: [.regularExpression, .caseInsensitive]) == nil)
        }
    }

    @Test func markupAndHiddenCharactersAreEscaped() {
        #expect(MarkdownText.inline("<img src=x> **b** [a](b) | c") == "\\<img src=x\\> \\*\\*b\\*\\* \\[a\\](b) \\| c")
        #expect(MarkdownText.inline("a\u{1B}b") == "a\\\\u{1B}b")
        #expect(MarkdownText.inline("a\r\nb\rc") == "a<br>b\\\\rc")
        #expect(MarkdownText.code("a\nb") == "`a\\nb`")
        #expect(MarkdownText.inline("acme-chat 2.1.0") == "acme-chat 2.1.0")
        for text in InjectionStrings.all {
            let escaped = MarkdownText.inline(text)
            #expect(InjectionStrings.forbidden(in: escaped).isEmpty, "\(escaped)")
            #expect(!escaped.contains("\n"))
        }
    }
}

@Suite("Escaping: Graphviz, Mermaid and JSON")
struct GraphTextTests {
    @Test func graphvizLabelsStayOneQuotedString() {
        #expect(GraphvizText.label("a\"b\\c\nd") == "a\\\"b\\\\c\\\\nd")
        #expect(GraphvizText.label("acme-base-7b 1.0.0") == "acme-base-7b 1.0.0")
        for text in InjectionStrings.all {
            let label = GraphvizText.label(text)
            #expect(!label.contains("\n") && InjectionStrings.forbidden(in: label).isEmpty)
            #expect(!label.replacingOccurrences(of: "\\\\", with: "").replacingOccurrences(of: "\\\"", with: "")
                .contains("\""))
        }
    }

    @Test func mermaidLabelsUseEntityCodes() {
        #expect(MermaidText.label("a\"b|c<d>#e") == "a#34;b#124;c#60;d#62;#35;e")
        #expect(MermaidText.label("acme-base-7b 1.0.0") == "acme-base-7b 1.0.0")
        for text in InjectionStrings.all {
            let label = MermaidText.label(text)
            #expect(!label.contains("\n") && !label.contains("\"") && !label.contains("|") && !label.contains("<"))
        }
    }

    @Test func jsonKeepsItsMeaningAndLosesItsHiddenCharacters() throws {
        let value = ["name": InjectionStrings.all.joined(separator: " ")]
        let raw = try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys])
        let safe = JSONText.terminalSafe([UInt8](raw))
        let text = String(decoding: safe, as: UTF8.self)
        #expect(InjectionStrings.forbidden(in: text).isEmpty, "\(text)")
        #expect(!text.contains("##["))
        let decoded = try #require(try JSONSerialization.jsonObject(with: Data(safe)) as? [String: String])
        #expect(decoded == value)
        let ordinary = Array("{\n  \"a\": \"acme — ✔\"\n}\n".utf8)
        #expect(JSONText.terminalSafe(ordinary) == ordinary)
    }
}

/// Reads back the root element's attribute `a` from an XML document.
final class XMLTextCollector: NSObject, XMLParserDelegate {
    var attribute: String?

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        attribute = attributes["a"]
    }
}
