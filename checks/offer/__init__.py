"""Offer checks."""
