"""Hypothesis profiles for the test suite and the claim oracle.

* ``dev`` (default): quick.
* ``ci``: derandomized, ``deadline=None``, ``database=None``; loaded automatically when ``CI`` is set.
* ``thorough``: many examples, for nightly runs.

Select with ``--hypothesis-profile NAME`` (hypothesis' own option) or ``THEOREMS_PROFILE=NAME``; the
same name sets the claim profile used by ``tests/test_claims.py`` (``--theorems-profile`` overrides).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=10, deadline=None)
settings.register_profile(
    "ci",
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "thorough",
    max_examples=500,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

_default = os.environ.get("THEOREMS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
settings.load_profile(_default)


def pytest_configure(config):
    # hypothesis' --hypothesis-profile is applied by its plugin; keep the claim profile in step.
    chosen = (
        config.getoption("--theorems-profile")
        or config.getoption("--hypothesis-profile", default=None)
        or _default
    )
    os.environ["THEOREMS_TEST_PROFILE"] = chosen if chosen in ("dev", "ci", "thorough") else "dev"
