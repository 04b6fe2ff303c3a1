"""Boundary-seeking strategies: put a share of the draws at and near the ends of a parameter range.

A bound that fails only at an extreme corner (the largest step, the smallest batch) is missed by
uniform draws: hypothesis rarely draws the end of a float range exactly, and a corner of a product of
ranges is rarer still. These drop-in replacements for ``st.floats`` / ``st.integers`` /
``log_uniform`` draw from the whole range most of the time and, with a stated probability, from a thin
band at either end (the endpoint itself included). They shrink toward the lower end, like the plain
strategies, so counterexamples stay small.

Use them for the parameters whose *ends* are where a claim is tightest (step sizes as a fraction of a
threshold, batch sizes, dimensions); keep plain draws for seeds.

    from theorems.strategies import boundary as B
    st.fixed_dictionaries({"b": B.integers(1, 16), "u": B.floats(0.2, 0.5)})

Measured effect: ``python benchmarks/search_power.py --boundary`` (see benchmarks/results).
"""

from __future__ import annotations

import math

from hypothesis import strategies as st

# Share of draws placed in the end bands (split between the two ends) and the band's relative width.
EDGE_SHARE = 0.3
BAND = 1e-2


def floats(
    lo: float, hi: float, *, band: float = BAND, edge_share: float = EDGE_SHARE, exclude_max: bool = False
) -> st.SearchStrategy[float]:
    """A float in ``[lo, hi]`` (``[lo, hi)`` with ``exclude_max``): uniform-ish over the range, and with
    probability ``edge_share`` in a band of relative width ``band`` at either end (ends included)."""
    lo, hi = float(lo), float(hi)
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise ValueError(f"boundary.floats needs finite lo < hi, got lo={lo}, hi={hi}")
    if not (0 < band < 0.5 and 0 <= edge_share < 1):
        raise ValueError(f"band must be in (0, 0.5) and edge_share in [0, 1), got {band}, {edge_share}")
    w = (hi - lo) * band
    top = hi if not exclude_max else math.nextafter(hi, lo)
    bulk = st.floats(lo, hi, exclude_max=exclude_max)
    low_band = st.one_of(st.just(lo), st.floats(lo, lo + w))
    high_band = st.one_of(st.just(top), st.floats(hi - w, hi, exclude_max=exclude_max))
    return _mix(bulk, low_band, high_band, edge_share)


def log_floats(
    lo: float, hi: float, *, band: float = BAND, edge_share: float = EDGE_SHARE
) -> st.SearchStrategy[float]:
    """A positive float whose logarithm is drawn by :func:`floats` on ``[log lo, log hi]``."""
    if not 0 < lo < hi:
        raise ValueError(f"boundary.log_floats needs 0 < lo < hi, got lo={lo}, hi={hi}")
    return floats(math.log(lo), math.log(hi), band=band, edge_share=edge_share).map(
        lambda v: min(max(math.exp(v), lo), hi)
    )


def integers(lo: int, hi: int, *, edge_share: float = EDGE_SHARE) -> st.SearchStrategy[int]:
    """An integer in ``[lo, hi]``; with probability ``edge_share`` exactly ``lo`` or ``hi``."""
    if not lo <= hi:
        raise ValueError(f"boundary.integers needs lo <= hi, got lo={lo}, hi={hi}")
    if lo == hi:
        return st.just(lo)
    return _mix(st.integers(lo, hi), st.just(lo), st.just(hi), edge_share)


def _mix(
    bulk: st.SearchStrategy, low: st.SearchStrategy, high: st.SearchStrategy, edge_share: float
) -> st.SearchStrategy:
    """``bulk`` with probability ``1 - edge_share``, else ``low`` or ``high`` (half each).

    The branch is a drawn integer in [0, 999], so the probabilities hold for random generation and the
    integer shrinks to 0 (the bulk branch, itself shrinking toward ``lo``)."""
    cut = int(round(1000 * (1 - edge_share)))
    half = cut + (1000 - cut) // 2

    def pick(k: int) -> st.SearchStrategy:
        return bulk if k < cut else (low if k < half else high)

    return st.integers(0, 999).flatmap(pick)
