"""Governance checks."""
