"""Hypothesis strategies for the single-ReLU-neuron gradient-flow claims (``relu1.*``).

Instances are small dicts of plain numbers; the ``*_problem`` builders at the end of this module turn
them into arrays. Two styles are used:

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

import numpy as np
from hypothesis import strategies as st

from theorems.relu_single_neuron.formulas import kappa

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
def generic_seeded(
    log10_scale: tuple[float, float] = (-3.0, 0.5),
    zero_label_prob: tuple[float, float] = (0.0, 0.5),
    n: tuple[int, int] = (2, 8),
) -> st.SearchStrategy[dict]:
    """Generic data: ``n in [2,8], d in [2,5]``, X uniform in [-2,2], labels U[0,2] with exact zeros.

    ``log10_scale`` sets ``||w(0)||`` relative to ``min_{y_i>0} y_i/||x_i||`` (below 0: small init).
    """
    return st.fixed_dictionaries(
        {
            "n": st.integers(*n),
            "d": st.integers(2, 5),
            "zero_frac": _uniform(*zero_label_prob, digits=2),
            "log10_scale": _uniform(*log10_scale, digits=2),
            "seed": SEEDS,
        }
    )


def underdetermined_seeded() -> st.SearchStrategy[dict]:
    """Generic data with ``n < d`` (so w(t) - w(0) lies in a proper subspace), any init scale."""
    return st.integers(2, 5).flatmap(
        lambda n: st.fixed_dictionaries(
            {
                "n": st.just(n),
                "d": st.integers(n + 1, n + 4),
                "zero_frac": _uniform(0.0, 0.5, digits=2),
                "log10_scale": _uniform(-2.0, 0.5, digits=2),
                "seed": SEEDS,
            }
        )
    )


def integer_data_small_init() -> st.SearchStrategy[dict]:
    """Seeded generic *integer* data for the counterexample search of the unconditional conjecture.

    ``n in [2, 8]``, ``d in [2, 5]``; the predicate draws ``X`` with entries in {-2, ..., 2}, labels in
    {0, 0.5, ..., 2} and three integer init directions from ``seed``, so a counterexample prints as
    small integers. ``log10_scale in {-3, -2, -1}`` sets ``||w(0)||`` relative to
    ``min_{y_i>0} y_i/||x_i||``. Seeds rather than raw entries: a raw draw costs ~7 ms of hypothesis
    overhead per example and shrinking ~50 entries exhausts the time budget, while hits are rare
    (~1% per init), so the search needs hundreds of cheap examples.
    """
    return st.fixed_dictionaries(
        {
            "n": st.integers(2, 8),
            "d": st.integers(2, 5),
            "log10_scale": st.integers(-3, -1),
            "seed": SEEDS,
        }
    )


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
    scale = {
        "small": (-3.0, -0.5),
        "small_any": (-3.0, -0.5),
        "small_zero_active": (-1.5, -0.3),
        "large": (0.2, 1.0),
        "any": (-2.0, 1.0),
        "mixed": (0.05, 0.95),
    }[init]
    n_min = 2 if init in ("small_zero_active", "mixed") else 1
    return st.integers(n_min, 5).flatmap(
        lambda n: st.fixed_dictionaries(
            {
                "n": st.just(n),
                "d": st.integers(n, n + 2),
                "zero_frac": _uniform(0.0, 0.5, digits=2),
                "log10_scale": _uniform(*scale, digits=2),
                "init": st.just(init),
                "seed": SEEDS,
            }
        )
    )


# ------------------------------------------------------------------ non-positively correlated inputs
def nonpositive_correlation() -> st.SearchStrategy[dict]:
    """Gram matrix ``G = D - W`` (W >= 0, diagonally dominant), embedded in R^d, d >= n.

    ``density``: fraction of non-zero couplings (0 gives orthogonal data); ``slack``: diagonal margin;
    ``zero_frac``: fraction of zero labels; small init built inside U (see the module docstring of
    ``theorems.relu_single_neuron``).
    """
    return st.integers(2, 6).flatmap(
        lambda n: st.fixed_dictionaries(
            {
                "n": st.just(n),
                "d": st.integers(n, n + 2),
                "density": _uniform(0.3, 1.0, digits=2),
                "slack": _uniform(0.05, 1.0, digits=2),
                "zero_frac": _uniform(0.0, 0.5, digits=2),
                "log10_scale": _uniform(-3.0, -0.3, digits=2),
                "seed": SEEDS,
            }
        )
    )


# ------------------------------------------------------------------------------ population teacher
def population(
    log10_ratio: tuple[float, float] = (-2.0, 1.0), theta: tuple[float, float] = (0.02, math.pi - 0.02)
) -> st.SearchStrategy[dict]:
    """Gaussian population ``x ~ N(0, I_d)``, teacher ``v``: ``d in [2, 20]``, ``||w||/||v||``
    log-uniform, angle ``theta in (0, pi)`` (kept 0.02 away from the ends)."""
    return st.fixed_dictionaries(
        {
            "d": st.integers(2, 20),
            "log10_ratio": _uniform(*log10_ratio, digits=3),
            "theta": _uniform(*theta, digits=4),
            "v_norm": _uniform(0.5, 2.0, digits=3),
            "seed": SEEDS,
        }
    )


def population_in_growth_region() -> st.SearchStrategy[dict]:
    """Population starts inside the growth region: ``||w|| = factor * 2 kappa(theta) ||v||`` with
    ``factor in [0.01, 0.95]`` (so every draw exercises the growth claim)."""
    return st.fixed_dictionaries(
        {
            "d": st.integers(2, 20),
            "factor": _uniform(0.01, 0.95, digits=3),
            "theta": _uniform(0.02, math.pi - 0.02, digits=4),
            "v_norm": _uniform(0.5, 2.0, digits=3),
            "seed": SEEDS,
        }
    )


def population_large_init() -> st.SearchStrategy[dict]:
    """Population starts outside the growth region: ``||w|| = factor * 2 kappa(theta) ||v||``."""
    return st.fixed_dictionaries(
        {
            "d": st.integers(2, 6),
            "factor": _uniform(1.2, 5.0, digits=3),
            "theta": _uniform(0.1, math.pi - 0.1, digits=4),
            "v_norm": _uniform(0.5, 2.0, digits=3),
            "seed": SEEDS,
        }
    )


# -------------------------------------------------------------------------------- Vardi-Shamir
def vardi_shamir_pair() -> st.SearchStrategy[dict]:
    """Two construction parameters ``gamma1 < gamma2`` in [0.1, 3] and the init scale ``eps``."""
    return st.fixed_dictionaries(
        {
            "gamma1": _uniform(0.1, 1.4, digits=3),
            "gamma2": _uniform(1.6, 3.0, digits=3),
            "log10_eps": _uniform(-3.0, -1.0, digits=2),
        }
    )


# ------------------------------------------------------------------------ instance builders


def _labels(rng: np.random.Generator, n: int, zero_frac: float) -> np.ndarray:
    y = rng.uniform(0.2, 2.0, n)
    y[rng.random(n) < zero_frac] = 0.0
    return y


def _small_scale(X, y, log10_scale: float) -> float:
    """``10**log10_scale * min_{y_i>0} y_i/||x_i||`` (every z_i(0) < y_i when log10_scale < 0)."""
    pos = (y > 0) & (np.linalg.norm(X, axis=1) > 0)
    if not pos.any():
        return 10.0**log10_scale
    return 10.0**log10_scale * float(np.min(y[pos] / np.linalg.norm(X[pos], axis=1)))


def generic_problem(inst: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Generic data from a seeded instance (``n, d, zero_frac, log10_scale, seed``).

    X uniform in [-2, 2]^{n x d}; labels U[0.2, 2] with a fraction ``zero_frac`` of exact zeros;
    ``w(0) = scale * u`` with ``u`` a uniform random direction and ``scale`` relative to
    ``min_{y_i>0} y_i/||x_i||``.
    """
    rng = np.random.default_rng(inst["seed"])
    n, d = int(inst["n"]), int(inst["d"])
    X = rng.uniform(-2.0, 2.0, (n, d))
    y = _labels(rng, n, inst["zero_frac"])
    u = rng.normal(size=d)
    u /= np.linalg.norm(u)
    return X, y, _small_scale(X, y, inst["log10_scale"]) * u


