"""Prefect flows: the only package that imports prefect. Each task body is one call into the kernel."""
