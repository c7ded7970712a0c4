"""The hypothesis profiles every fuzz/property module uses (issue 8).

``fuzz-ci`` (the default) is derandomized — CI runs the same 200 examples every time, so a
failure reproduces; ``fuzz-long`` explores (``HYPOTHESIS_PROFILE=fuzz-long python -m pytest
tests/fuzz tests/evidence``).  Registering twice is harmless: the last definition wins and they
are identical.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "fuzz-ci",
    derandomize=True,
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "fuzz-long", max_examples=20000, deadline=None, suppress_health_check=list(HealthCheck)
)
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "fuzz-ci"))
