import YAML

/// Small helper for building ordered JSON objects.
struct YAMLMappingBuilder {
    var mapping = YAMLMapping()
    subscript(key: String) -> YAMLValue? {
        get { mapping[key] }
        set { mapping[key] = newValue }
    }
    var value: YAMLValue { .mapping(mapping) }
}
