"""theorems.strategies.boundary: draws stay in range and a stated share lands at the ends."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings

from theorems.strategies import boundary as B


def _draws(strategy, n: int = 300) -> list:
    out: list = []

    @seed(1234)
    @settings(
        max_examples=n,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(x):
        out.append(x)

    collect()
    return out


def test_floats_in_range_and_reach_both_ends():
    xs = _draws(B.floats(0.2, 0.5))
    assert all(0.2 <= x <= 0.5 for x in xs)
    band = 0.3 * B.BAND
    top = sum(x >= 0.5 - band for x in xs) / len(xs)
    assert top > 0.05, top  # a plain st.floats(0.2, 0.5) puts ~1% here
    assert 0.5 in xs and 0.2 in xs


def test_floats_exclude_max():
    xs = _draws(B.floats(0.0, 1.0, exclude_max=True))
    assert all(0.0 <= x < 1.0 for x in xs)
    assert max(xs) > 1.0 - 1e-2


def test_log_floats_and_integers():
    xs = _draws(B.log_floats(1e-6, 1.0))
    assert all(1e-6 <= x <= 1.0 for x in xs)
    assert sum(math.log(x) > math.log(1.0) - 0.01 * math.log(1e6) for x in xs) > 0.05 * len(xs)
    ks = _draws(B.integers(1, 16))
    assert all(1 <= k <= 16 for k in ks)
    assert ks.count(16) > 0.05 * len(ks) and ks.count(1) > 0.05 * len(ks)
    assert set(_draws(B.integers(3, 3), 5)) == {3}


@pytest.mark.parametrize(
    "make",
    [
        lambda: B.floats(1.0, 1.0),
        lambda: B.floats(0.0, math.inf),
        lambda: B.floats(0.0, 1.0, band=0.7),
        lambda: B.log_floats(0.0, 1.0),
        lambda: B.integers(5, 4),
    ],
)
def test_bad_ranges_are_refused(make):
    with pytest.raises(ValueError):
        make()
