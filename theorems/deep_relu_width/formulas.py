r"""Training runs, statistics and the one exact piece for the deep-ReLU width claims (Zou et al. 2018/2020).

Importing this module registers no claim.

* :func:`derive_pair_bound` (sympy): ``l(z) + l(-z)`` for the logistic loss is minimised at ``z = 0``
  with value ``2 log 2``; hence a data set holding the same input twice with opposite labels has mean
  loss ``>= 2 log 2 / n`` for *every* predictor, whatever the width or the training.
* :func:`gd_sweep`: GD with ``eta = 1/m`` for 400 steps at several widths, ``R`` initialisations per
  width, on one data set (``n = 20``, ``d = 10``, ``mu = 1/sqrt 2``, 3 hidden layers).
* :func:`ntk_bound` / :func:`linearised_gd_bound`: the loss that 400 GD steps are guaranteed to reach on
  the network's linearisation at initialisation (convex GD rate with the NTK Gram ``K_0``).
* :func:`sgd_run`: batch-1 SGD with ``eta = 0.5/m``, stopped as soon as every replica fits (checked
  every 250 steps), at most 4000 steps.
* :func:`duplicate_control`: GD on the data with ``x_2 := x_1``, ``y_2 := -y_1``.
* :func:`loglog_slopes`: per-replica least-squares slope of log movement against log width.

Sizes per profile in :data:`CONFIG`; results are cached by their full argument list.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import expit

from sim._blas import single_threaded
from sim.deep_relu import DeepReLUNetwork, sphere_data_with_bias
from sim.dynamics import Recorder, gd, sgd
from sim.noise import draw_batch_indices

N_SAMPLES, DIM, MU, DEPTH = 20, 10, 1 / math.sqrt(2), 3
GD_STEPS, SGD_MAX_STEPS, SGD_CHECK = 400, 4000, 250

# dev: widths 16-64 (the spec's m = 128, 256 cost seconds per run on a loaded 2-core machine), and
# per instance only what its check needs (3+ instances per claim): the movement slope from the two
# widths 8 and 32 with 16 initialisations (a quarter of the cost of 8 initialisations at 16 and 64 and
# a narrower slope interval: +-0.05-0.12 against +-0.1-0.2); 3 initialisations per width for the fit
# claim, 2 for the duplicate control.
# ci/thorough: the spec's widths.
CONFIG: dict[str, dict[str, Any]] = {
    "dev": {
        "widths": (8, 32),
        # the claim's smallest width: at m = 32 (below the spec's range) one initialisation in ~120
        # ended at loss 0.153 > 0.15 (a 20-seed sweep), which says nothing about m >= 64
        "fit_widths": (64,),
        "sgd_widths": (64,),
        "replicas": 16,
        "fit_replicas": 3,
        "dup_replicas": 2,
    },
    "ci": {
        "widths": (32, 64, 128, 256),
        "fit_widths": (64, 128, 256),
        "sgd_widths": (64, 256),
        "replicas": 8,
        "fit_replicas": 8,
        "dup_replicas": 4,
    },
}
CONFIG["thorough"] = dict(CONFIG["ci"], replicas=10, fit_replicas=10)


def config(profile: str) -> dict[str, Any]:
    return CONFIG.get(profile, CONFIG["dev"])


@functools.cache
def derive_pair_bound() -> dict[str, Any]:
    r"""sympy: ``g(z) = log(1 + e^{-z}) + log(1 + e^{z})`` (the two losses of an opposite-label
    duplicate with output ``z``): ``g'(0) = 0`` and ``g''(z) = 2 e^z/(1 + e^z)^2 > 0``
    (``g_second_positive`` checks this form), so ``min g = g(0) = 2 log 2`` (``minimum``)."""
    import sympy as sp

    z = sp.Symbol("z", real=True)
    g = sp.log(1 + sp.exp(-z)) + sp.log(1 + sp.exp(z))
    d1 = sp.simplify(sp.diff(g, z))
    d2 = sp.simplify(sp.diff(g, z, 2))
    return {
        "g": g,
        "g_prime": d1,
        "g_prime_at_0": sp.simplify(d1.subs(z, 0)),
        "g_second": d2,
        "g_second_positive": sp.simplify(d2 - 2 * sp.exp(z) / (1 + sp.exp(z)) ** 2) == 0,
        "minimum": sp.nsimplify(sp.simplify(g.subs(z, 0))),
    }


def data(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The spec's data set: ``n = 20`` unit-norm inputs in ``d = 10`` with bias coordinate ``mu``."""
    return sphere_data_with_bias(N_SAMPLES, DIM, MU, np.random.SeedSequence([seed, 0]))


