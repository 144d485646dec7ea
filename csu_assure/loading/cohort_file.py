"""A cohort's own settings: the optional `cohort.yaml` beside its CSU folders.

```yaml
name: "England: emerging CSUs, 2012"    # the title of the cohort's summary report
```

Read with the submission's safe YAML loader and within a size limit, like every input; a file that cannot be
read or does not fit the model is a located problem (named by `validate` and `cohort`, which then title the
summary with the folder's name), never a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from csu_assure.loading.files import read_bytes
from csu_assure.loading.folder import decode_text, parse_yaml
from csu_assure.loading.layout import COHORT_FILE
from csu_assure.loading.problems import Problem

MAX_COHORT_FILE_BYTES = 16 * 1024

OneLine = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=r"^[^\n\r]*$")
]


class CohortSettings(BaseModel):
    """What `cohort.yaml` may say."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: OneLine = Field(description="The cohort's name: the title of its summary report.")


def read_cohort_settings(cohort: Path) -> tuple[CohortSettings | None, Problem | None]:
    """The settings in `cohort`'s `cohort.yaml`: (None, None) when it has none, (None, problem) when the file
    cannot be used."""
    path = Path(cohort) / COHORT_FILE
    if not path.exists() and not path.is_symlink():
        return None, None
    label = f"{Path(cohort).name}/{COHORT_FILE}"
    if path.is_symlink():
        return None, Problem(
            label, "", "is a link: the cohort's settings must be a file of its own; not read"
        )
    data, problem = read_bytes(path, Path(cohort), MAX_COHORT_FILE_BYTES, label)
    if problem is not None or data is None:
        return None, problem
    text, problem = decode_text(data, label)
    if problem is not None or text is None:
        return None, problem
    raw, problem = parse_yaml(text, label)
    if problem is not None:
        return None, problem
    try:
        return CohortSettings.model_validate(raw if raw is not None else {}), None
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return None, Problem(label, where, f'{first["msg"]} (expected e.g. name: "England, 2012")')


__all__ = ["MAX_COHORT_FILE_BYTES", "CohortSettings", "read_cohort_settings"]
