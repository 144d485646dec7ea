"""Benchmarks: measured figures for BENCHMARKS.md. Never part of the test pass/fail."""
