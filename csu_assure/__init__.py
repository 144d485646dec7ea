"""csu-assure: the kernel of the CSU checkpoint assurance engine (pure, typed; never imports Prefect, the CLI
or the shipped checks).

A notebook's way in::

    import checks
    from csu_assure import Options, assess_cohort, configure

    options = Options(out_dir="out")
    summary = assess_cohort("submissions/example-cohort", 2, configure(options.settings(), checks.catalogue()), options)

Names are imported on first use, so `import csu_assure` (as the CLI's `--help` does) costs nothing.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name → the module that defines it
_EXPORTS = {
    "Assessment": "csu_assure.results",
    "AssessmentSummary": "csu_assure.results",
    "Catalogue": "csu_assure.catalogue",
    "CheckResult": "csu_assure.results",
    "Checkpoint": "csu_assure.domain",
    "CohortSummary": "csu_assure.results",
    "Config": "csu_assure.service",
    "CsuRow": "csu_assure.results",
    "CsuRun": "csu_assure.service",
    "DataIssue": "csu_assure.results",
    "Disposition": "csu_assure.domain",
    "Domain": "csu_assure.domain",
    "Movement": "csu_assure.compare",
    "Options": "csu_assure.service",
    "Outcome": "csu_assure.domain",
    "Register": "csu_assure.register",
    "Settings": "csu_assure.settings",
    "Status": "csu_assure.domain",
    "Steps": "csu_assure.service",
    "Submission": "csu_assure.submission",
    "SubmissionInvalid": "csu_assure.loading",
    "assess": "csu_assure.engine",
    "assess_cohort": "csu_assure.service",
    "assess_csu": "csu_assure.service",
    "build_catalogue": "csu_assure.catalogue",
    "collect_checks": "csu_assure.catalogue",
    "compare": "csu_assure.compare",
    "configure": "csu_assure.service",
    "find_implausible": "csu_assure.plausibility",
    "load_submission": "csu_assure.loading",
    "progress_csu": "csu_assure.service",
}

__all__ = [
    "Assessment",
    "AssessmentSummary",
    "Catalogue",
    "CheckResult",
    "Checkpoint",
    "CohortSummary",
    "Config",
    "CsuRow",
    "CsuRun",
    "DataIssue",
    "Disposition",
    "Domain",
    "Movement",
    "Options",
    "Outcome",
    "Register",
    "Settings",
    "Status",
    "Steps",
    "Submission",
    "SubmissionInvalid",
    "__version__",
    "assess",
    "assess_cohort",
    "assess_csu",
    "build_catalogue",
    "collect_checks",
    "compare",
    "configure",
    "find_implausible",
    "load_submission",
    "progress_csu",
]
# __all__ is spelled out so linters and type checkers can read it; a test keeps it equal to _EXPORTS.


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'csu_assure' has no attribute {name!r}")
    return getattr(import_module(module), name)


if TYPE_CHECKING:  # what type checkers see for the lazily imported names
    from csu_assure.catalogue import Catalogue, build_catalogue, collect_checks
    from csu_assure.domain import Checkpoint, Disposition, Domain, Outcome, Status
    from csu_assure.engine import assess
    from csu_assure.loading import SubmissionInvalid, load_submission
    from csu_assure.plausibility import find_implausible
    from csu_assure.register import Register
    from csu_assure.results import (
        Assessment,
        AssessmentSummary,
        CheckResult,
        CohortSummary,
        CsuRow,
        DataIssue,
    )
    from csu_assure.service import (
        Config,
        CsuRun,
        Options,
        Steps,
        assess_cohort,
        assess_csu,
        configure,
        progress_csu,
    )
    from csu_assure.settings import Settings
    from csu_assure.submission import Submission
