import Foundation
import ModelAudit

/// The fleet as the ledger last saw it: each model's latest decision as a report, and verdicts over time — what
/// `audit report --from-ledger` renders without verifying anything again.
public enum LedgerFleet {
    /// A report of the latest decision about each model (by name and version). The report's policy and trust store
    /// are those of the most recent decision; each model keeps its own findings and verdict.
    public static func report(latest records: [LedgerRecord]) throws -> AuditReport {
        let decisions = try records.map { try $0.decision() }
        // Of two decisions recorded within the same millisecond, the later in the chain is the newer.
        let newest = zip(records, decisions).max { left, right in
            (left.1.recordedAt, left.0.sequence) < (right.1.recordedAt, right.0.sequence)
        }?.1
        let models = decisions.map { decision in
            ModelReport(
                file: decision.file, envelopeSHA256: decision.envelopeSHA256, name: decision.model,
                version: decision.version, developer: decision.developer, findings: decision.findings,
                subjects: decision.subjects)
        }
        var waivers: [String: WaiverReport] = [:]
        for decision in decisions {
            for waiver in decision.waivers {
                let key = "\(waiver.rule)|\(waiver.model)|\(waiver.expires)"
                var merged = waivers[key] ?? waiver
                merged.appliedTo = Array(Set(merged.appliedTo + waiver.appliedTo)).sorted()
                waivers[key] = merged
            }
        }
        let evaluatedAt = newest.flatMap { RFC3339.parse($0.recordedAt) } ?? Date(timeIntervalSince1970: 0)
        return AuditReport(
            evaluatedAt: evaluatedAt, mode: newest?.mode ?? .enforce,
            policy: newest?.policy.map { PolicyInfo(name: $0.name, file: "(ledger)", sha256: $0.sha256, sources: []) },
            trustStore: TrustStoreInfo(
                directory: "(ledger)", sha256: newest?.trustStoreSHA256 ?? "", keys: newest?.trustedKeys ?? []),
            screeningLists: [], models: models, waivers: Array(waivers.values))
    }
}

/// Verdicts per day, for the trend chart of `audit report --from-ledger`.
public struct LedgerTrend: Sendable, Codable, Equatable {
    /// One UTC day's decisions by verdict.
    public struct Day: Sendable, Codable, Equatable {
        public var date: String
        public var compliant: Int
        public var nonCompliant: Int
        public var couldNotEvaluate: Int

        public var total: Int { compliant + nonCompliant + couldNotEvaluate }
    }

    public var days: [Day]

    /// Builds the trend from `(day, verdict, count)` rows.
    public init(rows: [(day: String, verdict: String, count: Int)]) {
        var byDay: [String: Day] = [:]
        for row in rows {
            var day = byDay[row.day] ?? Day(date: row.day, compliant: 0, nonCompliant: 0, couldNotEvaluate: 0)
            switch Verdict(rawValue: row.verdict) {
            case .compliant?: day.compliant += row.count
            case .nonCompliant?: day.nonCompliant += row.count
            case .couldNotEvaluate?, nil: day.couldNotEvaluate += row.count
            }
            byDay[row.day] = day
        }
        days = byDay.values.sorted { $0.date < $1.date }
    }

    /// Text lines: one per day, with a bar of `#` (compliant), `x` (non-compliant) and `?` (could not evaluate).
    public func text(width: Int = 50) -> String {
        let most = max(1, days.map(\.total).max() ?? 1)
        var out = "Verdicts over time (# compliant, x non-compliant, ? could not evaluate):\n"
        for day in days {
            func bar(_ count: Int, _ mark: String) -> String {
                String(repeating: mark, count: count == 0 ? 0 : max(1, count * width / most))
            }
            out += "  \(day.date)  \(bar(day.compliant, "#"))\(bar(day.nonCompliant, "x"))"
                + "\(bar(day.couldNotEvaluate, "?"))  \(day.compliant)/\(day.nonCompliant)/\(day.couldNotEvaluate)\n"
        }
        return out
    }

    public func markdown() -> String {
        var out = "\n## Verdicts over time\n\n| day | compliant | non-compliant | could not evaluate |\n"
            + "| --- | ---: | ---: | ---: |\n"
        for day in days {
            out += "| \(day.date) | \(day.compliant) | \(day.nonCompliant) | \(day.couldNotEvaluate) |\n"
        }
        return out
    }

    /// A `<section>` with an SVG stacked bar per day. Dates come from the ledger's own time format and counts are
    /// integers, so nothing here needs escaping beyond what `HTMLText.escape` does for the dates.
    public func htmlSection() -> String {
        let barWidth = 18
        let gap = 6
        let height = 160
        let most = max(1, days.map(\.total).max() ?? 1)
        let width = max(1, days.count) * (barWidth + gap) + gap
        var svg = "<svg role=\"img\" aria-label=\"Verdicts per day\" width=\"\(width)\" height=\"\(height + 20)\" "
            + "viewBox=\"0 0 \(width) \(height + 20)\" xmlns=\"http://www.w3.org/2000/svg\">"
        for (index, day) in days.enumerated() {
            let x = gap + index * (barWidth + gap)
            var top = height
            for (count, colour, label) in [
                (day.compliant, "#2e7d32", "compliant"), (day.nonCompliant, "#c62828", "non-compliant"),
                (day.couldNotEvaluate, "#f9a825", "could not evaluate"),
            ] where count > 0 {
                let size = max(1, count * height / most)
                top -= size
                svg += "<rect x=\"\(x)\" y=\"\(top)\" width=\"\(barWidth)\" height=\"\(size)\" fill=\"\(colour)\">"
                    + "<title>\(HTMLText.escape(day.date)): \(count) \(label)</title></rect>"
            }
        }
        svg += "</svg>"
        var rows = ""
        for day in days {
            rows += "<tr><td>\(HTMLText.escape(day.date))</td><td>\(day.compliant)</td><td>\(day.nonCompliant)</td>"
                + "<td>\(day.couldNotEvaluate)</td></tr>"
        }
        return "<section id=\"trend\"><h2>Verdicts over time</h2>\(svg)<table><thead><tr><th>Day</th>"
            + "<th>Compliant</th><th>Non-compliant</th><th>Could not evaluate</th></tr></thead><tbody>\(rows)"
            + "</tbody></table></section>\n"
    }
}
