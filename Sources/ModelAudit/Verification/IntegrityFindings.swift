import Foundation

extension IntegrityChecks {
    /// Findings for the signature and artifact checks of one verification, each with its rule's template.
    public static func findings(for verification: ModelVerification, modelDirectory: String?) -> [Finding] {
        var findings = untemplatedFindings(for: verification, modelDirectory: modelDirectory)
        for index in findings.indices { findings[index].template = template(for: findings[index].ruleID) }
        return findings
    }

    private static func untemplatedFindings(for verification: ModelVerification, modelDirectory: String?) -> [Finding] {
        if let oms = verification.oms {
            return modelSigningFindings(for: verification, oms: oms, modelPath: modelDirectory)
        }
        var findings: [Finding] = []
        let signatures = verification.signatures
        let signatureFinding = Finding(
            ruleID: signatureRule, title: signatureTitle,
            status: signatures.isVerified ? .pass : .fail, severity: .critical, message: signatures.summary,
            expected: "≥ \(signatures.threshold) distinct, currently valid trusted key(s)",
            observed: "\(signatures.verifiedKeyIDs.count): "
                + signatures.signatures.map { "[\($0.index)] \($0.explanation)" }.joined(separator: "; "),
            pointer: "/signatures", controls: signatureControls,
            remediation: signatures.isVerified
                ? nil
                : "Obtain the manifest from its publisher again and check it was signed by a key in the trust store; "
                    + "a changed payload or an unknown, revoked or expired key never verifies.")
        findings.append(signatureFinding)
        guard signatures.isVerified else { return findings }

        if let problem = verification.statementProblem {
            findings.append(
                Finding(
                    ruleID: manifestRule, title: manifestTitle, status: .fail,
                    severity: .critical, message: problem, expected: "a valid \(ProvenancePredicate.type) statement",
                    pointer: "", controls: manifestControls,
                    remediation: verification.payloadKind?.isModelManifest == false
                        ? "Give `audit verify` the model's signed provenance manifest; a valid signature on another "
                            + "kind of document says nothing about a model (check one with `audit envelope verify`)."
                        : "Ask the publisher for a manifest that validates with `audit sign`."))
            return findings
        }
        if let statement = verification.statement {
            findings.append(
                Finding(
                    ruleID: manifestRule, title: manifestTitle, status: .pass,
                    severity: .critical,
                    message: "\(statement.predicate.model.name) \(statement.predicate.model.version), "
                        + "\(statement.subject.count) artifact(s)",
                    pointer: "", controls: manifestControls))
        }

        if let custody = verification.custody {
            for problem in custody.problems {
                findings.append(
                    Finding(
                        ruleID: custodyRule, title: custodyTitle, status: .fail, severity: .critical,
                        message: "\(custody.bundleDescription) \(problem)", observed: problem.kind.rawValue,
                        pointer: "/custody/\(problem.line)", controls: custodyControls,
                        remediation: "Obtain the missing or corrected custody records from each custodian; a gap, fork, "
                            + "replay or unsigned hop means the weights may have been swapped."))
            }
            if custody.problems.isEmpty {
                let hops = custody.chain.map { "\($0.statement.predicate.action.rawValue) by \($0.signerOwner)" }
                findings.append(
                    Finding(
                        ruleID: custodyRule, title: custodyTitle,
                        status: custody.chain.isEmpty ? .fail : .pass, severity: .critical,
                        message: custody.chain.isEmpty
                            ? "\(custody.bundleDescription) holds no record chained to this manifest"
                            : "\(custody.chain.count) hop(s) verified in \(custody.bundleDescription): "
                                + hops.joined(separator: " → "),
                        pointer: "/custody", controls: custodyControls))
            }
        }

        guard let artifacts = verification.artifacts, let modelDirectory else {
            findings.append(
                Finding(
                    ruleID: artifactsRule, title: artifactsTitle, status: .notApplicable,
                    severity: .critical, message: "no model directory given (--model-dir): files not checked",
                    pointer: "/subject", controls: artifactControls))
            return findings
        }
        for problem in artifacts.problems {
            var expected: String?
            var observed: String?
            if case .digestMismatch(let want, let got) = problem.kind {
                expected = "sha256:\(want)"
                observed = "sha256:\(got)"
            }
            // With custody, the expected files are the last hop's, so point there instead of the manifest.
            let pointer: String
            if let last = verification.custody?.chain.last {
                pointer = "/custody/\(last.line)"
            } else {
                let index = verification.statement?.subject.firstIndex { $0.name == problem.path }
                pointer = index.map { "/subject/\($0)" } ?? "/subject"
            }
            findings.append(
                Finding(
                    ruleID: artifactsRule, title: artifactsTitle, status: .fail, severity: .critical,
                    message: "\(problem)", expected: expected, observed: observed,
                    pointer: pointer, controls: artifactControls,
                    remediation: "Restore the model files from the publisher; never deploy files the manifest does not "
                        + "vouch for."))
        }
        for warning in artifacts.warnings {
            findings.append(
                Finding(
                    ruleID: artifactsRule, title: artifactsTitle, status: .warn, severity: .medium,
                    message: "\(warning)", pointer: "/subject", controls: artifactControls))
        }
        if artifacts.problems.isEmpty {
            findings.append(
                Finding(
                    ruleID: artifactsRule, title: artifactsTitle, status: .pass, severity: .critical,
                    message: "\(artifacts.verified.count) file(s) in \(modelDirectory) match", pointer: "/subject",
                    controls: artifactControls))
        }
        return findings
    }
}
