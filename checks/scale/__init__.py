"""Scale checks."""
