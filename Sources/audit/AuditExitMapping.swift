import ArgumentParser
import ModelAudit

extension AuditExit {
    /// The exit code for a report: audit mode always 0; otherwise 1 for a non-compliant model, 2 when one could not
    /// be evaluated, 0 when every model is compliant.
    static func code(for report: AuditReport) -> ExitCode {
        if report.mode == .audit { return compliant }
        switch report.verdict {
        case .compliant: return compliant
        case .nonCompliant: return notVerified
        case .couldNotEvaluate: return couldNotEvaluate
        }
    }
}
