r"""Training runs, statistics and the one exact piece for the deep-ReLU width claims (Zou et al. 2018/2020).

Importing this module registers no claim.

* :func:`derive_pair_bound` (sympy): ``l(z) + l(-z)`` for the logistic loss is minimised at ``z = 0``
  with value ``2 log 2``; hence a data set holding the same input twice with opposite labels has mean
  loss ``>= 2 log 2 / n`` for *every* predictor, whatever the width or the training.
* :func:`gd_sweep`: GD with ``eta = 1/m`` for 400 steps at several widths, ``R`` initialisations per
  width, on one data set (``n = 20``, ``d = 10``, ``mu = 1/sqrt 2``, 3 hidden layers).
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
        """100% training accuracy, loss < 0.15 and still decreasing over the last 50 steps (spec T1)."""
        return (self.accuracy == 1.0) & (self.loss[-1] < 0.15) & (self.loss[-1] < self.loss[-2])


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
