"""The judging back office, one module per area."""
