import Foundation

/// `artifacts.required`: the model's files were checked against the manifest, and every one matched.
///
/// The built-in `integrity.artifacts` check fails files that differ, but a run without a model directory checks no
/// file at all and is not applicable. A policy with this rule refuses that: a manifest alone says nothing about
/// the weights about to be deployed.
public struct ArtifactsRequired: PolicyCheck {
    public static let type = "artifacts.required"

    public init?(parameters: ObjectReader, context: PolicyParseContext) {}

    public func evaluate(_ subject: EvaluationSubject) -> [CheckOutcome] {
        let expected = "every file the manifest lists checked and matching"
        guard let artifacts = subject.artifacts else {
            return [
                CheckOutcome(
                    .fail,
                    "the model's files were not checked: no model directory was given",
                    expected: expected, observed: "not checked", pointer: "/subject")
            ]
        }
        if !artifacts.problems.isEmpty {
            return [
                CheckOutcome(
                    .fail,
                    "\(artifacts.problems.count) of the model's files do not match the manifest "
                        + "(see integrity.artifacts)",
                    expected: expected, observed: "\(artifacts.problems.count) problem(s)", pointer: "/subject")
            ]
        }
        guard artifacts.passed else {
            // Verifying nothing is not a pass: a manifest that lists no file vouches for no weights.
            return [
                CheckOutcome(
                    .fail, "no file of the model was verified", expected: expected, observed: "0 files",
                    pointer: "/subject")
            ]
        }
        return [
            CheckOutcome(
                .pass, "\(artifacts.verified.count) file(s) checked against the manifest", pointer: "/subject")
        ]
    }
}
