"""The search-power benchmark's conjectures: each is false, with a known counterexample that really
violates it (replayed here, cheap and deterministic); none leaks into the built-in registry.

The benchmark itself (``benchmarks/search_power.py``) is not a test and is never run by pytest.
"""

from __future__ import annotations

import importlib.util
import sys
import warnings
from pathlib import Path

import pytest
from hypothesis import given, settings

from theorems.core.claims import REGISTRY, Context, Status

ROOT = Path(__file__).resolve().parent.parent


def _load():
    name = "power_conjectures"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / "power_conjectures.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


pc = _load()
IDS = [c.id for c in pc.POWER]


def test_at_least_20_graded_conjectures_in_a_private_registry():
    assert len(IDS) >= 20
    assert not any(i in REGISTRY for i in IDS), "benchmark conjectures leaked into the built-in registry"
    assert set(pc.GRADE) == set(IDS) == set(pc.KNOWN) == set(pc.REGION)
    assert {"common", "moderate", "rare", "corner"} <= set(pc.GRADE.values())
    for c in pc.POWER:
        assert c.status is Status.CONJECTURE
        assert pc.REGION[c.id] and c.statement


@pytest.mark.parametrize("cid", IDS)
def test_known_counterexample_violates(cid):
    c = pc.POWER[cid]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        chk = c(pc.KNOWN[cid], Context())
    assert chk.ok is False, f"{cid}: known counterexample {pc.KNOWN[cid]} did not violate: {chk}"
    assert chk.margin < 0


@pytest.mark.parametrize("cid", IDS)
def test_known_counterexample_is_drawable(cid):
    """The known counterexample lies inside the strategy's region (so a search could find it): every
    key the strategy draws is present, and the same keys with the same types."""
    c = pc.POWER[cid]
    keys: list[set[str]] = []

    @settings(max_examples=3, database=None, deadline=None)
    @given(c.get_strategy())
    def draw(inst):
        keys.append(set(inst))

    draw()
    assert keys and all(k == set(pc.KNOWN[cid]) for k in keys), (cid, keys, pc.KNOWN[cid])


def test_benchmark_is_not_collected_by_pytest():
    assert not (ROOT / "benchmarks" / "search_power.py").name.startswith("test_")
