"""Instances for the linear-RNN extrapolation claims: hypothesis strategies and cached GD runs.

Instances are small dicts (``k``, ``seed``, sometimes ``d``); :func:`gd_runs` turns one into a batch of
GD runs (every seed and init scale on the leading replica axis of one :func:`sim.dynamics.gd` call)
and caches the result, so that a claim, its false variants and hypothesis' shrinking never recompute a
known run.

Fixed design (spec section 5): hidden size ``d = 8``, memoryless teacher ``y = x_k``, population
loss, ``eta = 0.01``, init ``A ~ N(0, sigma^2/d)``, ``B, C ~ N(0, sigma^2)``, ``E_40``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from sim.dynamics import Recorder, gd
from sim.rnn import LinearRNN

D = 8
LR = 0.01
K_EXTRAP = 40
SEEDS = st.integers(min_value=0, max_value=2**20 - 1)


def shift_instances() -> st.SearchStrategy[dict]:
    """``k`` in [1, 8] and ``d`` in [k + 1, k + 5] (spec T1)."""
    return st.integers(1, 8).flatmap(
        lambda k: st.fixed_dictionaries({"k": st.just(k), "d": st.integers(k + 1, k + 5)})
    )


def trained(ks: list[int]) -> st.SearchStrategy[dict]:
    """A training length ``k`` and a seed for the batch of inits."""
    return st.fixed_dictionaries({"k": st.sampled_from(ks), "seed": SEEDS})


@dataclass(frozen=True)
class Runs:
    """Final state of GD runs: arrays of shape (n_sigma, n_seeds)."""

    sigmas: tuple[float, ...]
    loss: np.ndarray
    extrap: np.ndarray
    rho: np.ndarray
    asym: np.ndarray
    bound_k: np.ndarray  # L_k * sum_{j=k}^{K-1} ||A||^{2(j-2)} (the symmetric bound's expression)
    diverged: int
    theta: np.ndarray  # (n_sigma, n_seeds, p)


@functools.lru_cache(maxsize=64)
def gd_runs(
    k: int, seed: int, sigmas: tuple[float, ...], n_seeds: int, steps: int, symmetric: bool = False
) -> Runs:
    """GD from ``n_seeds`` inits at each scale in ``sigmas``; init directions are shared across scales
    (the same normal draws scaled by sigma), so comparisons across sigma are paired."""
    from theorems.rnn_extrapolation.formulas import bound_expression

    prob = LinearRNN(D, k)
    th0 = np.concatenate([prob.init(s, seed, n_seeds, symmetric=symmetric) for s in sigmas])
    res = gd(prob, th0, LR, steps, recorder=Recorder(every=steps, loss_integral=False))
    th = res.theta
    S, N = len(sigmas), n_seeds
    L = prob.loss(th)
    A, _, _ = prob.split(th)
    bnd = np.array([bound_expression(A[r], L[r], k, K_EXTRAP) for r in range(th.shape[0])])
    shape = (S, N)
    return Runs(
        sigmas,
        L.reshape(shape),
        prob.extrapolation_error(th, K_EXTRAP).reshape(shape),
        prob.spectral_radius(th).reshape(shape),
        prob.asymmetry(th).reshape(shape),
        bnd.reshape(shape),
        len(res.diverged),
        th.reshape(S, N, -1),
    )