def integer_small_init_problems(inst: dict, n_inits: int = 3):
    """Integer-valued generic data and ``n_inits`` small inits in U (spec section 7 search).

    From ``seed``: ``X`` with entries in {-2, ..., 2}, labels in {0, 0.5, ..., 2}, init directions with
    entries in {-2, ..., 2} (zero directions skipped). For each direction, zero-label points it would
    activate are reflected (``x_j -> -x_j``), so the init lies in U (nothing over-predicted, zero-label
    points inactive); the init is ``10**log10_scale * min_{y_i>0} y_i/||x_i|| * u/||u||``.
    Returns a list of ``(X, y, w0, u_int)``.
    """
    rng = np.random.default_rng(inst["seed"])
    n, d = int(inst["n"]), int(inst["d"])
    X0 = rng.integers(-2, 3, (n, d)).astype(float)
    y = rng.integers(0, 5, n) / 2.0
    out = []
    for _ in range(n_inits):
        ui = rng.integers(-2, 3, d)
        if not np.any(ui):
            continue
        u = ui / np.linalg.norm(ui)
        X = X0.copy()
        X[(y == 0) & (X @ u > 0)] *= -1.0
        if not np.any((y > 0) & (np.linalg.norm(X, axis=1) > 0)):
            continue
        out.append((X, y, _small_scale(X, y, inst["log10_scale"]) * u, ui))
    return out


