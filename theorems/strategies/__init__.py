"""Small hypothesis strategies shared by every paper (seeds, log-uniform scales, fractions, sizes).

A paper's own strategies live in its package, ``theorems/<paper>/instances.py`` (for example
``theorems.diagonal_networks.instances``), composed from these. Instances are small dictionaries of
plain numbers (sizes, scales, step fractions and a ``seed``) from which a predicate builds its arrays,
so counterexamples are short, shrinkable and replayable. Seeds for numpy generators are always drawn
here, by hypothesis, never from an unseeded generator.
"""

from __future__ import annotations

import math

from hypothesis import strategies as st

SEED_MAX = 2**32 - 1


def seeds() -> st.SearchStrategy[int]:
    """A seed for ``numpy.random.default_rng``; shrinks toward 0."""
    return st.integers(0, SEED_MAX)


def log_uniform(lo: float, hi: float) -> st.SearchStrategy[float]:
    """A float whose logarithm is uniform on [log lo, log hi] (scales, step sizes, alphas)."""
    if not 0 < lo < hi:
        raise ValueError(f"log_uniform needs 0 < lo < hi, got lo={lo}, hi={hi}")
    return st.floats(math.log(lo), math.log(hi)).map(math.exp)


def fraction(lo: float, hi: float) -> st.SearchStrategy[float]:
    """A fraction in [lo, hi], e.g. a step size as a fraction of a stability threshold."""
    if not 0 <= lo < hi:
        raise ValueError(f"fraction needs 0 <= lo < hi, got lo={lo}, hi={hi}")
    return st.floats(lo, hi)


def underdetermined_dims(n_min: int = 2, n_max: int = 10, extra_min: int = 1,
                         extra_max: int = 20) -> st.SearchStrategy[dict]:
    """``{"n": n, "d": d}`` with ``d > n`` (overparametrised regression)."""
    return st.integers(n_min, n_max).flatmap(
        lambda n: st.integers(n + extra_min, n + extra_max).map(lambda d: {"n": n, "d": d}))
