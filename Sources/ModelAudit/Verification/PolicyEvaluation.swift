import AuditCrypto
import Foundation

extension PolicyEvaluator {
    /// Evaluates one verified (or not) model into its report: the integrity findings of `verification`, then the
    /// policy.
    public func evaluate(
        file: String, envelopeSHA256: String, verification: ModelVerification, modelDirectory: String?,
        lineage: LineageResolver.Result? = nil
    ) -> ModelReport {
        evaluate(
            file: file, envelopeSHA256: envelopeSHA256,
            integrity: IntegrityChecks.findings(for: verification, modelDirectory: modelDirectory),
            signatures: verification.signatures, statement: verification.statement, custody: verification.custody,
            lineage: lineage,
            signedWithoutManifest: verification.oms.map {
                SignedModelWithoutManifest(
                    format: "the OMS signature", modelName: $0.statement?.subjectName,
                    subjects: $0.statement.map {
                        [SubjectDigest(name: $0.subjectName, digest: ["sha256": Hex.encode($0.rootDigest)])]
                    })
            },
            artifacts: modelDirectory == nil ? nil : verification.artifacts)
    }
}
