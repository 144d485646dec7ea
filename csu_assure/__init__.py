"""csu-assure: the kernel of the CSU checkpoint assurance engine (pure, typed; never imports Prefect)."""

__version__ = "0.1.0"
