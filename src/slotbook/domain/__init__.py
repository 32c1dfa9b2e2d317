"""Pure booking domain: no I/O, no framework, no vendor names."""
