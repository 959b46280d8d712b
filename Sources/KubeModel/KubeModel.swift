// KubeModel module; see docs/architecture.md.
