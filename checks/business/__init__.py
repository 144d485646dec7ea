"""Business checks."""
