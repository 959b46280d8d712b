// GoTemplate module; see docs/architecture.md.
