"""The suite-level error budget of statistical decisions (theorems/core/claims.py, SUITE_ERROR_RATE).

A user's claim decides at the family error rate FAMILY_LEVEL = 0.01. A built-in claim that declares
``statistical=True`` decides at BUILTIN_FAMILY_LEVEL = 0.001 or its own ``error_rate``; the sum over the
built-in claims bounds the probability that a run at one seed falsely rejects any true built-in claim
(Bonferroni), and must stay within SUITE_ERROR_RATE.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import strategies as st

import theorems
from theorems import Check, Citation
from theorems.core.claims import (
    BUILTIN_FAMILY_LEVEL,
    FAMILY_LEVEL,
    SUITE_ERROR_RATE,
    Registry,
    claim,
)
from theorems.core.runner import run_claim_predicate, run_false_variant
from theorems.core.verdicts import Outcome

PAPER = Citation(authors="T. Tester", year=2026, title="Error budgets", venue="tests")
STRATEGY = st.fixed_dictionaries({"seed": st.integers(0, 2**31 - 1)})


def _test_claim(module: str, *, statistical: bool, reg: Registry):
    """A claim that records the level it was run at and decides by a (never rejecting) test."""
    seen: list[float] = []

    @claim(
        id="budget.fair_coin",
        paper=PAPER,
        statement="A fair coin is fair.",
        status="theorem",
        kind="distributional",
        strategy=STRATEGY,
        examples={"dev": 4, "ci": 4, "thorough": 4},
        statistical=statistical,
        registry=reg,
    )
    def fair_coin(inst, ctx):
        seen.append(ctx.level)
        return Check.test(reject=False, level=ctx.level, p_value=0.5, supports=True)

    @fair_coin.false_variant("always_rejects", "A test that rejects.")
    def _(inst, ctx):
        seen.append(ctx.level)
        return Check.test(reject=True, level=ctx.level, p_value=ctx.level / 2)

    fair_coin.module = module
    return fair_coin, seen


def test_builtin_statistical_claims_fit_in_the_suite_budget():
    declared = [c for c in theorems.registry() if c.builtin and c.statistical]
    assert len(declared) >= 30, [c.id for c in declared]
    total = sum(c.family_error_rate for c in declared)
    # a new statistical claim that does not fit: give it (or others) a smaller error rate, with the
    # samples to resolve it, rather than raising SUITE_ERROR_RATE
    assert total <= SUITE_ERROR_RATE, {c.id: c.family_error_rate for c in declared}
    assert all(c.family_error_rate <= FAMILY_LEVEL for c in declared)
    assert BUILTIN_FAMILY_LEVEL < FAMILY_LEVEL


def test_error_rate_is_validated_and_implies_statistical():
    reg = Registry()
    with pytest.raises(ValueError, match="error_rate"):
        claim(
            id="budget.bad",
            paper=PAPER,
            statement="s",
            status="theorem",
            kind="equality",
            error_rate=1.5,
            registry=reg,
        )(lambda inst, ctx: Check.close(1.0, 1.0))
    c = claim(
        id="budget.own",
        paper=PAPER,
        statement="s",
        status="theorem",
        kind="equality",
        error_rate=0.004,
        registry=reg,
    )(lambda inst, ctx: Check.close(1.0, 1.0))
    assert c.statistical and c.family_error_rate == 0.004


def test_a_user_claim_decides_at_the_family_rate_split_over_its_instances():
    reg = Registry()
    c, seen = _test_claim("theorems_user_123", statistical=False, reg=reg)
    v = run_claim_predicate(c, profile="dev", seed=3)
    assert v.outcome is Outcome.HOLDS
    assert seen and all(math.isclose(x, FAMILY_LEVEL / 4) for x in seen)
    assert v.evidence["family_error_rate"] == FAMILY_LEVEL
    assert v.evidence["statistical_decisions"] == v.evidence["instances_conclusive"] >= 3
    assert math.isclose(v.evidence["error_spent"], FAMILY_LEVEL / 4 * v.evidence["statistical_decisions"])


def test_a_builtin_claim_and_its_variants_decide_at_the_builtin_rate():
    reg = Registry()
    c, seen = _test_claim("theorems.some_paper.claims", statistical=True, reg=reg)
    v = run_claim_predicate(c, profile="dev", seed=3)
    assert v.outcome is Outcome.HOLDS
    assert v.evidence["family_error_rate"] == BUILTIN_FAMILY_LEVEL
    fv = run_false_variant(c.false_variants[0], "dev", 3)
    assert fv.outcome is Outcome.FALSIFIED
    assert fv.evidence["family_error_rate"] == BUILTIN_FAMILY_LEVEL
    assert all(math.isclose(x, BUILTIN_FAMILY_LEVEL / 4) for x in seen)


def test_a_builtin_claim_that_does_not_declare_its_tests_is_an_error_naming_the_fix():
    reg = Registry()
    c, _ = _test_claim("theorems.some_paper.claims", statistical=False, reg=reg)
    v = run_claim_predicate(c, profile="dev", seed=3)
    assert v.outcome is Outcome.ERROR
    assert "statistical=True" in v.reason and "budget.fair_coin" in v.reason
    fv = run_false_variant(c.false_variants[0], "dev", 3)
    assert fv.outcome is Outcome.ERROR and "statistical=True" in fv.reason


def test_a_builtin_claim_with_exact_checks_needs_no_declaration():
    reg = Registry()

    @claim(
        id="budget.exact",
        paper=PAPER,
        statement="1 + 1 = 2.",
        status="theorem",
        kind="equality",
        strategy=STRATEGY,
        examples={"dev": 3},
        registry=reg,
    )
    def exact(inst, ctx):
        return Check.close(np.float64(1.0) + 1.0, 2.0, rtol=1e-15)

    exact.module = "theorems.some_paper.claims"
    v = run_claim_predicate(exact, profile="dev", seed=0)
    assert v.outcome is Outcome.HOLDS and v.evidence["statistical_decisions"] == 0
