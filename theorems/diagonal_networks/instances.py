"""Instances of the diagonal-network claims (Pesme, Pillaud-Vivien, Flammarion 2021).

Two layers. The **hypothesis strategies** (:func:`sparse_instance`, :func:`fixed_family`,
:func:`with_batch`, :func:`conjecture_instance`, :func:`instances`) draw small dicts of plain numbers,
so counterexamples are short, shrinkable and replayable; :func:`setup` turns a dict into arrays
``(data, alpha, gamma)`` with the **instance builders** :func:`sparse_regression`, :func:`alpha_vector`
and :func:`step_scale`. The keys of an instance dict:

``n, d, s``
    samples, features (``d > n``: over-parametrised, full row rank a.s.), support size of the truth;
``a, spread``
    the initialisation ``alpha = a * exp(spread * N(0, I_d))`` (a vector alpha);
``f``
    the step ``gamma = f * gamma_0`` with the curvature scale ``gamma_0`` of
    :func:`step_scale` (on these families the measured SGD stability edge sat at 3.8-6 gamma_0);
``col_scale, mean, zero_columns``
    optional design variants: column scales ``e^{col_scale U[-1,1]}`` (non-uniform diag(X^T X)),
    uncentred features ``N(mean, 1)``, all-zero columns;
``b``
    optional mini-batch size (``with_batch``), ``2 <= b <= max(2, max_frac * n)``;
``seed``
    feeds ``numpy.random.SeedSequence`` (data, alpha and the dynamics' noise all derive from it).

The paper's assumptions encoded: Gaussian design, ``n < d`` (interpolation possible), noiseless
labels ``y = X beta*``, ``w+ = w- = alpha > 0``, a step below the stability edge (``_P_CONV`` says
so in each claim's assumptions). Importing this module registers no claim.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import strategies as st

from sim._validate import as_matrix, as_vector
from sim.diagonal_kernels import log_alpha as _log_alpha

# ===================================================================================== strategies
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
        "n": n_,
        "d": d_,
        "s": s_,
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
def with_batch(draw, base: st.SearchStrategy[dict], max_frac: float = 0.1, b_min: int = 2) -> dict:
    """``base`` instances with a mini-batch size ``b`` in ``[b_min, max(b_min, floor(max_frac * n))]``
    (``b << n``: the regime where the SGF noise model with ``gamma / b`` applies)."""
    inst = draw(base)
    return {**inst, "b": draw(st.integers(b_min, max(b_min, int(max_frac * inst["n"]))))}


def fixed_family(
    n: int, d: int, s: int, a: float, f: float, spread: float = 0.0, seeds: int = 64, **extra: float
) -> st.SearchStrategy[dict]:
    """One problem size with only the seed drawn (cheap to shrink: false variants use it)."""
    base = {"n": n, "d": d, "s": s, "a": a, "spread": spread, "f": f, **extra}
    return st.integers(0, seeds - 1).map(lambda sd: {**base, "seed": sd})


@st.composite
def conjecture_instance(
    draw,
    n: tuple[int, int] = (2, 10),
    s_frac: tuple[float, float] = (0.0, 1.0),
    d_over_n: tuple[float, float] = (1.0, 3.0),
) -> dict:
    """Instances for the l1-monotonicity conjecture: tiny and dense ones included (n = 2, d = 3)."""
    n_ = draw(st.integers(*n))
    d_ = draw(_features(n_, d_over_n))
    s_lo = max(1, int(math.ceil(s_frac[0] * n_)))
    s_hi = max(s_lo, min(d_, int(s_frac[1] * n_)))
    s_ = draw(st.integers(s_lo, s_hi))
    return {"n": n_, "d": d_, "s": s_, "a": 1.0, "spread": 0.0, "f": 1.0, "seed": draw(SEEDS)}


_P_CONV = (
    "P-convention: beta = w+^2 - w-^2, L = |X beta - y|^2 / 4n, w+- (0) = alpha > 0 "
    "(vector), Gaussian X with n < d (full row rank a.s.), noiseless y = X beta*."
)


# ===================================================================================== builders
@dataclass(frozen=True)
class SparseRegression:
    r"""A noiseless sparse-regression instance: $y = X\beta^\star$ with $\beta^\star$ $s$-sparse.

    ``test_error(beta)`` is $\|\beta - \beta^\star\|^2$ (isotropic test distribution).
    """

    X: np.ndarray
    y: np.ndarray
    beta_star: np.ndarray

    @property
    def n(self) -> int:
        return int(self.X.shape[0])

    @property
    def d(self) -> int:
        return int(self.X.shape[1])

    @property
    def diag(self) -> np.ndarray:
        """$\\mathrm{diag}(X^\\top X/n)$, the shape of the SGF shrink."""
        return np.sum(self.X * self.X, axis=0) / self.n

    def test_error(self, beta: Any) -> np.ndarray:
        b = np.asarray(beta, dtype=float)
        return np.sum((b - self.beta_star) ** 2, axis=-1)

    def loss(self, beta: Any) -> np.ndarray:
        """$L(\\beta) = \\|X\\beta - y\\|^2 / 4n$ (rows of ``beta`` are replicas)."""
        b = np.asarray(beta, dtype=float)
        r = b @ self.X.T - self.y
        return np.sum(r * r, axis=-1) / (4 * self.n)


def sparse_regression(
    n: int,
    d: int,
    s: int,
    seed: int | np.random.SeedSequence,
    *,
    col_scale: float = 0.0,
    mean: float = 0.0,
    zero_columns: int = 0,
    beta_max: float = 3.0,
) -> SparseRegression:
    r"""Draw the paper's sparse-regression instance (the reference is $n=40$, $d=100$, $s=5$).

    $X_{ij}\sim\mathcal N(\mu, 1)$, then column $j$ scaled by $e^{\kappa U_j}$, $U_j\sim U[-1,1]$
    (``col_scale`` $=\kappa$, non-uniform $\mathrm{diag}(X^\top X)$); the last ``zero_columns`` columns
    set to 0; $\beta^\star$ supported on $s$ random non-zero columns with $\mathcal N(0,1)$ entries
    clipped to $|\beta^\star_i|\le$ ``beta_max``; $y = X\beta^\star$.

    Parameters
    ----------
    n, d, s : int, with 1 <= s <= d - zero_columns and n >= 1.
    seed : int or SeedSequence.
    """
    for name, v in (("n", n), ("d", d), ("s", s)):
        if not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"{name} must be a positive integer, got {v!r}")
    if not isinstance(zero_columns, (int, np.integer)) or not 0 <= zero_columns < d:
        raise ValueError(f"zero_columns must be an integer in [0, d), got {zero_columns!r}")
    if s > d - zero_columns:
        raise ValueError(f"s must be at most d - zero_columns = {d - zero_columns}, got {s}")
    if not beta_max > 0:
        raise ValueError(f"beta_max must be positive, got {beta_max!r}")
    rng = np.random.default_rng(seed)
    X = rng.normal(mean, 1.0, size=(n, d))
    if col_scale:
        X *= np.exp(col_scale * rng.uniform(-1.0, 1.0, size=d))
    if zero_columns:
        X[:, d - zero_columns :] = 0.0
    support = rng.choice(d - zero_columns, size=s, replace=False)
    beta_star = np.zeros(d)
    beta_star[support] = np.clip(rng.normal(size=s), -beta_max, beta_max)
    return SparseRegression(X, X @ beta_star, beta_star)


def alpha_vector(d: int, a: float, spread: float, seed: int | np.random.SeedSequence) -> np.ndarray:
    r"""A vector initialisation $\alpha = a\,e^{\sigma\mathcal N(0, I_d)}$ (``spread`` $=\sigma$)."""
    if not (a > 0 and math.isfinite(a)):
        raise ValueError(f"a must be positive and finite, got {a!r}")
    if spread < 0:
        raise ValueError(f"spread must be non-negative, got {spread!r}")
    rng = np.random.default_rng(seed)
    return a * np.exp(spread * rng.normal(size=d))


def step_scale(X: Any, beta_star: Any, alpha: Any) -> float:
    r"""A curvature scale $\gamma_0 = 1/(\max_i\|x_i\|^2\,\max_j\sqrt{\beta^{\star2}_j+4\alpha_j^4})$.

    The local curvature of the per-sample loss is about $\|x_i\|^2(w_+^2+w_-^2)$ (spec, pitfall 5);
    steps are drawn as fractions of this scale. It is a heuristic, not the paper's (unknown) constant;
    the convergence claim measures what fraction is actually safe.
    """
    X = as_matrix(X, "X")
    b = as_vector(beta_star, "beta_star", X.shape[1])
    a = np.exp(_log_alpha(alpha, X.shape[1]))
    rows = float(np.max(np.sum(X * X, axis=1)))
    return 1.0 / (rows * float(np.max(np.sqrt(b * b + 4 * a**4))))


def _key(inst: dict) -> tuple:
    return tuple(sorted((k, v) for k, v in inst.items()))


@functools.lru_cache(maxsize=512)
def _setup_cached(key: tuple) -> tuple[SparseRegression, np.ndarray, float]:
    inst = dict(key)
    seed = int(inst["seed"])
    data = sparse_regression(
        int(inst["n"]),
        int(inst["d"]),
        int(inst["s"]),
        np.random.SeedSequence([seed, 0]),
        col_scale=float(inst.get("col_scale", 0.0)),
        mean=float(inst.get("mean", 0.0)),
        zero_columns=int(inst.get("zero_columns", 0)),
    )
    if inst.get("standardize"):
        # Columns of norm sqrt(n): diag(X^T X / n) = 1, so the SGF shrink is uniform.
        norms = np.sqrt(np.sum(data.X**2, axis=0) / data.n)
        Xs = data.X / np.where(norms > 0, norms, 1.0)
        bs = data.beta_star * norms
        data = SparseRegression(Xs, Xs @ bs, bs)
    alpha = alpha_vector(
        data.d, float(inst["a"]), float(inst.get("spread", 0.0)), np.random.SeedSequence([seed, 1])
    )
    gamma = float(inst.get("f", 1.0)) * step_scale(data.X, data.beta_star, alpha)
    return data, alpha, gamma


def setup(inst: dict) -> tuple[SparseRegression, np.ndarray, float]:
    """(data, alpha, gamma) of an instance dict drawn by the strategies above (cached)."""
    return _setup_cached(_key(inst))
