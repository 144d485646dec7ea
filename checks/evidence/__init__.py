"""Evidence checks."""
