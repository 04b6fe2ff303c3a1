"""Cached simulations shared by the diagonal-network claims (Pesme, Pillaud-Vivien, Flammarion 2021).

Every function takes an instance dict (:mod:`theorems.diagonal_networks.instances`) and caches its
result by the dict's items, so claims and false variants that need the same SGD/SGF/GF runs or the
same implicit problem pay once per ``theorems verify``. The kernels themselves
(:func:`~sim.diagonal_kernels.run_sgd`, :func:`~sim.diagonal_kernels.run_sgf`) live in
:mod:`sim.diagonal_kernels`. Importing this module registers no claim.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from sim.diagonal_kernels import Run, _noise_dimension, run_sgd, run_sgf
from theorems.diagonal_networks.formulas import effective_init
from theorems.diagonal_networks.instances import _key, _setup_cached, setup
from theorems.diagonal_networks.solvers import bregman_limit, implicit_solution


def _sgf_limit(inst: dict, loss_integral: float) -> tuple[np.ndarray, np.ndarray]:
    """``(alpha_inf, argmin phi_{alpha_inf})`` on an instance's data for an SGF path with this loss
    integral: the effective initialisation and the limit it predicts."""
    data, alpha, gamma = setup(inst)
    a_inf = effective_init(alpha, gamma, data.X, loss_integral)
    return a_inf, implicit_for(inst, a_inf)


def _noise_seed(inst: dict, *tags: int) -> np.random.SeedSequence:
    return np.random.SeedSequence([int(inst["seed"]), 2, *tags])


@functools.lru_cache(maxsize=256)
def _sgd_cached(
    key: tuple, R: int, t_max: float, tol: float, f_mult: float, tag: int, batch_size: int = 1
) -> Run:
    inst = dict(key)
    data, alpha, gamma = _setup_cached(key)
    gamma *= f_mult
    return run_sgd(
        data.X,
        data.y,
        alpha,
        gamma,
        int(math.ceil(t_max / gamma)),
        n_replicas=R,
        seed=_noise_seed(inst, 0, tag),
        tol_loss=tol,
        batch_size=batch_size,
    )


def sgd_runs(
    inst: dict,
    R: int,
    *,
    t_max: float = 600.0,
    tol: float = 1e-20,
    f_mult: float = 1.0,
    tag: int = 0,
    batch_size: int = 1,
) -> Run:
    """SGD (mini-batches of ``batch_size`` drawn with replacement; batch 1 by default) on an
    instance, R replicas, until loss <= tol or time t_max (cached)."""
    return _sgd_cached(_key(inst), R, t_max, tol, f_mult, tag, int(batch_size))


@functools.lru_cache(maxsize=256)
def _sgf_cached(
    key: tuple,
    R: int,
    h_div: float,
    t_max: float,
    tol: float,
    scheme: str,
    noise: str,
    f_mult: float,
    tag: int,
) -> Run:
    inst = dict(key)
    data, alpha, gamma = _setup_cached(key)
    gamma *= f_mult
    h = gamma / h_div
    return run_sgf(
        data.X,
        data.y,
        alpha,
        gamma,
        h,
        int(math.ceil(t_max / h)),
        n_replicas=R,
        seed=_noise_seed(inst, 1, tag),
        scheme=scheme,
        noise=noise,
        tol_loss=tol,
    )


def sgf_runs(
    inst: dict,
    R: int,
    *,
    h_div: float = 2.0,
    t_max: float = 600.0,
    tol: float = 1e-20,
    scheme: str = "euler_maruyama",
    noise: str = "paper",
    f_mult: float = 1.0,
    tag: int = 0,
) -> Run:
    """SGF paths (step h = gamma / h_div) until loss <= tol or time t_max (cached)."""
    return _sgf_cached(_key(inst), R, h_div, t_max, tol, scheme, noise, f_mult, tag)


@functools.lru_cache(maxsize=256)
def _gf_cached(key: tuple, tol: float, t_max: float) -> tuple[np.ndarray, float, float, float]:
    """Gradient flow with the engine (sim.dynamics.gradient_flow, LSODA, rtol 1e-10)."""
    from sim import dynamics
    from sim.problems import DiagonalNetwork

    data, alpha, _ = _setup_cached(key)
    prob = DiagonalNetwork(data.X, data.y)
    theta = prob.init(alpha, 1)
    J, t, T = 0.0, 0.0, 1000.0
    while True:
        fr = dynamics.gradient_flow(
            prob, theta, T, t_eval=np.array([T]), rtol=1e-10, atol=1e-13, method="LSODA"
        )
        theta = fr.final
        J += float(fr.loss_integral[-1, 0])
        t += T
        L = float(prob.loss(theta)[0])
        if L <= tol or t >= t_max:
            return prob.beta(theta)[0], J, L, t
        T *= 2


def gf_limit(
    inst: dict, *, tol: float = 1e-22, t_max: float = 2.0e5
) -> tuple[np.ndarray, float, float, float]:
    """Gradient flow from w+- = alpha by the engine's ODE solver: (beta_T, int_0^T L, L_T, T).

    The horizon adapts: it doubles (1000, 2000, 4000, ...) until L_T <= ``tol``, up to a total
    time ``t_max``. Slow instances (a small non-zero eigenvalue of the linearised flow at the
    limit) need ~7000 time units; LSODA makes the long horizons cheap."""
    return _gf_cached(_key(inst), tol, t_max)


@functools.lru_cache(maxsize=1024)
def _implicit_cached(key: tuple, log_alpha_bytes: bytes, c_bytes: bytes | None) -> np.ndarray:
    data, _, _ = _setup_cached(key)
    la = np.frombuffer(log_alpha_bytes)
    c = None if c_bytes is None else np.frombuffer(c_bytes)
    return implicit_solution(data.X, data.y, np.exp(la), c=c)


def implicit_for(inst: dict, alpha: np.ndarray, c: np.ndarray | None = None) -> np.ndarray:
    """``implicit_solution`` on an instance's data (cached by the exact bytes of alpha and c)."""
    la = np.ascontiguousarray(np.log(np.asarray(alpha, dtype=float)))
    cb = None if c is None else np.ascontiguousarray(np.asarray(c, dtype=float)).tobytes()
    return _implicit_cached(_key(inst), la.tobytes(), cb)


