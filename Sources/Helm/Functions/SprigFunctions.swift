import GoTemplate

/// The function table Helm registers: Sprig's `TxtFuncMap()` without `env`/`expandenv`,
/// plus Helm's data functions. Helm's engine functions (`include`, `tpl`, `required`,
/// `fail`, `lookup`) are added after these by `TemplateEngine` and win.
public enum SprigFunctions {
    public static let all: FunctionMap = {
        var f = FunctionMap()
        Sprig.stringFunctions(into: &f)
        Sprig.listFunctions(into: &f)
        Sprig.dictFunctions(into: &f)
        Sprig.mathFunctions(into: &f)
        Sprig.logicFunctions(into: &f)
        Sprig.encodingFunctions(into: &f)
        Sprig.regexFunctions(into: &f)
        Sprig.timeFunctions(into: &f)
        Sprig.semverFunctions(into: &f)
        Sprig.dataFunctions(into: &f)
        Sprig.cryptoFunctions(into: &f)
        return f
    }()
}
