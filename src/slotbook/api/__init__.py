"""HTTP surfaces: one package per public API, all on the same use cases."""
