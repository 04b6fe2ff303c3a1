"""False conjectures of graded difficulty: the test bed of ``benchmarks/search_power.py``.

Each entry is a normal ``@claim(..., status="conjecture")`` registered in the private registry
:data:`POWER` (never in the built-in one), with a hypothesis strategy satisfying its assumptions and a
documented known counterexample (:data:`KNOWN`, replayed by ``tests/test_search_power.py``). Every
conjecture here is **false**; the benchmark measures how often the oracle finds that out.

Grades (by the fraction of instances drawn *uniformly* from the stated ranges that violate the
conjecture, measured by ``python benchmarks/search_power.py --rates``; see :data:`GRADE`):

* ``common``   at least half of the instances violate it;
* ``moderate`` 10-50%;
* ``rare``     2-10%;
* ``corner``   under 2%: only at an extreme corner of the parameter box.

The *kind* of falsehood (sign flip, dropped condition, off-by-a-constant, thin-set monotonicity,
corner) is stated in each region text; the grade is what was measured (150 instances each, generation
phase only, no targeting).

Predicates use only public APIs: ``sim`` (``LeastSquares``, ``DiagonalNetwork``, ``ReLUNeuron``,
``LogisticRegression``, ``gd``, ``sgd``) and public closed forms (``theorems.diagonal_networks``,
``theorems.heavy_tail``). Each costs a few ms (at most ~0.1 s) per instance.
"""

from __future__ import annotations

import math
import os
import warnings
from typing import Any

import numpy as np
from hypothesis import strategies as st

import sim
from theorems import Check, Citation, claim
from theorems.core.claims import Registry
from theorems.diagonal_networks import (
    SolverError,
    implicit_solution,
    min_l1_interpolant,
    sparse_regression,
    step_scale,
)
from theorems.heavy_tail import (
    TailIndexOutOfRange,
    critical_step_size,
    h2_closed,
    max_step_size,
    tail_index,
)
from theorems.strategies import boundary


class _PrivateRegistry(Registry):
    """A Registry that is truthy when empty: ``claim(registry=...)`` uses ``registry or REGISTRY``, so
    a plain empty ``Registry()`` (falsy through ``__len__``) would silently send the first claim to the
    built-in registry (reported to the lead as a core bug)."""

    def __bool__(self) -> bool:
        return True


POWER = _PrivateRegistry()
# POWER_BOUNDARY=1: draw the parameters (not the seeds) with theorems.strategies.boundary, which puts
# a share of the draws at the ends of each range (measures what boundary-seeking strategies buy).
BOUNDARY = os.environ.get("POWER_BOUNDARY", "") not in ("", "0")
BENCH = Citation(
    authors="sgd-theorems",
    year=2026,
    title="Search-power benchmark conjectures",
    where="benchmarks/power_conjectures.py (all false by construction or by finding)",
)
SEEDS = st.integers(0, 2**20 - 1)  # seeds stay plain draws in both modes
GRADE: dict[str, str] = {}
KNOWN: dict[str, dict[str, Any]] = {}
REGION: dict[str, str] = {}


def _log_uniform(lo: float, hi: float) -> st.SearchStrategy[float]:
    if BOUNDARY:
        return boundary.log_floats(lo, hi)
    return st.floats(math.log(lo), math.log(hi)).map(math.exp)


def _floats(lo: float, hi: float, **kw) -> st.SearchStrategy[float]:
    return boundary.floats(lo, hi, **kw) if BOUNDARY else st.floats(lo, hi, **kw)


def _ints(lo: int, hi: int) -> st.SearchStrategy[int]:
    return boundary.integers(lo, hi) if BOUNDARY else st.integers(lo, hi)


def _conj(
    cid: str, grade: str, known: dict[str, Any], region: str, statement: str, strategy, kind="upper_bound"
):
    """Register a benchmark conjecture with its grade, known counterexample and region."""
    full = f"power.{cid}"
    GRADE[full], KNOWN[full], REGION[full] = grade, known, region
    return claim(
        id=full,
        paper=BENCH,
        status="conjecture",
        kind=kind,
        statement=statement,
        strategy=strategy,
        assumptions=region,
        registry=POWER,
    )


