"""Regression tests for the flaky claims of the 20-seed ci sweep (issue 16) in ``engine`` and
``effective_noise``: each replays the instance that gave a wrong verdict."""

from __future__ import annotations

import theorems


def test_psgd_stationary_fraction_at_the_validity_boundary():
    # seed 12 at ci: tau_factor = 1 puts tau on the boundary tau = (1 - b) eta / b, where P(1->0) = 1;
    # the chain raised "P(1->0) = 1 > 1" (round-off) instead of being checked.
    inst = {"b": 0.234375, "eta": 0.01, "tau_factor": 1.0, "seed": 0}
    chk = theorems.replay("effective_noise.psgd_stationary_fraction", inst, profile="ci", seed=12)
    assert chk.ok is True
    assert chk.details["counts"][1][1] == 0  # P(1->0) = 1: no sample stays selected