@dataclass
class WidthRun:
    """GD at one width: R replicas. ``loss`` (n_records, R) every 50 steps; ``movement`` (R,)."""

    width: int
    loss: np.ndarray
    accuracy: np.ndarray
    movement: np.ndarray
    diverged: int

    @property
    def fits(self) -> np.ndarray:
        """100% training accuracy and the loss still decreasing over the last 50 steps."""
        return (self.accuracy == 1.0) & (self.loss[-1] < self.loss[-2])


@dataclass
class NTKBound:
    """The linearised-GD guarantee at one width, per initialisation (see :func:`ntk_bound`)."""

    width: int
    lam_min: np.ndarray  # (R,) smallest eigenvalue of the NTK Gram K_0 (n x n)
    lam_max: np.ndarray  # (R,)
    eta_beta: np.ndarray  # (R,) eta * lam_max / (4 n): the convex rate needs <= 1
    bound: np.ndarray  # (R,) bound on the mean loss after GD_STEPS steps
    bound_lam0: np.ndarray  # (R,) the same through lambda_0 only (looser)
    q: np.ndarray  # (R,) the minimising target margin


def linearised_gd_bound(
    K: np.ndarray, f0: np.ndarray, y: np.ndarray, eta: float, T: int
) -> tuple[float, float, float]:
    r"""Guarantee of ``T`` GD steps on the linearisation $f_0 + J(\theta - \theta_0)$ of a network, mean
    logistic loss, NTK Gram $K = JJ^\top$ (n x n, invertible).

    The linearised loss is convex and $\beta$-smooth, $\beta = \lambda_{\max}(K)/(4n)$ ($\ell'' \le 1/4$).
    For $\eta \le 1/\beta$ and *any* comparator $\theta^*$, GD gives
    $L_T \le L(\theta^*) + \|\theta^* - \theta_0\|^2/(2\eta T)$ (sum the one-step inequality
    $L_{k+1} \le L(\theta^*) + (\|\theta_k - \theta^*\|^2 - \|\theta_{k+1} - \theta^*\|^2)/(2\eta)$ and
    use that $L_k$ decreases). The comparator $\theta^* = \theta_0 + J^\top K^{-1}(qy - f_0)$ puts every
    margin at $q$: $L(\theta^*) = \log(1 + e^{-q})$, $\|\theta^* - \theta_0\|^2 = (qy - f_0)^\top K^{-1}
    (qy - f_0)$. Returns ``(bound, bound_lam0, q)``: the minimum over $q \ge 0$, the same with
    $K^{-1} \preceq I/\lambda_0$ (the step budget in terms of $\lambda_0$: loss $\varepsilon$ after
    $T(\varepsilon) = \min_q \|qy - f_0\|^2 / (2\eta\lambda_0(\varepsilon - \log(1 + e^{-q})))$ steps),
    and the minimising $q$. No linear rate: the logistic loss's curvature vanishes as it is fitted.
    """
    from scipy.optimize import minimize_scalar

    lam0 = float(np.linalg.eigvalsh(K)[0])
    if lam0 <= 0:
        raise ValueError(f"the NTK Gram must be positive definite, got lambda_min = {lam0}")
    Kinv = np.linalg.inv(K)

    def b(q: float, exact: bool) -> float:
        dv = q * y - f0
        Q = float(dv @ Kinv @ dv) if exact else float(dv @ dv) / lam0
        return float(np.log1p(np.exp(-q))) + Q / (2 * eta * T)

    r = minimize_scalar(lambda q: b(q, True), bounds=(0.0, 40.0), method="bounded")
    r0 = minimize_scalar(lambda q: b(q, False), bounds=(0.0, 40.0), method="bounded")
    return float(r.fun), float(r0.fun), float(r.x)


