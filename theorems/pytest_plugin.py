"""pytest plugin (entry point ``pytest11``): use the suite as a correctness oracle from another repo.

Fixtures:

* ``theorems_oracle``: an object with ``verify(claim_id)`` (a registered claim and its false variants),
  ``check(claim)`` (a :class:`~theorems.Claim` you built, e.g. with ``claim(..., registry=...)``),
  ``replay(id, instance)`` and the ``profile``/``seed`` in force.

Example, in another repository::

    def test_pesme_headline(theorems_oracle):
        result = theorems_oracle.verify("pesme2021.sgf.implicit_bias")
        assert result.passed, result.verdict.reason

    def test_my_integrator_obeys_a_claim(theorems_oracle):
        from my_package import my_claim          # built with @theorems.claim(..., registry=Registry())
        assert theorems_oracle.check(my_claim).passed

Options: ``--theorems-profile dev|ci|thorough`` and ``--theorems-seed N``.
"""

from __future__ import annotations

import os
from typing import Any

import pytest


class TheoremsOracle:
    def __init__(self, profile: str, seed: int) -> None:
        self.profile, self.seed = profile, seed

    def verify(self, claim_id: str):
        import theorems

        return theorems.verify(claim_id, profile=self.profile, seed=self.seed)

    def check(self, c: Any):
        from theorems.core.runner import run_claim

        return run_claim(c, profile=self.profile, seed=self.seed)

    def replay(self, target_id: str, instance: Any):
        import theorems

        return theorems.replay(target_id, instance, profile=self.profile, seed=self.seed)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("theorems")
    group.addoption("--theorems-seed", type=int, default=0, help="seed for theorems claims")
    group.addoption(
        "--theorems-profile",
        choices=("dev", "ci", "thorough"),
        default=None,
        help="claim profile (default: THEOREMS_PROFILE, or ci when CI is set, else dev)",
    )


@pytest.fixture
def theorems_oracle(request: pytest.FixtureRequest) -> TheoremsOracle:
    profile = (
        request.config.getoption("--theorems-profile")
        or os.environ.get("THEOREMS_TEST_PROFILE")
        or os.environ.get("THEOREMS_PROFILE")
        or ("ci" if os.environ.get("CI") else "dev")
    )
    return TheoremsOracle(profile, int(request.config.getoption("--theorems-seed")))
