"""Instances for the Soudry et al. (2018) claims, and the (cached) GD runs on them.

Instance ``{"seed": s}``: ``s = 0`` is the spec's designed instance (:data:`formulas.DESIGNED_Z`); ``s >= 1``
builds one with the spec's constructive generator (support vectors placed on ``z^T w_hat = 1``, so that the
KKT conditions certify ``w_hat`` and ``alpha`` without a solver):

* d = 2 or 3; the d support vectors are a random rotation of a frame whose directions are jittered
  (angle noise 0.15) from orthogonal, with lengths in [0.7, 2.5]; ``w_hat = Z_S^{-1} 1`` and
  ``alpha = Z_S^{-T} w_hat`` (redrawn until ``alpha > 0`` and ``lambda_min(M) >= 0.6``,
  ``M = sum_S alpha_n z_n z_n^T``: the offset converges like ``t^{-lambda_min(M)}``);
* 3 non-support vectors at margin ``z^T w_hat`` in [2, 4] (so ``rho - w_tilde`` also decays at least like
  ``1/t``), with a random orthogonal component;
* ``c* >= 0.1`` (else the direction constant is not measurable at the horizon: redrawn).

Hypothesis draws ``seed`` in [0, 40); the predicates fold it onto a pool of data sets whose size grows
with the profile (:func:`data_index`: dev 3, ci 8, thorough 40), so that in the quick profiles every claim
and false variant reuses the same few runs (each costs ~0.5-1 s per 2e4 steps on a loaded core).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from sim import LinearClassifier, linear_adaptive_path
from theorems.separable_gd.formulas import DESIGNED_Z, direction_constant, offset

POOL = {"dev": 3, "ci": 8, "thorough": 40}


def seeds() -> st.SearchStrategy[dict]:
    """``{"seed": s}``, s in [0, 40)."""
    return st.fixed_dictionaries({"seed": st.integers(0, 39)})


def data_index(inst: dict, profile: str) -> int:
    """The data set an instance denotes under a profile: ``seed mod POOL[profile]``."""
    return int(inst["seed"]) % POOL.get(profile, 3)


@functools.cache
def dataset(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(Z, w_hat, alpha)``: the data and the certified SVM (by construction, not by a solver)."""
    if seed == 0:
        return DESIGNED_Z.copy(), np.array([1.0, 0.5]), np.array([1.0, 0.25, 0, 0, 0, 0])
    rng = np.random.default_rng(np.random.SeedSequence([20180, seed]))
    d = 2 + seed % 2
    for _ in range(10_000):
        Q, _ = np.linalg.qr(rng.normal(size=(d, d)))
        dirs = Q + 0.15 * rng.normal(size=(d, d))
        dirs /= np.linalg.norm(dirs, axis=0)
        ZS = (dirs * rng.uniform(0.7, 2.5, d)).T
        w = np.linalg.solve(ZS, np.ones(d))
        a = np.linalg.solve(ZS.T, w)
        if a.min() <= 0:
            continue
        M = (ZS.T * a) @ ZS
        if np.linalg.eigvalsh(M).min() < 0.6:
            continue
        u = w / np.linalg.norm(w)
        non = []
        for _k in range(3):
            perp = rng.normal(size=d)
            perp -= (perp @ u) * u
            non.append(u * rng.uniform(2.0, 4.0) / np.linalg.norm(w) + perp)
        Z = np.vstack([ZS, np.array(non)])
        eta = step_size(Z)
        if direction_constant(w, offset_from(ZS, a, eta)) < 0.1:
            continue
        return Z, w, np.r_[a, np.zeros(3)]
    raise RuntimeError("could not build an instance")  # pragma: no cover


def offset_from(ZS: np.ndarray, a: np.ndarray, eta: float) -> np.ndarray:
    return np.linalg.solve(ZS, np.log(eta / a))


def step_size(Z: np.ndarray) -> float:
    """min(0.2, 0.6 * 8/sigma_max^2): the spec's 0.2, kept at 60% of the logistic-loss limit
    eta < 8/sigma_max^2 (beta = 1/4)."""
    return float(min(0.2, 4.8 / np.linalg.norm(Z, 2) ** 2))


@dataclass
class Run:
    Z: np.ndarray
    w_hat: np.ndarray
    alpha: np.ndarray
    etas: np.ndarray  # (2,): eta and eta/4
    times: np.ndarray
    w: np.ndarray  # (n_cp, 2, d)
    log_loss: np.ndarray  # (n_cp, 2)
    w_tilde: np.ndarray  # (2, d), from theorems.separable_gd.offset


def checkpoints(T: int) -> np.ndarray:
    """Ten log-spaced checkpoints per decade from 100 to T, and T/10, T/2."""
    grid = np.unique(
        np.r_[np.round(np.logspace(2, np.log10(T), int(10 * np.log10(T / 100)) + 1)), T // 10, T // 2, T]
    ).astype(int)
    return grid[grid >= 100]


@functools.cache
def run(seed: int, T: int, loss: str = "logistic") -> Run:
    """GD from 0 on the sum loss at ``eta`` and ``eta/4`` (two replicas), recorded on :func:`checkpoints`."""
    Z, w_hat, alpha = dataset(seed)
    eta = step_size(Z)
    etas = np.array([eta, eta / 4])
    P = LinearClassifier.from_margins_data(Z, loss, "sum")
    path = linear_adaptive_path(P, np.zeros(Z.shape[1]), checkpoints(T), etas)
    wt = np.array([offset(Z, e, loss) for e in etas])
    return Run(Z, w_hat, alpha, etas, path.times, path.w, path.log_loss, wt)
