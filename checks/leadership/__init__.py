"""Leadership checks."""
