"""Instances for the linear-GNN claims: the spec's toy (section 4) and cached GD runs.

Graph: Erdős–Rényi G(20, 0.2), operator ``S = D~^{-1/2}(A + I)D~^{-1/2}``
(:func:`sim.gnn.normalized_adjacency`).
Data: ``m_x = 4`` features, ``m_y = 2`` targets, i.i.d. N(0, 1); width 8; init entries N(0, 0.5^2).
Rate-bound instances train on ``|I| = 12`` nodes (over-determined: ``L* > 0`` without skip
connections); speed comparisons on ``|I| = 4 = m_x`` nodes, so that every model has ``L* = 0`` and
a comparison measures speed, not expressivity (the spec's pitfall).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from sim.dynamics import Recorder, gd
from sim.gnn import LinearGNN, erdos_renyi, normalized_adjacency

N_NODES, P_EDGE, M_X, M_Y, WIDTH, INIT = 20, 0.2, 4, 2, 8, 0.5
SEEDS = st.integers(min_value=0, max_value=2**20 - 1)


def problem(seed: int, depth: int, skip: bool, n_train: int = 12) -> LinearGNN:
    """The toy instance of graph/data seed ``seed``."""
    rng = np.random.default_rng(seed)
    S = normalized_adjacency(erdos_renyi(N_NODES, P_EDGE, int(rng.integers(2**32))))
    X = rng.normal(size=(M_X, N_NODES))
    Y = rng.normal(size=(M_Y, n_train))
    return LinearGNN(X, Y, S, np.arange(n_train), depth=depth, width=WIDTH, skip=skip)


def bound_instances() -> st.SearchStrategy[dict]:
    """Plain GNNs of depth 1-3 and the skip model at depth 1 (see linear_gnn.linear_rate_bound)."""
    configs = st.sampled_from([(1, False), (2, False), (3, False), (1, True)])
    return st.tuples(SEEDS, configs).map(lambda t: {"seed": t[0], "depth": t[1][0], "skip": t[1][1]})


def speed_instances(depths: list[int]) -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries({"seed": SEEDS, "depth": st.sampled_from(depths)})


@dataclass(frozen=True)
class Path:
    """A GD run: ``loss`` (T+1, R), ``lam_min``/``lam_max`` (T+1, R) of the heads' ``P_l^T P_l``."""

    loss: np.ndarray
    lam_min: np.ndarray
    lam_max: np.ndarray
    lr: float
    diverged: int


@functools.lru_cache(maxsize=64)
def gd_path(seed: int, depth: int, skip: bool, lr: float, steps: int, n_init: int = 4) -> Path:
    """GD from ``n_init`` inits (replicas) with every iterate kept, spectra computed in one batch."""
    from theorems.linear_gnn.formulas import head_spectra

    gnn = problem(seed, depth, skip)
    th0 = gnn.init(INIT, seed, n_init)
    res = gd(gnn, th0, lr, steps, recorder=Recorder(every=1, loss_integral=False, iterates=True))
    lo, hi = head_spectra(gnn, res.records["iterates"])
    return Path(res.records["loss"], lo, hi, lr, len(res.diverged))


@functools.lru_cache(maxsize=64)
def end_losses(
    seed: int, depth: int, lr: float, steps: int, n_init: int = 4
) -> tuple[np.ndarray, np.ndarray]:
    """``(L_0, L_steps)`` per init of the plain model (the inits of :func:`gd_path`), without the
    per-step iterates and spectra."""
    gnn = problem(seed, depth, False)
    th0 = gnn.init(INIT, seed, n_init)
    res = gd(gnn, th0, lr, steps, recorder=Recorder(every=steps, loss_integral=False))
    L = res.records["loss"]
    return L[0], np.where(res.active, L[-1], np.inf)


@functools.lru_cache(maxsize=64)
def speed_losses(seed: int, depth: int, skip: bool, steps: int, n_init: int, zero_heads: bool) -> np.ndarray:
    """``L_steps / L_0`` per init (shape (n_init,)), GD at eta = 1e-3 on the ``|I| = 4`` instance.

    ``zero_heads``: the skip model starts from the plain model's init (same ``B_l`` and ``W_H``, drawn
    from ``seed``) with the extra heads ``W_{l<H} = 0``.
    """
    gnn = problem(seed, depth, skip, n_train=M_X)
    plain = problem(seed, depth, False, n_train=M_X)
    th_plain = plain.init(INIT, seed + 1, n_init)
    if skip and zero_heads:
        blocks = {key: np.zeros((n_init, *shp)) for key, shp in gnn.block_shapes.items()}
        blocks.update(plain.unpack(th_plain))
        th0 = gnn.pack(blocks)
    else:
        th0 = gnn.init(INIT, seed + 1, n_init) if skip else th_plain
    res = gd(gnn, th0, 1e-3, steps, recorder=Recorder(every=steps, loss_integral=False))
    L = res.records["loss"]
    return np.where(res.active, L[-1] / L[0], np.inf)


def initial_gradient_identity(seed: int, depth: int, n_init: int) -> float:
    """Relative error of ``||grad L_skip||^2 = ||grad L_plain||^2 + sum_{l<H} ||grad_{W_l} L||^2`` at
    the shared init (extra heads zero), max over inits."""
    gnn = problem(seed, depth, True, n_train=M_X)
    plain = problem(seed, depth, False, n_train=M_X)
    th = plain.init(INIT, seed + 1, n_init)
    blocks = {key: np.zeros((n_init, *shp)) for key, shp in gnn.block_shapes.items()}
    blocks.update(plain.unpack(th))
    gs = gnn.grad(gnn.pack(blocks))
    gp = plain.grad(th)
    extra = sum(
        np.sum(v**2, axis=(1, 2)) for (kind, lv), v in gnn.unpack(gs).items() if kind == "W" and lv < depth
    )
    lhs, rhs = np.sum(gs**2, axis=1), np.sum(gp**2, axis=1) + extra
    return float(np.max(np.abs(lhs - rhs) / rhs))