def orthogonal_problem(inst: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Orthogonal inputs (spec 4.1): QR directions, norms log-uniform in [0.3, 3], init by ``init``."""
    rng = np.random.default_rng(inst["seed"])
    n, d = int(inst["n"]), int(inst["d"])
    Q, _ = np.linalg.qr(rng.normal(size=(d, n)))
    X = (Q * np.exp(rng.uniform(math.log(0.3), math.log(3.0), n))).T
    y = _labels(rng, n, inst["zero_frac"])
    if not (y > 0).any():
        y[0] = 1.0
    u = rng.normal(size=d)
    u /= np.linalg.norm(u)
    mode = inst["init"]
    if mode == "small":
        # reflect zero-label points the direction would activate (keeps orthogonality)
        X[(y == 0) & (X @ u > 0)] *= -1.0
    elif mode == "small_zero_active":
        if (y > 0).all():
            y[-1] = 0.0
        if not (y > 0).any():
            y[0] = 1.0
        X[(y == 0) & (X @ u < 0)] *= -1.0  # every zero-label point active
    elif mode == "mixed":
        y[y == 0] = 0.5  # positive labels only; all of them active
        X[X @ u < 0] *= -1.0
    zu = X @ u
    A = zu > 0
    if mode in ("small", "small_any", "small_zero_active"):
        pos = A & (y > 0)
        if not pos.any():  # make the point with the largest label active (flip it)
            k = int(np.argmax(y))
            X[k] *= -1.0 if zu[k] < 0 else 1.0
            zu = X @ u
            A = zu > 0
            pos = A & (y > 0)
        # small in the scale-relative sense: ||w0|| = 10**log10_scale * min_{y_i>0} y_i/||x_i||, so
        # every z_i(0) <= ||w0|| ||x_i|| < y_i (zero-label points, if active, start small too)
        scale = _small_scale(X, y, inst["log10_scale"])
    elif mode == "large":
        if not (A & (y > 0)).any() and not A.any():
            X[0] *= -1.0
            zu = X @ u
            A = zu > 0
        ratio = np.where(A, y / np.where(A, zu, 1.0), 0.0)
        # smallest scale with z_i(0) > y_i on all of A0, times 10**log10_scale > 1
        scale = 10.0 ** inst["log10_scale"] * max(float(ratio.max()), 0.1 / float(zu[A].max()))
    elif mode == "mixed":
        r = np.log(y / zu)
        scale = float(np.exp(r.min() + inst["log10_scale"] * (r.max() - r.min())))
    else:
        scale = _small_scale(X, y, inst["log10_scale"])
    return X, y, scale * u


def nonpos_problem(inst: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairwise non-positively correlated inputs (spec 4.2) with a small init inside U.

    Gram ``G = D - W``: ``W >= 0`` symmetric, zero diagonal, a fraction ``density`` of couplings
    non-zero; ``D_ii = sum_j W_ij + slack``. ``G = F F^T`` (Cholesky), embedded in R^d and rotated by a
    random orthogonal matrix. Init direction ``u = sum_{y_i>0} a_i x_i`` with ``a >= 0`` plus a
    component orthogonal to the data: then ``u . x_j <= 0`` for every zero-label ``j`` (the couplings
    are <= 0), so zero-label points start inactive; the scale makes ``z_i(0) < y_i``.
    """
    rng = np.random.default_rng(inst["seed"])
    n, d = int(inst["n"]), int(inst["d"])
    W = rng.uniform(0.0, 1.0, (n, n)) * (rng.random((n, n)) < inst["density"])
    W = np.triu(W, 1)
    W = W + W.T
    G = np.diag(W.sum(axis=1) + inst["slack"]) - W
    F = np.linalg.cholesky(G)
    Q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    X = np.hstack([F, np.zeros((n, d - n))]) @ Q.T
    y = _labels(rng, n, inst["zero_frac"])
    if not (y > 0).any():
        y[0] = 1.0
    # only positive-label points in the combination: then u . x_j = sum_i a_i x_i . x_j <= 0 for every
    # zero-label j (subtracting zero-label points would push the other zero-label points up)
    coef = np.where(y > 0, rng.uniform(0.0, 1.0, n), 0.0)
    u = coef @ X
    if d > n:
        extra = Q[:, n:] @ rng.normal(size=d - n)
        u = u + 0.5 * np.linalg.norm(u) * extra / max(np.linalg.norm(extra), 1e-300)
    u /= np.linalg.norm(u)
    zu = X @ u
    pos = (zu > 0) & (y > 0)
    scale = 10.0 ** inst["log10_scale"] * (float(np.min(y[pos] / zu[pos])) if pos.any() else 1.0)
    return X, y, scale * u


def vs_problem(gamma: float, eps: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Vardi-Shamir construction: $x_1 = (3,-1,0)$, $x_2 = (4,2,0)$, $x_3 = (0,\gamma,\gamma)$,
    $y = (16, 18, 0)$, $w(0) = \varepsilon(1,1,1)$."""
    X = np.array([[3.0, -1.0, 0.0], [4.0, 2.0, 0.0], [0.0, gamma, gamma]])
    return X, np.array([16.0, 18.0, 0.0]), eps * np.ones(3)


def _vs_eps(inst: dict) -> float:
    """The Vardi-Shamir init scale eps = 10**log10_eps of a ``vardi_shamir_pair`` instance."""
    return 10.0 ** inst["log10_eps"]


def _vs_gamma1_problem(inst: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The Vardi-Shamir construction at the instance's gamma1 and eps."""
    return vs_problem(inst["gamma1"], _vs_eps(inst))


def _population_setup(inst: dict) -> tuple[np.ndarray, np.ndarray, float]:
    rng = np.random.default_rng(inst["seed"])
    d = int(inst["d"])
    Q, _ = np.linalg.qr(rng.normal(size=(d, 2)))
    e1, e2 = Q[:, 0], Q[:, 1]
    vn = float(inst["v_norm"])
    v = vn * e1
    th = float(inst["theta"])
    wn = (
        vn * 10.0 ** inst["log10_ratio"]
        if "log10_ratio" in inst
        else (inst["factor"] * 2 * float(kappa(th)) * vn)
    )
    w = wn * (math.cos(th) * e1 + math.sin(th) * e2)
    return w, v, th
