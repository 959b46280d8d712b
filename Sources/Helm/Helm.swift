// Helm module; see docs/architecture.md.
