"""Every registered claim must hold and every false variant must be falsified (the oracle, via pytest).

Parametrized by id, so ``pytest -k pesme2021`` runs one paper. The profile follows
``--theorems-profile`` / ``--hypothesis-profile`` / ``THEOREMS_PROFILE`` / ``CI`` (see conftest.py).
Conjectures are questions: their search must run without error, whatever it finds.
"""

from __future__ import annotations

import os

import pytest

import theorems
from theorems.core.discovery import LOAD_ERRORS
from theorems.core.runner import run_claim_predicate, run_false_variant
from theorems.core.verdicts import Outcome

REGISTRY = theorems.registry()
CLAIM_IDS = REGISTRY.ids()
VARIANT_IDS = [v.id for c in REGISTRY for v in c.false_variants]


def _profile() -> str:
    return os.environ.get("THEOREMS_TEST_PROFILE", "dev")


def test_all_claim_modules_import():
    assert not LOAD_ERRORS, "\n".join(f"{m}:\n{tb}" for m, tb in LOAD_ERRORS)


def test_every_claim_has_a_false_variant():
    # A refuted claim is itself a falsified statement (its pinned counterexample replays first).
    missing = [
        cid
        for cid in CLAIM_IDS
        if not REGISTRY[cid].false_variants and REGISTRY[cid].status.value != "refuted"
    ]
    assert not missing, f"claims without false variants: {missing}"


@pytest.mark.claim
@pytest.mark.parametrize("claim_id", CLAIM_IDS)
def test_claim(claim_id: str):
    c = REGISTRY[claim_id]
    # the same call as `theorems verify` (pinned instances, deadline, required conclusive count)
    v = run_claim_predicate(c, profile=_profile(), seed=0)
    if c.status.value == "conjecture":
        assert v.outcome is not Outcome.ERROR, v.evidence.get("traceback", v.reason)
    elif c.status.value == "refuted":  # its pinned counterexamples must keep falsifying it
        assert v.outcome is Outcome.FALSIFIED, f"{v.outcome.value}: {v.reason}\n{v.evidence}"
        assert all(p["falsified"] for p in v.evidence["pinned"]), v.evidence["pinned"]
    else:
        assert v.outcome is Outcome.HOLDS, f"{v.outcome.value}: {v.reason}\n{v.evidence}"


@pytest.mark.claim
@pytest.mark.parametrize("variant_id", VARIANT_IDS)
def test_false_variant_is_falsified(variant_id: str):
    claim_id, _, name = variant_id.partition(":")
    variant = next(v for v in REGISTRY[claim_id].false_variants if v.name == name)
    v = run_false_variant(variant, _profile(), 0)
    assert v.outcome is Outcome.FALSIFIED, f"{v.outcome.value}: {v.reason}\n{v.evidence}"
    assert "counterexample" in v.evidence and v.evidence["counterexample"]["instance"] is not None