@functools.lru_cache(maxsize=64)
def _sgf_ladder_cached(
    key: tuple, scheme: str, noise: str, R: int, levels: tuple[int, ...], tol: float, t_max: float
) -> dict[int, tuple[Run, np.ndarray]]:
    """Milstein/EM runs on one Brownian path per level (h = gamma / level), each finished by its
    Bregman limit once L <= tol. Returns {level: (run, finished limits)}."""
    from sim.noise import BrownianPath

    inst = dict(key)
    data, alpha, gamma = _setup_cached(key)
    top = max(levels)
    hmin = gamma / top
    m = _noise_dimension(noise, data.n, data.d)
    n_fine = int(math.ceil(t_max / hmin))
    out = {}
    for lv in levels:
        stride = top // lv
        path = BrownianPath(_noise_seed(inst, 4), R, m, hmin)
        inc = path.increments(n_fine // stride, stride=stride)
        run = run_sgf(
            data.X,
            data.y,
            alpha,
            gamma,
            gamma / lv,
            n_fine // stride,
            n_replicas=R,
            increments=inc,
            scheme=scheme,
            noise=noise,
            tol_loss=tol,
            check_every=50,
        )
        out[lv] = (run, bregman_limit(data.X, data.y, run.wp, run.wm))
    return out


def _refined_sgf_runs(
    inst: dict, R: int, tol: float, t_max: float, h_divs: tuple[float, ...] = (1.0, 2.0, 4.0)
) -> tuple[Run, float]:
    """Milstein SGF paths at h = gamma / h_div, refining h while a path diverges or stalls.

    At h = gamma with gamma near 2 gamma_0 the explicit scheme itself can blow up on a path (the
    thorough run: 1 of 8 paths at f = 1.43, 1 of 6 at f = 1.67, 2 of 6 at f = 1.93); at h = gamma/2
    the same instances converge on every path. A scheme instability is not a property of the SGF,
    so the check uses the coarsest h at which every path converges (reported as h_div)."""
    for h_div in h_divs:
        run = sgf_runs(inst, R, h_div=h_div, scheme="milstein", tol=tol, t_max=t_max)
        if not run.diverged.any() and run.loss.max() <= tol:
            break
    return run, h_div
