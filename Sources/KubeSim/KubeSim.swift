// KubeSim module; see docs/architecture.md.
