import YAML

/// Runs a chart's templates (Helm's `pkg/engine`). Placeholder until the GoTemplate
/// executor is available.
struct TemplateEngine {
    let chart: Chart
    let values: YAMLMapping
    let options: RenderOptions

    func render() throws -> [String: String] {
        throw HelmError(.template, "template engine not available yet")
    }
}