def ntk_gram(p: DeepReLUNetwork, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """NTK Gram ``K = J J^T`` of the outputs, shape (R, n, n), and the outputs ``f`` (R, n), where ``J``
    (R, n, p) holds the output gradients (per-sample loss gradients divided by ``dl/df``, never 0)."""
    f = p.outputs(theta)
    K = np.empty((theta.shape[0], p.n_samples, p.n_samples))
    for r in range(theta.shape[0]):
        G = p.per_sample_grads(theta[r : r + 1])[0]
        J = G / (-p.y * expit(-p.y * f[r]))[:, None]
        K[r] = J @ J.T
    return K, f


@functools.lru_cache(maxsize=64)
def ntk_bound(seed: int, width: int, replicas: int) -> NTKBound:
    """:func:`linearised_gd_bound` at ``GD_STEPS`` for the initialisations of :func:`gd_width`."""
    X, y = data(seed)
    p = DeepReLUNetwork(X, y, width, DEPTH)
    th0 = p.init(np.random.SeedSequence([seed, 1, width]), replicas)
    eta = 1.0 / width
    with single_threaded():
        K, f0 = ntk_gram(p, th0)
    ev = np.linalg.eigvalsh(K)
    # a (numerically) singular Gram (dead ReLUs at small widths) gives no guarantee: bound = inf
    out = np.array(
        [
            linearised_gd_bound(K[r], f0[r], y, eta, GD_STEPS)
            if ev[r, 0] > 1e-10 * ev[r, -1]
            else (math.inf, math.inf, math.nan)
            for r in range(replicas)
        ]
    )
    return NTKBound(
        width, ev[:, 0], ev[:, -1], eta * ev[:, -1] / (4 * N_SAMPLES), out[:, 0], out[:, 1], out[:, 2]
    )


def _gd(X: np.ndarray, y: np.ndarray, m: int, R: int, seed: int) -> WidthRun:
    p = DeepReLUNetwork(X, y, m, DEPTH)
    th0 = p.init(np.random.SeedSequence([seed, 1, m]), R)
    with single_threaded():
        r = gd(p, th0, 1.0 / m, GD_STEPS, recorder=Recorder(every=50, loss_integral=False))
        return WidthRun(
            m, r.records["loss"], p.accuracy(r.theta), p.relative_movement(r.theta, th0), len(r.diverged)
        )


@functools.lru_cache(maxsize=64)
def gd_width(seed: int, width: int, replicas: int) -> WidthRun:
    """GD (``eta = 1/m``, 400 steps) at one width, ``replicas`` initialisations (cached)."""
    X, y = data(seed)
    return _gd(X, y, width, replicas, seed)


def gd_sweep(seed: int, widths: tuple[int, ...], replicas: int) -> dict[int, WidthRun]:
    """GD (``eta = 1/m``, 400 steps) at every width, ``replicas`` initialisations each, one data set
    (each width cached by :func:`gd_width`, so claims sharing a width share its runs)."""
    return {m: gd_width(seed, m, replicas) for m in widths}


@functools.lru_cache(maxsize=16)
def sgd_run(seed: int, width: int, replicas: int = 2) -> dict[str, Any]:
    """Batch-1 SGD (``eta = 0.5/m``): steps until every replica has 100% training accuracy (checked
    every 250 steps; ``None`` if not within 4000 steps), and the accuracies then."""
    X, y = data(seed)
    p = DeepReLUNetwork(X, y, width, DEPTH)
    th = p.init(np.random.SeedSequence([seed, 2, width]), replicas)
    idx = draw_batch_indices(np.random.SeedSequence([seed, 3, width]), SGD_MAX_STEPS, replicas, N_SAMPLES, 1)
    done = None
    with single_threaded():
        for k in range(0, SGD_MAX_STEPS, SGD_CHECK):
            r = sgd(
                p,
                th,
                0.5 / width,
                SGD_CHECK,
                indices=idx[k : k + SGD_CHECK],
                recorder=Recorder(every=SGD_CHECK, loss=False, loss_integral=False),
            )
            th = r.theta
            acc = p.accuracy(th)
            if np.all(acc == 1.0):
                done = k + SGD_CHECK
                break
        loss = p.loss(th)
    return {"steps": done, "accuracy": acc, "loss": loss}


@functools.lru_cache(maxsize=16)
def duplicate_control(seed: int, width: int = 32, replicas: int = 4) -> dict[str, Any]:
    """GD (``eta = 1/m``, 400 steps) on the data with ``x_2 := x_1`` and ``y_2 := -y_1``: the loss at
    every step (min over time) and the final accuracy."""
    X, y = data(seed)
    X, y = X.copy(), y.copy()
    X[1], y[1] = X[0], -y[0]
    p = DeepReLUNetwork(X, y, width, DEPTH)
    th0 = p.init(np.random.SeedSequence([seed, 4, width]), replicas)
    with single_threaded():
        r = gd(p, th0, 1.0 / width, GD_STEPS, recorder=Recorder(every=1, loss_integral=False))
        acc = p.accuracy(r.theta)
    return {
        "min_loss": r.records["loss"].min(axis=0),
        "final_loss": r.records["loss"][-1],
        "accuracy": acc,
        "n": N_SAMPLES,
    }


def loglog_slopes(widths: tuple[int, ...], movement: np.ndarray) -> np.ndarray:
    """Least-squares slope of ``log movement`` against ``log width`` per replica; ``movement`` is
    (n_widths, R)."""
    lx = np.log(np.asarray(widths, float))
    cx = lx - lx.mean()
    ly = np.log(np.asarray(movement, float))
    return (cx @ (ly - ly.mean(axis=0))) / (cx @ cx)
