// Profiles module; see docs/architecture.md.
