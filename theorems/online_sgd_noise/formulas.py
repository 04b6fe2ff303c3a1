"""Closed forms and statistics for the online-versus-offline SGD-noise claims (Vyas et al., ICML 2024).

The exact expected population MSE of online least-squares SGD (second-moment recursion), the matched-loss
distance rho, log-log slopes with their replica bootstrap, Holm's adjustment, one-sided t-tests, the
bias/variance bootstrap and the off-support l1 mass. Importing this module registers no claim.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import stats

from sim.online_training import (
    ArmResult,
    Teacher,
    ls_online_error_moment,
    normalised_distance,
)


def ls_online_expected_mse(
    Sigma: np.ndarray, lr: float, batch: int | None, e0: np.ndarray, n_steps: int, *, trace_term: bool = True
) -> np.ndarray:
    r"""Expected population MSE of online least-squares SGD, exactly, for $t = 0..T$.

    For $x\sim\mathcal N(0,\Sigma)$ and $\beta\leftarrow\beta-\eta\,\frac1B\sum_b x_bx_b^\top
    (\beta-\beta^\star)$, $P_t = \mathbb E[e_te_t^\top]$ obeys (derived, Isserlis)
    $P_{t+1} = (I-\eta\Sigma)P_t(I-\eta\Sigma) + \frac{\eta^2}{B}(\Sigma P_t\Sigma +
    \mathrm{tr}(\Sigma P_t)\Sigma)$, and $\mathbb E\,m(\beta_t) = \mathrm{tr}(\Sigma P_t)$. The map is
    monotone in the PSD order and its noise term decreases in $B$, so the expected loss is
    non-increasing in $B$ at every step (spec section 2). ``trace_term=False`` drops
    $\mathrm{tr}(\Sigma P)\Sigma$ (a deliberately wrong recursion, for a false variant).
    """
    e0 = np.asarray(e0, dtype=float)
    P0 = np.outer(e0, e0)
    if trace_term:
        return ls_online_error_moment(Sigma, lr, batch, P0, n_steps)
    S = np.asarray(Sigma, dtype=float)
    A = np.eye(S.shape[0]) - lr * S
    c = 0.0 if batch is None else lr * lr / batch
    out = np.empty(n_steps + 1)
    P = P0
    out[0] = np.trace(S @ P)
    for t in range(n_steps):
        P = A @ P @ A + c * (S @ P @ S)
        out[t + 1] = np.trace(S @ P)
    return out


def matched_rho(run: ArmResult, ref: ArmResult, Sigma: np.ndarray) -> np.ndarray:
    """Normalised distance ``rho = D / l`` at every level, per replica of ``run``, to the (noiseless,
    single-replica) reference ``ref`` at the same level; shape (S, L), NaN where not reached."""
    return normalised_distance(run.matched, ref.matched[0][None], Sigma, run.levels)


def loglog_slope(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Least-squares slope of ``log y`` against ``log x`` along the last axis of ``y``."""
    lx = np.log(np.asarray(x, dtype=float))
    ly = np.log(np.asarray(y, dtype=float))
    cx = lx - lx.mean()
    return ((ly - ly.mean(axis=-1, keepdims=True)) @ cx) / (cx @ cx)


def _bootstrap_means(x: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Replica bootstrap of the mean over axis 0 of ``x``: shape ``(n_boot, *x.shape[1:])``."""
    S = x.shape[0]
    return x[rng.integers(0, S, size=(n_boot, S))].mean(axis=1)


def bootstrap_slopes(
    rho: np.ndarray, levels: np.ndarray, n_boot: int, rng: np.random.Generator
) -> tuple[float, np.ndarray]:
    """Slope of ``log mean_s rho_s(l)`` against ``log l`` and its replica bootstrap (``n_boot``)."""
    est = float(loglog_slope(levels, rho.mean(axis=0)))
    boot = loglog_slope(levels, _bootstrap_means(rho, n_boot, rng))
    return est, boot


def holm(p: Any) -> np.ndarray:
    """Holm-adjusted p-values (step-down, family-wise error control)."""
    p = np.asarray(p, dtype=float).ravel()
    m = p.size
    order = np.argsort(p)
    adj = np.empty(m)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, (m - rank) * p[i])
        adj[i] = min(1.0, running)
    return adj


def _complete(rho: np.ndarray) -> tuple[np.ndarray, int]:
    """Replicas that reached every level, and how many were dropped."""
    ok = np.all(np.isfinite(rho), axis=1)
    return rho[ok], int((~ok).sum())


def _ci(boot: np.ndarray, level: float) -> tuple[float, float]:
    lo, hi = np.quantile(boot, [level / 2, 1 - level / 2])
    return float(lo), float(hi)


def _t_less(a: np.ndarray, b: np.ndarray | float) -> float:
    """One-sided p-value for ``mean(a) < mean(b)`` (Welch; one-sample if ``b`` is a constant)."""
    a = np.asarray(a, dtype=float)
    if np.ndim(b) == 0 or np.size(b) == 1:
        return float(stats.ttest_1samp(a, float(np.ravel(b)[0]), alternative="less").pvalue)
    return float(stats.ttest_ind(a, np.asarray(b, dtype=float), equal_var=False, alternative="less").pvalue)


def off_support_l1(beta: np.ndarray, teacher: Teacher) -> np.ndarray:
    """``||beta_{S^c}||_1`` over the last axis (S = support of the teacher)."""
    mask = np.ones(teacher.d, dtype=bool)
    mask[teacher.support] = False
    return np.sum(np.abs(beta[..., mask]), axis=-1)


def _z_test_mean(x: np.ndarray, predicted: float) -> tuple[float, float]:
    """Two-sided z-test of ``mean(x) = predicted`` (normal approximation): ``(z, p)``."""
    z = (x.mean() - predicted) / (x.std(ddof=1) / math.sqrt(x.size))
    return z, float(2 * stats.norm.sf(abs(z)))


def _bias_var_boot(
    betas: np.ndarray, ref: np.ndarray, Sigma: np.ndarray, n_boot: int, rng: np.random.Generator
) -> tuple[float, np.ndarray]:
    """bias^2/var (corrected as :func:`sim.online_training.bias_variance`) averaged over levels:
    the estimate and its replica bootstrap. ``betas`` (S, L, d), ``ref`` (L, d).

    With ``z = beta L`` (``Sigma = L L'``) the Sigma-quadratic forms are Euclidean, so a resample
    with replica weights ``w`` (rows of counts / S) needs only ``w @ z`` and ``w @ |z|^2``.
    """
    S, nl, d = betas.shape
    Lc = np.linalg.cholesky(Sigma)
    z = (betas - ref[None]) @ Lc  # (S, L, d), centred at the reference
    q = np.sum(z * z, axis=-1)  # (S, L)

    def ratio(w: np.ndarray) -> np.ndarray:  # w (..., S) weights summing to 1
        zbar = (w @ z.reshape(S, nl * d)).reshape(*w.shape[:-1], nl, d)
        bias_raw = np.sum(zbar * zbar, axis=-1)
        var = w @ q - bias_raw
        return ((bias_raw - var / (S - 1)) / var).mean(axis=-1)

    counts = np.zeros((n_boot, S))
    idx = rng.integers(0, S, size=(n_boot, S))
    np.add.at(counts, (np.repeat(np.arange(n_boot), S), idx.ravel()), 1.0)
    return float(ratio(np.full(S, 1.0 / S))), ratio(counts / S)
