"""Delivery checks."""
