"""Settings every test starts from."""

import os

# Prefect-backed CLI runs in tests use Prefect in their own process (the session's test harness, or an embedded
# server), never the warm path's local runner, which outlives the command by design; that runner is tested on
# its own in tests/reliability/test_warm_path.py, which sets the mode back.
os.environ.setdefault("CSU_ASSURE_PREFECT_MODE", "embedded")