def _rng(seed: int, tag: int = 0) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([int(seed), tag]))


def _gauss(n: int, d: int, seed: int) -> np.ndarray:
    return _rng(seed).normal(size=(n, d))


def _lam(X: np.ndarray) -> np.ndarray:
    """Eigenvalues of X^T X / n, ascending."""
    return np.linalg.eigvalsh(X.T @ X / X.shape[0])


def _quiet_gd(problem, theta0, lr: float, steps: int):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sim.gd(problem, theta0, lr, steps)


@st.composite
def _sparse(draw, n=(2, 8), d_over_n=(1.0, 3.0), s_frac=(0.0, 0.5), s_max=None) -> dict:
    n_ = draw(_ints(*n))
    d_ = draw(_ints(n_ + 1, max(n_ + 1, int(d_over_n[1] * n_))))
    s_hi = max(1, min(d_, int(s_frac[1] * n_) if s_max is None else s_max(n_)))
    return {"n": n_, "d": d_, "s": draw(_ints(1, s_hi)), "seed": draw(SEEDS)}


def _data(inst: dict):
    return sparse_regression(
        int(inst["n"]), int(inst["d"]), int(inst["s"]), np.random.SeedSequence([int(inst["seed"]), 0])
    )


def _tail(eta: float, b: int, d: int = 1) -> float | None:
    try:
        return tail_index(eta, b, d)
    except TailIndexOutOfRange:
        return None


# ====================================================================== common: sign flips
@_conj(
    "tail_index_increasing_in_eta",
    "common",
    {"b": 1, "u": 0.5, "r": 0.2},
    "every instance: alpha strictly decreases in the step (the claim has the sign flipped)",
    "The tail index alpha(eta, b, d=1) is non-decreasing in the step eta.",
    st.fixed_dictionaries({"b": _ints(1, 8), "u": _floats(0.3, 0.95), "r": _floats(0.01, 0.5)}),
    kind="monotone",
)
def tail_index_increasing_in_eta(inst: dict, ctx) -> Check:
    b, em = int(inst["b"]), max_step_size(int(inst["b"]), 1)
    u2 = inst["u"] + inst["r"] * (0.98 - inst["u"])
    a1, a2 = _tail(inst["u"] * em, b), _tail(u2 * em, b)
    if a1 is None or a2 is None:
        return Check.inconclusive("tail index beyond the validated range")
    return Check.lower(a2, a1, tol=1e-7 * a1)


@_conj(
    "min_l1_has_larger_l1_norm",
    "common",
    {"n": 3, "d": 6, "seed": 0},
    "almost every instance with d > n: the min-l1 interpolant has the smaller l1 norm",
    "The minimum-l1 interpolant has an l1 norm at least that of the minimum-l2 interpolant X^+ y.",
    st.fixed_dictionaries({"n": _ints(2, 8), "d": _ints(3, 16), "seed": SEEDS}),
)
def min_l1_has_larger_l1_norm(inst: dict, ctx) -> Check:
    n, d = int(inst["n"]), int(inst["d"])
    if d <= n:
        return Check.vacuous_instance("d <= n: a unique interpolant")
    X = _gauss(n, d, inst["seed"])
    y = _rng(inst["seed"], 1).normal(size=n)
    l1 = float(np.abs(min_l1_interpolant(X, y)).sum())
    l2 = float(np.abs(np.linalg.pinv(X) @ y).sum())
    return Check.lower(l1, l2, tol=1e-9 * l2)


