/// Writes JUnit XML, the test-report format CI systems read: test suites of test cases, each passed, failed, in
/// error, skipped or passed with output. The one place that knows the element and attribute layout, so the audit
/// report and `audit policy test` write the same dialect.
///
/// Every attribute and line of text is escaped here; a line break from input stays a character reference and never
/// starts a line of the file.
public enum JUnitWriter {
    /// How one test case ended.
    public enum Outcome: Sendable {
        case passed
        /// Passed, with lines for `<system-out>` (a warning, say).
        case passedWithOutput([String])
        case failure(message: String, type: String?, details: [String])
        case error(message: String, type: String?, details: [String])
        case skipped(message: String)
    }

    public struct TestCase: Sendable {
        public var className: String
        public var name: String
        public var outcome: Outcome

        public init(className: String, name: String, outcome: Outcome) {
            self.className = className
            self.name = name
            self.outcome = outcome
        }
    }

    public struct Suite: Sendable {
        public var name: String
        public var timestamp: String?
        public var properties: [(name: String, value: String)]
        public var cases: [TestCase]

        public init(
            name: String, timestamp: String? = nil, properties: [(name: String, value: String)] = [],
            cases: [TestCase]
        ) {
            self.name = name
            self.timestamp = timestamp
            self.properties = properties
            self.cases = cases
        }

        var counts: Counts {
            var counts = Counts()
            for testCase in cases {
                counts.tests += 1
                switch testCase.outcome {
                case .passed, .passedWithOutput: break
                case .failure: counts.failures += 1
                case .error: counts.errors += 1
                case .skipped: counts.skipped += 1
                }
            }
            return counts
        }
    }

    struct Counts {
        var tests = 0
        var failures = 0
        var errors = 0
        var skipped = 0

        static func + (lhs: Counts, rhs: Counts) -> Counts {
            Counts(
                tests: lhs.tests + rhs.tests, failures: lhs.failures + rhs.failures, errors: lhs.errors + rhs.errors,
                skipped: lhs.skipped + rhs.skipped)
        }

        var attributes: [(String, String)] {
            [("tests", String(tests)), ("failures", String(failures)), ("errors", String(errors)),
             ("skipped", String(skipped))]
        }
    }

    /// The whole document with its XML declaration, ending in one newline.
    public static func document(name: String?, timestamp: String?, suites: [Suite]) -> String {
        let total = suites.map(\.counts).reduce(Counts(), +)
        var out = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        out += "<testsuites"
        out += attributes((name.map { [("name", $0)] } ?? []) + total.attributes
            + (timestamp.map { [("timestamp", $0)] } ?? []))
        out += ">\n"
        for suite in suites { out += xml(suite) }
        out += "</testsuites>\n"
        return out
    }

    private static func xml(_ suite: Suite) -> String {
        var out = "  <testsuite"
        out += attributes([("name", suite.name)] + suite.counts.attributes
            + (suite.timestamp.map { [("timestamp", $0)] } ?? []))
        out += ">\n"
        if !suite.properties.isEmpty {
            out += "    <properties>\n"
            for property in suite.properties {
                out += "      <property" + attributes([("name", property.name), ("value", property.value)]) + "/>\n"
            }
            out += "    </properties>\n"
        }
        for testCase in suite.cases {
            out += "    <testcase" + attributes([("classname", testCase.className), ("name", testCase.name)])
            switch testCase.outcome {
            case .passed:
                out += "/>\n"
                continue
            case .passedWithOutput(let lines):
                out += ">\n      <system-out>" + text(lines) + "</system-out>\n"
            case .failure(let message, let type, let details):
                out += ">\n      <failure" + attributes([("message", message)] + (type.map { [("type", $0)] } ?? []))
                    + ">" + text(details) + "</failure>\n"
            case .error(let message, let type, let details):
                out += ">\n      <error" + attributes([("message", message)] + (type.map { [("type", $0)] } ?? []))
                    + ">" + text(details) + "</error>\n"
            case .skipped(let message):
                out += ">\n      <skipped" + attributes([("message", message)]) + "/>\n"
            }
            out += "    </testcase>\n"
        }
        out += "  </testsuite>\n"
        return out
    }

    private static func text(_ lines: [String]) -> String {
        lines.map(XMLText.text).joined(separator: "\n")
    }

    private static func attributes(_ pairs: [(String, String)]) -> String {
        pairs.map { " \($0.0)=\"\(XMLText.attribute($0.1))\"" }.joined()
    }
}
