"""The flows' parameter types as the Prefect UI and API check them: typed and bounded.

Prefect builds each deployment's parameter schema from these annotations (and each parameter's description from
its flow's docstring, `Args:` section) and refuses a run whose parameters do not fit before the run exists
(`checkpoint: 4` → "4 is greater than the maximum of 3"). Nothing here can hold a secret: connections come from
settings (csu_assure/settings.py), resolved in the flow run.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from csu_assure.service import Options

CheckpointNumber = Annotated[int, Field(ge=1, le=3)]
Folder = Annotated[str, Field(min_length=1, max_length=4096)]
Folders = Annotated[list[Folder], Field(min_length=1)]
# The options a run is given when none are: frozen, so one instance serves every run.
DEFAULT_OPTIONS = Options()
