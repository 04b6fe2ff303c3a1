"""Hypothesis strategies for diagonal linear networks (Pesme, Pillaud-Vivien, Flammarion 2021).

Instances are small dicts of plain numbers, turned into arrays by
``theorems.diagonal_networks.setup(instance)``:

``n, d, s``
    samples, features (``d > n``: over-parametrised, full row rank a.s.), support size of the truth;
``a, spread``
    the initialisation ``alpha = a * exp(spread * N(0, I_d))`` (a vector alpha);
``f``
    the step ``gamma = f * gamma_0`` with the curvature scale ``gamma_0`` of
    ``theorems.diagonal_networks.step_scale`` (on these families the measured SGD stability edge sat
    at 3.8-6 gamma_0);
``col_scale, mean, zero_columns``
    optional design variants: column scales ``e^{col_scale U[-1,1]}`` (non-uniform diag(X^T X)),
    uncentred features ``N(mean, 1)``, all-zero columns;
``b``
    optional mini-batch size (``with_batch``), ``2 <= b <= max(2, max_frac * n)``;
``seed``
    feeds ``numpy.random.SeedSequence`` (data, alpha and the dynamics' noise all derive from it).

The paper's assumptions encoded: Gaussian design, ``n < d`` (interpolation possible), noiseless
labels ``y = X beta*``, ``w+ = w- = alpha > 0``, a step below the stability edge.
"""

from __future__ import annotations

import math

from hypothesis import strategies as st

SEEDS = st.integers(min_value=0, max_value=2**20 - 1)


def _log_uniform(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(math.log(lo), math.log(hi)).map(lambda v: round(math.exp(v), 6))


def _features(n: int, d_over_n: tuple[float, float]) -> st.SearchStrategy[int]:
    """``d`` in ``[max(n + 1, ceil(lo n)), max(that, floor(hi n))]``: over-parametrised, d > n."""
    d_lo = max(n + 1, int(math.ceil(d_over_n[0] * n)))
    return st.integers(d_lo, max(d_lo, int(d_over_n[1] * n)))


@st.composite
def sparse_instance(
    draw,
    n: tuple[int, int] = (6, 12),
    d_over_n: tuple[float, float] = (1.5, 2.5),
    s_max_frac: float = 0.25,
    a: tuple[float, float] = (0.3, 1.0),
    spread: tuple[float, float] = (0.0, 0.3),
    f: tuple[float, float] = (0.5, 2.0),
    col_scale: tuple[float, float] | None = None,
    mean: tuple[float, float] | None = None,
    zero_columns: int = 0,
    s_min: int = 1,
) -> dict:
    """A sparse-regression instance dict (see the module docstring)."""
    n_ = draw(st.integers(*n))
    d_ = draw(_features(n_, d_over_n)) + zero_columns
    s_hi = max(s_min, int(s_max_frac * n_))
    s_ = draw(st.integers(s_min, min(s_hi, d_ - zero_columns)))
    inst = {
        "n": n_, "d": d_, "s": s_,
        "a": draw(_log_uniform(*a)),
        "spread": draw(st.floats(*spread)) if spread[1] > spread[0] else spread[0],
        "f": draw(st.floats(*f)) if f[1] > f[0] else f[0],
    }
    if col_scale is not None:
        inst["col_scale"] = draw(st.floats(*col_scale))
    if mean is not None:
        inst["mean"] = draw(st.floats(*mean))
    if zero_columns:
        inst["zero_columns"] = zero_columns
    inst["seed"] = draw(SEEDS)
    return inst


def instances(*fixed: dict) -> st.SearchStrategy[dict]:
    """Exactly these instance dicts (regression fixtures: known counterexamples)."""
    if not fixed:
        raise ValueError("instances() needs at least one instance dict")
    return st.sampled_from([dict(f) for f in fixed])


@st.composite
def with_batch(draw, base: st.SearchStrategy[dict], max_frac: float = 0.1) -> dict:
    """``base`` instances with a mini-batch size ``b`` in ``[2, max(2, floor(max_frac * n))]``
    (``b << n``: the regime where the SGF noise model with ``gamma / b`` applies)."""
    inst = draw(base)
    return {**inst, "b": draw(st.integers(2, max(2, int(max_frac * inst["n"]))))}


def fixed_family(n: int, d: int, s: int, a: float, f: float, spread: float = 0.0,
                 seeds: int = 64, **extra: float) -> st.SearchStrategy[dict]:
    """One problem size with only the seed drawn (cheap to shrink: false variants use it)."""
    base = {"n": n, "d": d, "s": s, "a": a, "spread": spread, "f": f, **extra}
    return st.integers(0, seeds - 1).map(lambda sd: {**base, "seed": sd})


@st.composite
def conjecture_instance(draw, n: tuple[int, int] = (2, 10), s_frac: tuple[float, float] = (0.0, 1.0),
                        d_over_n: tuple[float, float] = (1.0, 3.0)) -> dict:
    """Instances for the l1-monotonicity conjecture: tiny and dense ones included (n = 2, d = 3)."""
    n_ = draw(st.integers(*n))
    d_ = draw(_features(n_, d_over_n))
    s_lo = max(1, int(math.ceil(s_frac[0] * n_)))
    s_hi = max(s_lo, min(d_, int(s_frac[1] * n_)))
    s_ = draw(st.integers(s_lo, s_hi))
    return {"n": n_, "d": d_, "s": s_, "a": 1.0, "spread": 0.0, "f": 1.0, "seed": draw(SEEDS)}
