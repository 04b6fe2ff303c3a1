"""Calibration of two statistical claims that gave false rejections in the 20-seed sweeps (issue 16):
``online_noise.dln_offline_switch`` and ``heavy_tail.metamorphic``.

Each test runs the claim's decision rule on statistics whose law is known (an exactly-null
simulation) and checks that the rejection rate is at most the nominal level, with a one-sided
binomial bound at 1e-6 (a calibrated test fails these tests about once in a million runs); the
power side checks that the rule still rejects what it must. Seeds are fixed, so the tests are
deterministic."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import theorems
from sim import online
from theorems import Context, registry
from theorems.online_sgd_noise import simulations as MS


def _binomial_cap(n: int, p: float, tail: float = 1e-6) -> int:
    """The largest count a Binomial(n, p) exceeds with probability below ``tail``."""
    return int(stats.binom.isf(tail, n, p))


# ------------------------------------------------------------------ online_noise.dln_offline_switch
def _switch_finals(
    rng: np.random.Generator, m: tuple[float, float, float], s: int = 16, sd: float = 0.01
) -> list[np.ndarray]:
    """Finals of tau = 0 (deterministic GD at 1.0), tau_1, tau_2, T with common random numbers: a
    shared per-replica component (the noisy prefix) plus independent Gaussian increments whose means
    are the adjacent differences ``m`` (so every paired difference is exactly Gaussian)."""
    gd = np.array([1.0])
    f1 = 1.0 + m[0] + 0.05 * rng.standard_normal(s)
    f2 = f1 + m[1] + sd * rng.standard_normal(s)
    f3 = f2 + m[2] + sd * rng.standard_normal(s)
    return [gd, f1, f2, f3]


def _switch_rejections(m: tuple[float, float, float], slack: float, level: float, n: int, seed: int) -> int:
    rng = np.random.default_rng(seed)
    taus = [0, 1, 2, 3]
    return sum(
        MS._switch_order(taus, _switch_finals(rng, m), level, increasing=False, slack=slack).ok is False
        for _ in range(n)
    )


@pytest.mark.parametrize(
    "m, slack",
    [
        # equal means between switched runs, slack 0: the old statement's null, exactly
        ((-0.5, 0.0, 0.0), 0.0),
        # tau_1 equal to GD (the pair without slack), later pairs clearly decreasing
        ((0.0, -0.2, -0.2), 0.1),
        # the last pair reverses by exactly the slack: 0.1 of E[f(0) - f(T)] (boundary of the claim)
        ((-0.5, -0.1, 0.1 * 0.6 / 1.1), 0.1),
    ],
)
def test_switch_order_rejection_rate_under_the_null_is_at_most_nominal(m, slack):
    level, n = 0.1, 2000  # the rule rejects when a Holm-adjusted p < level/2
    k = _switch_rejections(m, slack, level, n, seed=11)
    assert k <= _binomial_cap(n, level / 2), (k, n)
    # and the rule is not vacuous: at the boundary of one pair of three it rejects at about the
    # Holm rate level / 2 / 3 (measured 37 of 2000 = 1.85%, nominal 1.67%)
    if m[2] > 0:
        assert k >= int(stats.binom.ppf(1e-6, n, level / 6))


def test_switch_order_slack_separates_tiny_from_material_reversals():
    rng = np.random.default_rng(3)
    gap = 0.5  # E[f(0) - f(T)] when m = (-0.5, ~0, ~0)
    # the 0.4% reversal of --seed 3, resolved as there (t about 15-30 over 256 replicas)
    tiny = _switch_finals(rng, (-0.5, -0.01, 0.004 * gap), s=256, sd=0.001)
    chk = MS._switch_order([0, 1, 2, 3], tiny, 1e-4, increasing=False, slack=MS.SWITCH_SLACK)
    assert chk.ok is True
    strict = MS._switch_order([0, 1, 2, 3], tiny, 1e-4, increasing=False, slack=0.0)
    assert strict.ok is False  # the strict statement is rejected on such data: it is false
    material = _switch_finals(rng, (-0.5, -0.01, 0.3 * gap), s=16)
    chk = MS._switch_order([0, 1, 2, 3], material, 1e-4, increasing=False, slack=MS.SWITCH_SLACK)
    assert chk.ok is False


def test_dln_offline_switch_replays_the_seed_3_draw():
    """Draw 3 of --seed 3 (ci) was a true reversal of 0.4% of the gap (t = 15.5 over 256 replicas),
    not a type-I error; the restated claim holds there and its false variant is still falsified."""
    chk = theorems.replay("online_noise.dln_offline_switch", {"draw": 3}, profile="ci", seed=3)
    assert chk.ok is True
    assert chk.details["slack"] == MS.SWITCH_SLACK
    locked = chk.details["fraction_of_gap_at_tau"]
    assert locked[2] > 1.0  # the run switched at T/8 is below SGD to the end: the strict order fails
    # the false variant at the planned family rate 3e-4 (5 instances): draw 3 alone cannot reject it
    # (p = 4e-3: 98% of the gap is locked in at T/40), draw 1 of the same run does (p = 3.5e-11)
    (var,) = registry()["online_noise.dln_offline_switch"].false_variants
    ctx = Context(profile="ci", seed=3, level=3e-4 / 5)
    assert var({"draw": 3}, ctx).ok is True
    assert var({"draw": 1}, ctx).ok is False


# ------------------------------------------------------------------------------ heavy_tail.metamorphic
def test_scalar_vs_vector_ks_rejection_rate_is_at_most_nominal():
    """The d = 1 scalar reduction (A, B) against explicit data at the instance of the --seed 5
    false rejection (b = 3, u = 0.625): both have the same law, so the two-sample KS test must reject
    at most at its level."""
    from theorems.heavy_tail.formulas import max_step_size

    b, k, level, n, r = 3, 37, 0.05, 400, 1000
    eta = 0.625 * max_step_size(b, 1, 1.0)
    p = np.array(
        [
            stats.ks_2samp(
                online.scalar_chains(np.random.SeedSequence([s, 1]), r, k, eta, b).state,
                online.vector_chains(np.random.SeedSequence([s, 2]), r, k, eta, b, 1).state[:, 0],
            ).pvalue
            for s in range(n)
        ]
    )
    assert int(np.sum(p < level)) <= _binomial_cap(n, level)
    assert int(np.sum(p < 0.5)) <= _binomial_cap(n, 0.5)


def test_metamorphic_unpowered_instance_runs_no_test():
    """An instance whose KS test could not see the false variant's law is inconclusive before any
    KS test runs (it cannot add a false rejection to the family)."""
    c = registry()["heavy_tail.metamorphic"]
    inst = {
        "b": 2, "d": 2, "sigma2": 1.0, "u": 0.6, "lam": 1.0, "sigma_eps": 1.0,
        "lam_eps": 1.0, "xhat": 0.0, "k": 5, "seed": 1,
    }  # fmt: skip
    chk = c(inst, Context(profile="dev", level=1e-300))
    assert chk.ok is None and "cannot see" in chk.details["reason"]
    assert "p_scalar_vs_vector" not in chk.details
    chk = c(inst, Context(profile="dev", level=3e-4 / 3))
    assert chk.ok is True and chk.details["variant_ks_distance"] > 2 * chk.details["ks_critical_distance"]


def test_metamorphic_replays_the_seed_5_instance():
    inst = {
        "b": 3, "d": 2, "sigma2": 1.0, "u": 0.625, "lam": 1.0, "sigma_eps": 1.0,
        "lam_eps": 1.0, "xhat": 0.0, "k": 37, "seed": 13409,
    }  # fmt: skip
    chk = theorems.replay("heavy_tail.metamorphic", inst, profile="dev", seed=5)
    assert chk.ok is True
