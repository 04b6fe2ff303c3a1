"""Hypothesis strategies for the single-ReLU-neuron gradient-flow claims (``relu1.*``).

Instances are small dicts of plain numbers; ``theorems.relu_single_neuron`` turns them into arrays.
Two styles are used:

* **seeded families** (``n, d, seed`` plus scales): cheap to draw and to shrink; the arrays come from
  ``numpy.random.default_rng(seed)``. Used where the claim quantifies over a structured family
  (orthogonal inputs, non-positively correlated inputs, Gaussian population, generic data);
* the counterexample search of the unconditional "small init => the norm never decreases" conjecture
  uses seeded *integer-valued* data (:func:`integer_data_small_init`), so that the counterexample
  prints as small integers while each example stays cheap (see that function for why not raw draws).

Assumptions encoded (spec ``/work/shared/claims/relu_single_neuron.md``): labels ``y >= 0`` with some
exact zeros; the initial direction and scale drawn separately; "small init" relative to
``min_{y_i>0} y_i/||x_i||``.
"""

from __future__ import annotations

import math

from hypothesis import strategies as st

SEEDS = st.integers(min_value=0, max_value=2**20 - 1)


def _tenths(lo: int, hi: int) -> st.SearchStrategy[float]:
    """Multiples of 0.1 in [lo/10, hi/10] (shrink toward 0, print readably)."""
    return st.integers(lo, hi).map(lambda k: k / 10)


def _uniform(lo: float, hi: float, digits: int = 4) -> st.SearchStrategy[float]:
    """A value on a grid of 1000 steps in [lo, hi], rounded to ``digits`` (shrinks toward ``lo``).

    Drawn through an integer: ``st.floats`` puts about half of its draws on 0.0 or an end point when
    they are in range, which starves the search of, e.g., zero labels or small inits.
    """
    return st.integers(0, 1000).map(lambda k: round(lo + (hi - lo) * k / 1000, digits))


# ------------------------------------------------------------------------------------ generic data
def generic_seeded(log10_scale: tuple[float, float] = (-3.0, 0.5),
                   zero_label_prob: tuple[float, float] = (0.0, 0.5),
                   n: tuple[int, int] = (2, 8)) -> st.SearchStrategy[dict]:
    """Generic data: ``n in [2,8], d in [2,5]``, X uniform in [-2,2], labels U[0,2] with exact zeros.

    ``log10_scale`` sets ``||w(0)||`` relative to ``min_{y_i>0} y_i/||x_i||`` (below 0: small init).
    """
    return st.fixed_dictionaries({
        "n": st.integers(*n),
        "d": st.integers(2, 5),
        "zero_frac": _uniform(*zero_label_prob, digits=2),
        "log10_scale": _uniform(*log10_scale, digits=2),
        "seed": SEEDS,
    })


def underdetermined_seeded() -> st.SearchStrategy[dict]:
    """Generic data with ``n < d`` (so w(t) - w(0) lies in a proper subspace), any init scale."""
    return st.integers(2, 5).flatmap(lambda n: st.fixed_dictionaries({
        "n": st.just(n),
        "d": st.integers(n + 1, n + 4),
        "zero_frac": _uniform(0.0, 0.5, digits=2),
        "log10_scale": _uniform(-2.0, 0.5, digits=2),
        "seed": SEEDS,
    }))


def integer_data_small_init() -> st.SearchStrategy[dict]:
    """Seeded generic *integer* data for the counterexample search of the unconditional conjecture.

    ``n in [2, 8]``, ``d in [2, 5]``; the predicate draws ``X`` with entries in {-2, ..., 2}, labels in
    {0, 0.5, ..., 2} and three integer init directions from ``seed``, so a counterexample prints as
    small integers. ``log10_scale in {-3, -2, -1}`` sets ``||w(0)||`` relative to
    ``min_{y_i>0} y_i/||x_i||``. Seeds rather than raw entries: a raw draw costs ~7 ms of hypothesis
    overhead per example and shrinking ~50 entries exhausts the time budget, while hits are rare
    (~1% per init), so the search needs hundreds of cheap examples.
    """
    return st.fixed_dictionaries({
        "n": st.integers(2, 8),
        "d": st.integers(2, 5),
        "log10_scale": st.integers(-3, -1),
        "seed": SEEDS,
    })


