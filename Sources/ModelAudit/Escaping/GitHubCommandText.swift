/// Values inside GitHub Actions workflow commands (`::error file=…,title=…::message`), escaped as the runner
/// unescapes them.
///
/// The runner reads `%25`, `%0D` and `%0A` back as `%`, CR and LF in a command's message, and additionally `%3A` and
/// `%2C` as `:` and `,` in a property value; so a value can hold a line break (shown in the annotation) without
/// ending its command, and a property cannot end early at a `,` or `::`. Every other character `VisibleEscape`
/// names is made visible, so an annotation shows no hidden bidi control or terminal sequence.
public enum GitHubCommandText {
    /// A command's message, after the `::` that closes its properties.
    public static func data(_ value: String) -> String {
        var out = ""
        for scalar in VisibleEscape.apply(value, keep: { $0 == "\r" || $0 == "\n" }).unicodeScalars {
            switch scalar {
            case "%": out += "%25"
            case "\r": out += "%0D"
            case "\n": out += "%0A"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A property value (`file=`, `title=`): as `data`, and `:` and `,` escaped too.
    public static func property(_ value: String) -> String {
        var out = ""
        for scalar in data(value).unicodeScalars {
            switch scalar {
            case ":": out += "%3A"
            case ",": out += "%2C"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