@_conj(
    "logistic_gd_step_increases_loss",
    "common",
    {"n": 5, "d": 2, "lr": 0.1, "seed": 0},
    "every instance with a non-zero gradient: a small GD step decreases the loss",
    "One GD step (lr <= 1) on logistic regression does not decrease the loss.",
    st.fixed_dictionaries(
        {"n": _ints(2, 20), "d": _ints(1, 5), "lr": _log_uniform(0.01, 1.0), "seed": SEEDS}
    ),
)
def logistic_gd_step_increases_loss(inst: dict, ctx) -> Check:
    X = _gauss(int(inst["n"]), int(inst["d"]), inst["seed"])
    y = np.where(_rng(inst["seed"], 1).random(int(inst["n"])) < 0.5, -1.0, 1.0)
    p = sim.LogisticRegression(X, y)
    theta0 = _rng(inst["seed"], 2).normal(size=int(inst["d"]))
    run = _quiet_gd(p, theta0, inst["lr"], 1)
    l0, l1 = float(p.loss(theta0[None])[0]), float(p.loss(run.theta)[0])
    return Check.lower(l1, l0)


@_conj(
    "implicit_l2_larger_for_large_alpha",
    "common",
    {"n": 3, "d": 6, "s": 1, "a_small": 0.01, "a_big": 5.0, "seed": 0},
    "almost every instance: large alpha approaches the min-l2 interpolant, the smallest l2 norm",
    "The implicit solution of the diagonal network has a larger l2 norm at a large alpha than at a "
    "small one.",
    st.builds(
        lambda base, a1, a2: base | {"a_small": a1, "a_big": a2},
        _sparse(),
        _log_uniform(1e-3, 0.1),
        _log_uniform(2.0, 20.0),
    ),
)
def implicit_l2_larger_for_large_alpha(inst: dict, ctx) -> Check:
    data = _data(inst)
    small = implicit_solution(data.X, data.y, inst["a_small"])
    big = implicit_solution(data.X, data.y, inst["a_big"])
    l2s, l2b = float(np.linalg.norm(small)), float(np.linalg.norm(big))
    return Check.lower(l2b, l2s, tol=1e-9 * l2s)


# ====================================================================== dropped conditions, constants
@_conj(
    "gd_least_squares_stable",
    "moderate",
    {"n": 6, "d": 3, "f": 1.2, "seed": 0},
    "f > 1 (lr above 2 / lambda_max): the top mode grows as |1 - 2f|^k",
    "GD on least squares with lr = f * 2 / lambda_max(X^T X / n), 0 < f <= 1.25, never ends above "
    "its initial loss after 300 steps (the condition f < 1 dropped).",
    st.fixed_dictionaries({"n": _ints(3, 15), "d": _ints(1, 6), "f": _floats(0.05, 1.25), "seed": SEEDS}),
)
def gd_least_squares_stable(inst: dict, ctx) -> Check:
    X = _gauss(int(inst["n"]), int(inst["d"]), inst["seed"])
    y = _rng(inst["seed"], 1).normal(size=int(inst["n"]))
    p = sim.LeastSquares(X, y)
    theta0 = _rng(inst["seed"], 2).normal(size=int(inst["d"]))
    run = _quiet_gd(p, theta0, inst["f"] * 2.0 / _lam(X)[-1], 300)
    l0 = float(p.loss(theta0[None])[0])
    return Check.upper(float(p.loss(run.theta)[0]), l0, tol=1e-12 * l0)


@_conj(
    "sgd_limit_min_norm_any_init",
    "moderate",
    {"n": 3, "extra": 1, "scale": 0.0004962464238903424, "seed": 245},
    "d > n (extra > 0) and an initial kernel component above the 1e-6 tolerance (scale >~ 1e-6)",
    "SGD (batch 1) on a consistent least-squares problem converges to X^+ y from any initialisation "
    "(the condition theta_0 = 0 dropped).",
    st.fixed_dictionaries(
        {"n": _ints(2, 5), "extra": _ints(0, 3), "scale": _log_uniform(1e-9, 1.0), "seed": SEEDS}
    ),
)
def sgd_limit_min_norm_any_init(inst: dict, ctx) -> Check:
    n = int(inst["n"])
    d = n + int(inst["extra"])
    X = _gauss(n, d, inst["seed"])
    y = X @ _rng(inst["seed"], 1).normal(size=d)
    p = sim.LeastSquares(X, y)
    theta0 = inst["scale"] * _rng(inst["seed"], 2).normal(size=d)
    lr = 1.0 / float(np.max(np.sum(X * X, axis=1)))
    run = sim.sgd(p, theta0, lr, 1000, seed=int(inst["seed"]))
    if float(p.loss(run.theta)[0]) > 1e-18 * (1 + float(y @ y)):
        return Check.inconclusive("SGD did not converge in 1000 steps")
    target = np.linalg.pinv(X) @ y
    err = float(np.linalg.norm(run.theta[0] - target))
    return Check.upper(err, 1e-6 * (1 + float(np.linalg.norm(target))))