# ------------------------------------------------------------------------------- orthogonal inputs
def orthogonal(init: str) -> st.SearchStrategy[dict]:
    """Orthogonal inputs (QR directions, norms log-uniform in [0.3, 3]), ``n <= d``.

    ``init``: ``"small"`` (zero-label points inactive, ``z_i(0) < y_i`` on A0, A0 has a positive-label
    point), ``"small_any"`` (small, zero-label points may be active), ``"small_zero_active"`` (small,
    at least one zero label and every zero-label point active: the case the condition excludes),
    ``"large"`` (``z_i(0) > y_i`` on all of A0), ``"any"`` (direction and scale unrestricted),
    ``"mixed"`` (positive-label points active, some under- and some over-predicted).
    """
    modes = ("small", "small_any", "small_zero_active", "large", "any", "mixed")
    if init not in modes:
        raise ValueError(f"init must be one of {modes}, got {init!r}")
    # for "mixed", log10_scale is the position (0..1, log scale) of the init scale between the
    # smallest and the largest y_i / z_i(u) over the active positive-label points
    scale = {"small": (-3.0, -0.5), "small_any": (-3.0, -0.5), "small_zero_active": (-1.5, -0.3),
             "large": (0.2, 1.0), "any": (-2.0, 1.0), "mixed": (0.05, 0.95)}[init]
    n_min = 2 if init in ("small_zero_active", "mixed") else 1
    return st.integers(n_min, 5).flatmap(lambda n: st.fixed_dictionaries({
        "n": st.just(n),
        "d": st.integers(n, n + 2),
        "zero_frac": _uniform(0.0, 0.5, digits=2),
        "log10_scale": _uniform(*scale, digits=2),
        "init": st.just(init),
        "seed": SEEDS,
    }))


# ------------------------------------------------------------------ non-positively correlated inputs
def nonpositive_correlation() -> st.SearchStrategy[dict]:
    """Gram matrix ``G = D - W`` (W >= 0, diagonally dominant), embedded in R^d, d >= n.

    ``density``: fraction of non-zero couplings (0 gives orthogonal data); ``slack``: diagonal margin;
    ``zero_frac``: fraction of zero labels; small init built inside U (see the module docstring of
    ``theorems.relu_single_neuron``).
    """
    return st.integers(2, 6).flatmap(lambda n: st.fixed_dictionaries({
        "n": st.just(n),
        "d": st.integers(n, n + 2),
        "density": _uniform(0.3, 1.0, digits=2),
        "slack": _uniform(0.05, 1.0, digits=2),
        "zero_frac": _uniform(0.0, 0.5, digits=2),
        "log10_scale": _uniform(-3.0, -0.3, digits=2),
        "seed": SEEDS,
    }))


# ------------------------------------------------------------------------------ population teacher
def population(log10_ratio: tuple[float, float] = (-2.0, 1.0),
               theta: tuple[float, float] = (0.02, math.pi - 0.02)) -> st.SearchStrategy[dict]:
    """Gaussian population ``x ~ N(0, I_d)``, teacher ``v``: ``d in [2, 20]``, ``||w||/||v||``
    log-uniform, angle ``theta in (0, pi)`` (kept 0.02 away from the ends)."""
    return st.fixed_dictionaries({
        "d": st.integers(2, 20),
        "log10_ratio": _uniform(*log10_ratio, digits=3),
        "theta": _uniform(*theta, digits=4),
        "v_norm": _uniform(0.5, 2.0, digits=3),
        "seed": SEEDS,
    })


def population_large_init() -> st.SearchStrategy[dict]:
    """Population starts outside the growth region: ``||w|| = factor * 2 kappa(theta) ||v||``."""
    return st.fixed_dictionaries({
        "d": st.integers(2, 6),
        "factor": _uniform(1.2, 5.0, digits=3),
        "theta": _uniform(0.1, math.pi - 0.1, digits=4),
        "v_norm": _uniform(0.5, 2.0, digits=3),
        "seed": SEEDS,
    })


# -------------------------------------------------------------------------------- Vardi-Shamir
def vardi_shamir_pair() -> st.SearchStrategy[dict]:
    """Two construction parameters ``gamma1 < gamma2`` in [0.1, 3] and the init scale ``eps``."""
    return st.fixed_dictionaries({
        "gamma1": _uniform(0.1, 1.4, digits=3),
        "gamma2": _uniform(1.6, 3.0, digits=3),
        "log10_eps": _uniform(-3.0, -1.0, digits=2),
    })
