"""Partnership checks."""