@_conj(
    "min_l1_recovers_with_2s_samples",
    "moderate",
    {"n": 5, "d": 20, "s": 2, "seed": 3},
    "many instances with d >> n: exact recovery needs n ~ 2 s log(d / s), not 2 s + 1",
    "Basis pursuit (the min-l1 interpolant) recovers an s-sparse beta* exactly whenever n >= 2s + 1.",
    _sparse(n=(3, 12), d_over_n=(1.0, 4.0), s_max=lambda n: (n - 1) // 2),
)
def min_l1_recovers_with_2s_samples(inst: dict, ctx) -> Check:
    data = _data(inst)
    err = float(np.max(np.abs(min_l1_interpolant(data.X, data.y) - data.beta_star)))
    return Check.upper(err, 1e-6 * (1 + float(np.max(np.abs(data.beta_star)))))


@_conj(
    "implicit_l1_below_truth",
    "common",
    {"n": 4, "d": 8, "s": 1, "a": 0.5, "seed": 0},
    "instances where basis pursuit recovers beta* and alpha is not tiny",
    "For alpha <= 1 the implicit solution's l1 norm is at most ||beta*||_1 (1 + 1e-6) (the condition "
    "alpha -> 0 dropped).",
    st.builds(lambda base, a: base | {"a": a}, _sparse(n=(2, 10)), _log_uniform(1e-6, 1.0)),
)
def implicit_l1_below_truth(inst: dict, ctx) -> Check:
    data = _data(inst)
    l1 = float(np.abs(implicit_solution(data.X, data.y, inst["a"])).sum())
    l1s = float(np.abs(data.beta_star).sum())
    return Check.upper(l1, l1s, tol=1e-6 * l1s)


@_conj(
    "relu_gd_learns_teacher",
    "common",
    {"n": 1, "d": 1, "seed": 0},
    "initialisations that leave a teacher-active point inactive, or active sets too ill-conditioned "
    "to reach 1e-10 in 600 steps",
    "GD (lr = 1/lambda_max, 600 steps) from a Gaussian initialisation fits a realisable single-ReLU "
    "teacher (final loss <= 1e-10).",
    st.fixed_dictionaries({"n": _ints(1, 6), "d": _ints(1, 4), "seed": SEEDS}),
)
def relu_gd_learns_teacher(inst: dict, ctx) -> Check:
    n, d = int(inst["n"]), int(inst["d"])
    X = _gauss(n, d, inst["seed"])
    y = np.maximum(X @ _rng(inst["seed"], 1).normal(size=d), 0.0)
    if not np.any(y > 0):
        return Check.vacuous_instance("the teacher is inactive on every point")
    p = sim.ReLUNeuron(X, y)
    lr = 1.0 / _lam(X)[-1]
    run = _quiet_gd(p, _rng(inst["seed"], 2).normal(size=d), lr, 600)
    return Check.upper(float(p.loss(run.theta)[0]), 1e-10)


@_conj(
    "tail_index_increasing_in_batch",
    "moderate",
    {"b": 2, "u": 0.99},
    "steps close to eta_max, where alpha < 1 (README: b = 2 -> 4, d = 1: 0.0204 -> 0.0174)",
    "At a fixed step, doubling the batch size never decreases the tail index (d = 1; the condition "
    "alpha >= 1 dropped).",
    st.fixed_dictionaries({"b": _ints(1, 8), "u": _floats(0.3, 0.995)}),
    kind="monotone",
)
def tail_index_increasing_in_batch(inst: dict, ctx) -> Check:
    b = int(inst["b"])
    eta = inst["u"] * min(max_step_size(b, 1), max_step_size(2 * b, 1))
    a1, a2 = _tail(eta, b), _tail(eta, 2 * b)
    if a1 is None or a2 is None:
        return Check.inconclusive("tail index beyond the validated range")
    return Check.lower(a2, a1, tol=1e-7 * a1)


@_conj(
    "gd_rate_constant",
    "moderate",
    {"n": 4, "d": 1, "k": 1, "seed": 0},
    "many steps k with a non-negligible component on the slowest eigenvector",
    "GD on least squares with lr = 1/lambda_max contracts the error at least as fast as "
    "(1 - 1.05 lr lambda_min)^k (the true rate has constant 1).",
    st.fixed_dictionaries({"n": _ints(4, 15), "d": _ints(1, 4), "k": _ints(1, 300), "seed": SEEDS}),
)
def gd_rate_constant(inst: dict, ctx) -> Check:
    n, d, k = int(inst["n"]), int(inst["d"]), int(inst["k"])
    X = _gauss(n, d, inst["seed"])
    y = _rng(inst["seed"], 1).normal(size=n)
    lam = _lam(X)
    star = np.linalg.lstsq(X, y, rcond=None)[0]
    theta0 = _rng(inst["seed"], 2).normal(size=d)
    lr = 1.0 / lam[-1]
    run = _quiet_gd(sim.LeastSquares(X, y), theta0, lr, k)
    e0, ek = float(np.linalg.norm(theta0 - star)), float(np.linalg.norm(run.theta[0] - star))
    bound = (1 - 1.05 * lr * lam[0]) ** k * e0
    return Check.upper(ek, bound, tol=1e-12 * e0)


# ====================================================================== rare: near a boundary
@_conj(
    "h2_below_one_off_by_one",
    "rare",
    {"b": 1, "d": 1, "s2": 1.0, "u": 0.9},
    "eta in [2b/(s2 (b+d+1)), 2b/(s2 (b+d))): u > (b+d)/(b+d+1), a relative width 1/(b+d+1)",
    "The second-moment factor h(2) < 1 whenever eta < 2b / (sigma^2 (b + d)) (true threshold: b + d + 1).",
    st.fixed_dictionaries(
        {
            "b": _ints(1, 32),
            "d": _ints(1, 32),
            "s2": _log_uniform(0.1, 10.0),
            "u": _floats(1e-3, 1.0, exclude_max=True),
        }
    ),
)
def h2_below_one_off_by_one(inst: dict, ctx) -> Check:
    b, d, s2 = int(inst["b"]), int(inst["d"]), float(inst["s2"])
    eta = inst["u"] * 2 * b / (s2 * (b + d))
    return Check.upper(h2_closed(eta, b, d, s2), 1.0, tol=-1e-12)


@_conj(
    "min_l1_recovers_with_4s_samples",
    "rare",
    {"n": 4, "d": 11, "s": 1, "seed": 11},
    "small n with d >> n (n = 4-6, d >= 3n); rarer as n grows",
    "Basis pursuit recovers an s-sparse beta* exactly whenever n >= 4s.",
    _sparse(n=(4, 16), d_over_n=(1.0, 4.0), s_max=lambda n: n // 4),
)
def min_l1_recovers_with_4s_samples(inst: dict, ctx) -> Check:
    return min_l1_recovers_with_2s_samples.predicate(inst, ctx)


@_conj(
    "implicit_near_min_l1_small_alpha",
    "moderate",
    {"n": 6, "d": 14, "s": 5, "seed": 392},
    "instances with a small dual margin or a non-unique min-l1 interpolant",
    "At alpha = 1e-8 the implicit solution is within 1% (relative, l2) of the min-l1 interpolant.",
    _sparse(n=(2, 8), s_frac=(0.0, 1.0)),
)
def implicit_near_min_l1_small_alpha(inst: dict, ctx) -> Check:
    data = _data(inst)
    b = implicit_solution(data.X, data.y, 1e-8)
    m = min_l1_interpolant(data.X, data.y)
    return Check.upper(float(np.linalg.norm(b - m)), 0.01 * float(np.linalg.norm(m)))


# ====================================================================== thin sets
_GRID = np.geomspace(4.0, 1e-3, 14)


def _l1_monotone(inst: dict) -> Check:
    """Relative increase of ||argmin phi_a||_1 along decreasing uniform a (certified solves)."""
    data = _data(inst)
    if np.linalg.matrix_rank(data.X) < data.n:
        return Check.inconclusive("X not of full row rank")
    try:
        sols, tol = [implicit_solution(data.X, data.y, a, tol=1e-13) for a in _GRID], 1e-10
    except SolverError:
        try:
            sols, tol = [implicit_solution(data.X, data.y, a, tol=1e-11) for a in _GRID], 1e-8
        except SolverError:
            return Check.inconclusive("implicit solution not certified")
    l1 = np.array([np.abs(s).sum() for s in sols])
    return Check.upper(float((np.diff(l1) / l1[:-1]).max()), 0.0, tol=tol)


@_conj(
    "l1_monotone_in_alpha",
    "moderate",
    {"n": 4, "d": 5, "s": 2, "seed": 0},
    "near-square designs (d = n + 1) with dense-ish truths; README: n = 4, d = 5, s = 2 (+0.33%)",
    "||argmin phi_{a 1}||_1 is non-decreasing in a uniform a (n = 2..6).",
    _sparse(n=(2, 6), d_over_n=(1.0, 3.0), s_frac=(0.0, 1.0)),
    kind="monotone",
)
def l1_monotone_in_alpha(inst: dict, ctx) -> Check:
    return _l1_monotone(inst)


@_conj(
    "l1_monotone_gaussian_sparse",
    "rare",
    {"n": 8, "d": 9, "s": 4, "seed": 4},
    "d = n + 1 and s = n/2 (README: n = 8, d = 9, s = 4)",
    "||argmin phi_{a 1}||_1 is non-decreasing in a uniform a for n in [8, 12], s <= n/2.",
    _sparse(n=(8, 12), d_over_n=(1.0, 2.0), s_frac=(0.0, 0.5)),
    kind="monotone",
)
def l1_monotone_gaussian_sparse(inst: dict, ctx) -> Check:
    return _l1_monotone(inst)


# ====================================================================== extreme corners
@_conj(
    "tail_index_above_one_at_half_max_step",
    "corner",
    {"b": 1, "u": 0.5},
    "b = 1 and u in (~0.45, 0.5]: the smallest batch at the largest step",
    "For d = 1 and eta <= eta_max / 2 the tail index is at least 1 (finite mean).",
    st.fixed_dictionaries({"b": _ints(1, 16), "u": _floats(0.2, 0.5)}),
)
def tail_index_above_one_at_half_max_step(inst: dict, ctx) -> Check:
    b = int(inst["b"])
    a = _tail(inst["u"] * max_step_size(b, 1), b)
    if a is None:
        return Check.inconclusive("tail index beyond the validated range")
    return Check.lower(a, 1.0)


@_conj(
    "sgd_stable_below_2_2",
    "corner",
    {"n": 3, "d": 4, "f": 2.0934877773339875, "seed": 3},
    "f close to 2.2 on designs whose rows have nearly equal norms",
    "SGD (batch 1) on consistent least squares with lr = f / max_i ||x_i||^2, f <= 2.2, does not "
    "increase the loss over 500 steps (the true stability limit of the relaxed projections is 2).",
    st.fixed_dictionaries({"n": _ints(2, 8), "d": _ints(2, 8), "f": _floats(0.1, 2.2), "seed": SEEDS}),
)
def sgd_stable_below_2_2(inst: dict, ctx) -> Check:
    n, d = int(inst["n"]), int(inst["d"])
    X = _gauss(n, d, inst["seed"])
    y = X @ _rng(inst["seed"], 1).normal(size=d)
    p = sim.LeastSquares(X, y)
    lr = inst["f"] / float(np.max(np.sum(X * X, axis=1)))
    theta0 = np.zeros(d)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run = sim.sgd(p, theta0, lr, 500, seed=int(inst["seed"]))
    l0 = float(p.loss(theta0[None])[0])
    return Check.upper(float(p.loss(run.theta)[0]), l0, tol=1e-12 * l0)


@_conj(
    "diag_gd_monotone_loss",
    "moderate",
    {"n": 4, "d": 8, "s": 2, "f": 6.0, "seed": 0},
    "steps f close to 6 step units",
    "GD on the diagonal network with lr = f * gamma_0 (step_scale), f <= 6, never increases the loss.",
    st.builds(lambda base, f: base | {"f": f}, _sparse(n=(3, 8)), _floats(0.5, 6.0)),
)
def diag_gd_monotone_loss(inst: dict, ctx) -> Check:
    data = _data(inst)
    p = sim.DiagonalNetwork(data.X, data.y)
    lr = inst["f"] * step_scale(data.X, data.beta_star, 0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run = sim.gd(p, p.init(0.5), lr, 300)
    loss = run.records["loss"][:, 0]
    inc = np.diff(loss) / np.maximum(loss[:-1], 1e-300)
    return Check.upper(float(np.nanmax(inc)) if np.all(np.isfinite(loss)) else math.inf, 0.0, tol=1e-9)


@_conj(
    "logistic_monotone_lr_16",
    "moderate",
    {"n": 2, "d": 1, "f": 16.0, "seed": 0},
    "f near 16 (twice the descent-lemma limit 8 / lambda_max) on nearly separable-at-zero data",
    "GD on logistic regression from 0 with lr = f / lambda_max(X^T X / n), f <= 16, never increases "
    "the loss over 100 steps (the descent lemma allows f < 8).",
    st.fixed_dictionaries({"n": _ints(2, 12), "d": _ints(1, 4), "f": _floats(1.0, 16.0), "seed": SEEDS}),
)
def logistic_monotone_lr_16(inst: dict, ctx) -> Check:
    n, d = int(inst["n"]), int(inst["d"])
    X = _gauss(n, d, inst["seed"])
    y = np.where(_rng(inst["seed"], 1).random(n) < 0.5, -1.0, 1.0)
    p = sim.LogisticRegression(X, y)
    run = _quiet_gd(p, np.zeros(d), inst["f"] / _lam(X)[-1], 100)
    loss = run.records["loss"][:, 0]
    return Check.upper(float(np.max(np.diff(loss))), 0.0, tol=1e-12)


@_conj(
    "stationary_variance_window",
    "rare",
    {"b": 1, "d": 1, "u": 0.999},
    "u close to 1 with b + d small: the window is below 2 eta_crit",
    "For eta < eta_crit (1 + 1/(b + d)) the second-moment factor h(2) stays below 1 + 1/(b + d + 1).",
    st.fixed_dictionaries({"b": _ints(1, 32), "d": _ints(1, 32), "u": _floats(1e-3, 1.0, exclude_max=True)}),
)
def stationary_variance_window(inst: dict, ctx) -> Check:
    b, d = int(inst["b"]), int(inst["d"])
    eta = inst["u"] * critical_step_size(b, d) * (1 + 1 / (b + d))
    return Check.upper(h2_closed(eta, b, d), 1 + 1 / (b + d + 1), tol=-1e-12)


@_conj(
    "gd_least_squares_stable_edge",
    "corner",
    {"n": 6, "d": 3, "f": 1.002, "seed": 0},
    "f in (~1.0003, 1.002]: a 0.1% sliver at the top of the step range (off by a constant 1.002)",
    "GD on least squares with lr = f * 2 / lambda_max(X^T X / n), f <= 1.002, never ends above its "
    "initial loss after 300 steps.",
    st.fixed_dictionaries({"n": _ints(3, 15), "d": _ints(1, 6), "f": _floats(0.05, 1.002), "seed": SEEDS}),
)
def gd_least_squares_stable_edge(inst: dict, ctx) -> Check:
    return gd_least_squares_stable.predicate(inst, ctx)
