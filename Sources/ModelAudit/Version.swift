/// The version of the tool and library.
public enum ModelAuditVersion {
    public static let current = "0.1.0"
}
