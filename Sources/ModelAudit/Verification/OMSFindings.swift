import Foundation

extension IntegrityChecks {
    /// Findings for an OpenSSF model-signing bundle: who signed it, whether its statement is a valid OMS statement,
    /// and whether the model's files and shards match it.
    static func modelSigningFindings(
        for verification: ModelVerification, oms: OMSVerification, modelPath: String?
    ) -> [Finding] {
        var findings: [Finding] = []
        let signatures = verification.signatures
        var observed =
            "\(signatures.verifiedKeyIDs.count): "
            + signatures.signatures.map { "[\($0.index)] \($0.explanation)" }.joined(separator: "; ")
        if let problem = oms.certificateProblem { observed += "; certificate not used: \(problem)" }
        // The signer is named in the message itself: a key id and where the key came from, or a certificate's
        // subject and issuer.
        var signers: [String] = []
        for check in signatures.signatures where check.isVerified {
            var name = "\(check.keyID ?? "?") (\(check.owner ?? "?"))"
            // A certificate under a trust store CA root signs with the CA's owner and roles; the certificate itself
            // is named too, so a reader sees both who vouches and which certificate signed.
            if let authority = oms.certificateAuthority, let certificate = oms.certificateSigner,
                check.keyID != nil, check.keyID == oms.certificateKeyID
            {
                let roles = check.roles.map(\.rawValue).joined(separator: ", ")
                name = "\(check.keyID ?? "?") (\(check.owner ?? "?"), roles \(roles): certificate \(certificate) under the "
                    + "trusted CA root \(authority))"
            }
            if !signers.contains(name) { signers.append(name) }
        }
        let message =
            signatures.isVerified
            ? "verified by \(signers.joined(separator: "; ")), threshold \(signatures.threshold)"
            : signatures.summary.replacingOccurrences(of: "envelope", with: "bundle")
        findings.append(
            Finding(
                ruleID: signatureRule, title: "Model signature (OMS) by a trusted key or certificate",
                status: signatures.isVerified ? .pass : .fail, severity: .critical,
                message: message,
                expected: "≥ \(signatures.threshold) distinct trusted key(s) or validated certificate(s)",
                observed: observed, pointer: "/dsseEnvelope/signatures", controls: signatureControls,
                remediation: signatures.isVerified
                    ? nil
                    : "Verify with the signer's public key (--key PUB.pem or the trust store) or, for a certificate "
                        + "signature, its CA roots (--ca-roots, or a ca entry in the trust store); a changed payload "
                        + "or an unknown key never verifies."))
        guard signatures.isVerified else { return findings }
        if let problem = verification.statementProblem {
            findings.append(
                Finding(
                    ruleID: manifestRule, title: "Signed payload is a valid OMS statement", status: .fail,
                    severity: .critical, message: problem, expected: "a valid \(OMSStatement.predicateType) statement",
                    pointer: "/dsseEnvelope/payload", controls: manifestControls,
                    remediation: "Ask the publisher to sign the model again with an OMS v1.0 signer "
                        + "(model_signing or `audit sign --oms`)."))
            return findings
        }
        guard let statement = oms.statement else { return findings }
        let method: String
        switch statement.serialization.method {
        case .files: method = "files"
        case .shards(let size): method = "shards of \(size) bytes"
        }
        findings.append(
            Finding(
                ruleID: manifestRule, title: "Signed payload is a valid OMS statement", status: .pass,
                severity: .critical,
                message: "OMS v1.0 statement for \"\(statement.subjectName)\": \(statement.paths.count) file(s), "
                    + "\(method), \(statement.serialization.hashType.rawValue)",
                pointer: "", controls: manifestControls))
        guard let artifacts = verification.artifacts, let modelPath else {
            findings.append(
                Finding(
                    ruleID: artifactsRule, title: "Model files match the signature", status: .notApplicable,
                    severity: .critical, message: "no model path given (--model-dir): files not checked",
                    pointer: "/predicate/resources", controls: artifactControls))
            return findings
        }
        for problem in artifacts.problems {
            var expected: String?
            var observedDigest: String?
            if case .digestMismatch(let want, let got) = problem.kind {
                let hash = statement.serialization.hashType.rawValue
                expected = "\(hash):\(want)"
                observedDigest = "\(hash):\(got)"
            }
            let index = statement.resources.firstIndex { $0.name == problem.path || $0.path == problem.path }
            findings.append(
                Finding(
                    ruleID: artifactsRule, title: "Model files match the signature", status: .fail,
                    severity: .critical, message: "\(problem)", expected: expected, observed: observedDigest,
                    pointer: index.map { "/predicate/resources/\($0)" } ?? "/predicate/resources",
                    controls: artifactControls,
                    remediation: "Restore the model files from the publisher; never deploy files the signature does "
                        + "not vouch for."))
        }
        if artifacts.problems.isEmpty {
            findings.append(
                Finding(
                    ruleID: artifactsRule, title: "Model files match the signature",
                    status: artifacts.passed ? .pass : .fail, severity: .critical,
                    message: artifacts.passed
                        ? "\(artifacts.verified.count) resource(s) in \(modelPath) match"
                        : "nothing in \(modelPath) was verified",
                    pointer: "/predicate/resources", controls: artifactControls))
        }
        return findings
    }
}
