r"""SGD noise in online versus offline learning: the "golden path" (Vyas et al., ICML 2024).

N. Vyas, D. Morwani, R. Zhao, G. Kaplun, S. Kakade, B. Barak. *Beyond Implicit Bias: The
Insignificance of SGD Noise in Online Learning.* ICML 2024, arXiv:2306.08590.

The paper's evidence is on large networks (ResNet-18 on CIFAR-5m, ConvNeXt on ImageNet, GPT-2 on C4).
Its hypothesis is qualitative: in **online** learning (a fresh sample every step) SGD takes noisy steps
along the path of the noiseless flow, so noise brings no implicit-bias advantage and its benefit is
strictly computational; in **offline** (multi-epoch) learning, noise changes the solution. This module
checks the same statements on models where they can be settled on a CPU (spec
``shared/claims/online_sgd_noise.md``; the operationalisation is ours, not the paper's):

* a two-layer diagonal linear network (DLN), where offline SGD noise *provably* changes the solution
  (Pesme et al. 2021: SGD acts like gradient flow from a smaller effective init, hence a sparser
  interpolant);
* least squares as a control, where the claims are derived exactly.

Conventions (P-convention of the diagonal-network spec, used end to end): $\beta = w_+^2 - w_-^2$,
per-sample loss $\frac14(x^\top\beta - y)^2$, step $w_\pm \leftarrow w_\pm\odot(1\mp\eta\hat g)$ with
$\hat g$ the minibatch mean of $r_i x_i$, $\eta = 0.04$. Data $x\sim\mathcal N(0,\Sigma)$,
$\Sigma_{ij} = 0.5^{|i-j|}$, $y = \beta^{\star\top}x$ with a $k$-sparse $\beta^\star$ (entries $\pm1$).
Losses are reported as MSE: online the exact population MSE
$m(\beta) = (\beta-\beta^\star)^\top\Sigma(\beta-\beta^\star)$, offline the train MSE
$\frac1n\|X\beta-y\|^2$. With the alternative normalisation $\frac1{2n}\|\cdot\|^2$ the same dynamics
needs $\eta/2$.

Matching at equal loss: for each run and loss level $\ell$ the first crossing $m_t\le\ell$ is found
and $\beta$ interpolated in log-loss between steps $t-1$ and $t$
(:func:`sim.online_training.train_online`). Two models at equal loss are compared through the
normalised function-space distance $\rho(\ell) = D/\ell$, $D = (\beta_1-\beta_2)^\top\Sigma
(\beta_1-\beta_2) = \mathbb E_x(f_1-f_2)^2$ ($\rho = 2$: equal-size uncorrelated errors).

Claims (``online_noise.*``; the replica is the statistical unit, family error 0.01 per claim):

* least squares (derived): ``ls_online_per_step_monotone`` (exact second-moment recursion, monotone
  in B, matched by Monte Carlo), ``ls_offline_no_fork`` (GD and SGD reach the same interpolant);
* offline DLN (positive control): ``dln_offline_noise_changes_solution``, ``dln_offline_fork``
  (rho grows like 1/l), ``dln_offline_switch`` (noise kept longer ends better);
* online DLN: ``dln_online_golden_path_flat`` (rho flat in l), ``dln_online_distance_scaling``
  (rho ~ 1/B), ``dln_online_fluctuation_dominated`` (bias^2 < var), ``dln_online_per_step_monotone``,
  ``dln_online_per_sample``, ``dln_online_switch_earlier_never_hurts``, ``dln_online_not_sparser``;
* control: ``gd_flow_proxy`` (GD at eta is on the flow's path at this resolution).

Measured beyond the claims (dev sizes, 34 draws): at matched loss the replica-*mean* online
iterate carries 15-27% less off-support mass than GD (an O(eta/B) drift that buys no loss), while
each replica carries 5-20% more at the first levels past the transient, fading to ~1 at the lowest
levels (on one draw of 34, 6% less: per-model sparsity at matched loss is draw-dependent, so it is
not asserted). Early in training (steps 20-50) the geometric-mean loss of large batches dips a few
percent below population GD's (not significant after Holm with 16 replicas).

Public API: :data:`PROFILES`, :func:`config`, :func:`online_sweep`, :func:`offline_sweep`,
:func:`matched_rho`, :func:`loglog_slope`, :func:`bootstrap_slopes`, :func:`holm`,
:func:`off_support_l1`, :func:`ls_online_expected_mse`, and the claims.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from sim.online_training import (
    Arm,
    ArmResult,
    Teacher,
    bias_variance,
    ls_min_norm_interpolant,
    ls_online_error_moment,
    normalised_distance,
    sparse_teacher,
    train_offline,
    train_online,
)
from theorems import Check, Citation, Context, claim
from theorems.strategies.online import dln_instances, ls_offline_instances, ls_online_instances

PAPER = Citation(
    authors="N. Vyas, D. Morwani, R. Zhao, G. Kaplun, S. Kakade, B. Barak",
    year=2024,
    title="Beyond Implicit Bias: The Insignificance of SGD Noise in Online Learning",
    venue="ICML",
    arxiv="2306.08590",
    where="hypotheses C1-C5 of the abstract; the diagonal-network and least-squares tests are our "
          "operationalisation (not from the paper)",
)
PESME = Citation(
    authors="S. Pesme, L. Pillaud-Vivien, N. Flammarion",
    year=2021,
    title="Implicit Bias of SGD for Diagonal Linear Networks: a Provable Benefit of Stochasticity",
    venue="NeurIPS",
    arxiv="2106.09524",
    where="offline effect used as the positive control (reconstructed)",
)

# Slope bands sit half-way between competing theoretical values (not tuned): -1/2 separates the
# offline asymptote rho ~ 1/l (slope -1) from the golden-path value 0; the batch-scaling band is
# +-1/2 around the predicted rho ~ 1/B and excludes 0.
FLAT_BAND = (-0.5, 0.5)
FORK_THRESHOLD = -0.5
BATCH_BAND = (-1.5, -0.5)
ALIKE_GAP = 0.5
# Replicas allowed to miss a matching level before a measurement is called inconclusive.
MAX_MISSING_FRACTION = 0.25


# ===================================================================================== configuration
@dataclass(frozen=True)
class SweepConfig:
    """Sizes of the diagonal-network sweep for one profile (spec section 3)."""

    d: int
    k: int
    n: int
    eta: float
    alpha: float
    replicas: int
    online_steps: int
    online_batches: tuple[int, ...]
    switch_fracs: tuple[float, ...]  # strictly inside (0, 1); tau = 0 is GD, tau = T is SGD
    online_levels: tuple[float, ...]
    offline_steps: int
    offline_batches: tuple[int, ...]
    offline_levels: tuple[float, ...]
    n_boot: int


def _geom(a: float, b: float, num: int) -> tuple[float, ...]:
    return tuple(float(v) for v in np.geomspace(a, b, num))


PROFILES: dict[str, SweepConfig] = {
    # The spec's CI sizes: d, k, n = 40, 3, 16 (smaller draws lost the offline positive control).
    "dev": SweepConfig(d=40, k=3, n=16, eta=0.04, alpha=0.1, replicas=16,
                       online_steps=2500, online_batches=(1, 4, 16), switch_fracs=(1 / 40, 1 / 8),
                       online_levels=_geom(1e-2, 3e-4, 7),
                       offline_steps=8000, offline_batches=(1, 4),
                       offline_levels=_geom(1e-2, 1e-6, 13), n_boot=4000),
    "thorough": SweepConfig(d=100, k=5, n=40, eta=0.04, alpha=0.1, replicas=32,
                            online_steps=4000, online_batches=(1, 4, 16, 64),
                            switch_fracs=(1 / 80, 1 / 20, 1 / 4),
                            online_levels=_geom(1e-2, 3e-4, 7),
                            offline_steps=12000, offline_batches=(1, 2, 4, 10),
                            offline_levels=_geom(1e-2, 1e-6, 13), n_boot=4000),
}
PROFILES["ci"] = PROFILES["dev"]


def config(ctx: Context) -> SweepConfig:
    """The sweep sizes of the context's profile."""
    return ctx.pick(dev=PROFILES["dev"], ci=PROFILES["ci"], thorough=PROFILES["thorough"])


# ===================================================================================== experiments
@dataclass
class Sweep:
    """One simulated sweep: the teacher, the runs by name, the levels, the data (offline)."""

    teacher: Teacher
    runs: dict[str, ArmResult]
    levels: np.ndarray
    steps: int
    X: np.ndarray | None = None


def _teacher(seed: int, cfg: SweepConfig) -> Teacher:
    return sparse_teacher(cfg.d, cfg.k, seed, alpha=cfg.alpha)


def _sweep_arms(batches: tuple[int, ...], switch_fracs: tuple[float, ...],
                n_steps: int) -> tuple[list[str], list[Arm]]:
    """Names and arms of a sweep: noiseless GD (``"gd"``), SGD per batch size (``"b<B>"``) and
    batch-1 SGD switched to noiseless updates at ``tau = f T`` (``"switch<i>"``, same stream as
    ``"b1"``: common random numbers)."""
    names = ["gd"] + [f"b{b}" for b in batches]
    arms = [Arm(None)] + [Arm(b) for b in batches]
    for i, f in enumerate(switch_fracs):
        names.append(f"switch{i}")
        arms.append(Arm(1, switch=int(round(f * n_steps))))
    return names, arms


@functools.lru_cache(maxsize=8)
def online_sweep(seed: int, cfg: SweepConfig) -> Sweep:
    """Online DLN sweep (cached): population GD (``"gd"``), SGD for each batch size (``"b<B>"``), and
    batch-1 SGD switched to population GD at ``tau = f T`` (``"switch<i>"``, same stream as ``"b1"``,
    so the noisy prefixes coincide: common random numbers)."""
    t = _teacher(seed, cfg)
    T = cfg.online_steps
    names, arms = _sweep_arms(cfg.online_batches, cfg.switch_fracs, T)
    res = train_online(t, arms, lr=cfg.eta, n_steps=T, n_replicas=cfg.replicas, seed=seed,
                       levels=cfg.online_levels)
    return Sweep(t, dict(zip(names, res, strict=True)), np.asarray(cfg.online_levels), T)


@functools.lru_cache(maxsize=8)
def offline_sweep(seed: int, cfg: SweepConfig) -> Sweep:
    """Offline DLN sweep (cached) on ``n`` fixed samples: full-batch GD (``"gd"``), SGD with
    replacement for each batch size (``"b<B>"``), and batch-1 SGD switched to GD at ``tau = f T``
    (``"switch<i>"``, common random numbers with ``"b1"``)."""
    t = _teacher(seed, cfg)
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 7]))
    X, _ = t.sample(rng, cfg.n)
    names, arms = _sweep_arms(cfg.offline_batches, cfg.switch_fracs, cfg.offline_steps)
    res = train_offline(t, X, arms, lr=cfg.eta, n_steps=cfg.offline_steps,
                        n_replicas=cfg.replicas, seed=seed, levels=cfg.offline_levels)
    return Sweep(t, dict(zip(names, res, strict=True)), np.asarray(cfg.offline_levels), cfg.offline_steps, X)


def _sweeps(inst: dict, ctx: Context, which: str) -> Sweep:
    cfg = config(ctx)
    seed = int(inst["seed"])
    return online_sweep(seed, cfg) if which == "online" else offline_sweep(seed, cfg)


def _diverged(sw: Sweep) -> list[str]:
    return [name for name, r in sw.runs.items() if r.diverged.any()]


def _on_sweep(which: str) -> Callable[[Callable[..., Check]], Callable[..., Check]]:
    """Decorator for predicates that need a usable sweep: ``fn(sw, inst, ctx, ...)`` becomes a
    predicate ``(inst, ctx, ...)`` that passes the instance's ``which`` (``"online"``/``"offline"``)
    sweep as ``sw``, or returns an inconclusive check when the sweep cannot support a claim (a
    diverged run; offline also a missing positive control, :func:`_precondition_offline`)."""
    def decorate(fn: Callable[..., Check]) -> Callable[..., Check]:
        @functools.wraps(fn)
        def predicate(inst: dict, ctx: Context, *args: Any, **kwargs: Any) -> Check:
            sw = _sweeps(inst, ctx, which)
            why = _precondition_offline(sw) if which == "offline" else _divergence_reason(sw)
            if why:
                return Check.inconclusive(why)
            return fn(sw, inst, ctx, *args, **kwargs)
        return predicate
    return decorate


def _divergence_reason(sw: Sweep) -> str | None:
    bad = _diverged(sw)
    return f"diverged runs: {bad}" if bad else None


# ===================================================================================== analysis
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


def bootstrap_slopes(rho: np.ndarray, levels: np.ndarray, n_boot: int,
                     rng: np.random.Generator) -> tuple[float, np.ndarray]:
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
    return float(stats.ttest_ind(a, np.asarray(b, dtype=float), equal_var=False,
                                 alternative="less").pvalue)


def _test_at_level(p: float, ctx: Context, **evidence: Any) -> Check:
    """One test of the claim at the instance level: falsified if ``p < ctx.level``, else holds."""
    return Check.test(reject=p < ctx.level, p_value=p, level=ctx.level, **evidence)


def _log_mse_at(run: ArmResult, step: int) -> np.ndarray:
    return np.log(run.mse[step])


def _rng(inst: dict, *keys: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([int(inst["seed"]), 99, *keys]))


def _slopes_by_batch(sw: Sweep, batches: tuple[int, ...], level_mask: Any, n_boot: int,
                     inst: dict, tag: int) -> dict[int, dict[str, Any]]:
    """Per batch size, the slope of log mean rho against log l and its bootstrap. ``level_mask`` is
    a boolean mask over the levels or a function ``(sweep, run) -> mask | None`` (``None``: no valid
    window, the fit is reported as missing)."""
    out = {}
    ref = sw.runs["gd"]
    for j, b in enumerate(batches):
        run = sw.runs[f"b{b}"]
        mask = level_mask(sw, run) if callable(level_mask) else level_mask
        if mask is None or mask.sum() < 3:
            out[b] = {"dropped": None, "slope": math.nan, "boot": None,
                      "reason": "the runs did not get two decades below the first level"}
            continue
        rho, dropped = _complete(matched_rho(run, ref, sw.teacher.Sigma)[:, mask])
        if rho.shape[0] < (1 - MAX_MISSING_FRACTION) * (rho.shape[0] + dropped) or rho.shape[0] < 4:
            out[b] = {"dropped": dropped, "slope": math.nan, "boot": None,
                      "reason": "too many replicas missed a level"}
            continue
        est, boot = bootstrap_slopes(rho, sw.levels[mask], n_boot, _rng(inst, tag, j))
        out[b] = {"dropped": dropped, "slope": est, "boot": boot, "rho_mean": rho.mean(axis=0),
                  "window": (float(sw.levels[mask][0]), float(sw.levels[mask][-1]))}
    return out


def _online_fit_mask(sw: Sweep) -> np.ndarray:
    """Online levels at least two decades below the initial MSE (past the transient from the
    shared init, spec pitfall)."""
    m0 = float(sw.teacher.mse(sw.teacher.beta0))
    return sw.levels <= m0 / 100.0


def _offline_fit_mask(sw: Sweep, run: ArmResult) -> np.ndarray | None:
    """The last two decades of offline train-MSE levels above the floor: the lowest level that GD and
    every replica of ``run`` reached, provided it is at least two decades below the first level."""
    reached = np.all(run.reached(), axis=0) & sw.runs["gd"].reached()[0]
    if not reached.any():
        return None
    low = sw.levels[np.flatnonzero(reached)[-1]]
    if low > sw.levels[0] / 100.0 * (1 + 1e-9):
        return None
    return (sw.levels >= low * (1 - 1e-9)) & (sw.levels <= low * 100.0 * (1 + 1e-9))


def off_support_l1(beta: np.ndarray, teacher: Teacher) -> np.ndarray:
    """``||beta_{S^c}||_1`` over the last axis (S = support of the teacher)."""
    mask = np.ones(teacher.d, dtype=bool)
    mask[teacher.support] = False
    return np.sum(np.abs(beta[..., mask]), axis=-1)


# ===================================================================================== least squares
def ls_online_expected_mse(Sigma: np.ndarray, lr: float, batch: int | None, e0: np.ndarray,
                           n_steps: int, *, trace_term: bool = True) -> np.ndarray:
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


def _ls_teacher(rng: np.random.Generator, Sigma: np.ndarray, chol: np.ndarray) -> Teacher:
    """A least-squares teacher: ``beta* ~ N(0, I)`` and a positive init ``w0`` (drawn in that order)."""
    d = Sigma.shape[0]
    beta_star = rng.standard_normal(d)
    w0 = 0.3 * np.abs(rng.standard_normal(2 * d)) + 0.05
    return Teacher(Sigma, chol, beta_star, w0)


@dataclass(frozen=True)
class _LSOnline:
    """An online least-squares instance: teacher, step, the two batch sizes, horizon, initial error."""

    teacher: Teacher
    lr: float
    b_small: int
    b_large: int
    steps: int

    @property
    def e0(self) -> np.ndarray:
        return self.teacher.beta0 - self.teacher.beta_star

    def expected_mse(self, batch: int | None, *, lr: float | None = None,
                     trace_term: bool = True) -> np.ndarray:
        """:func:`ls_online_expected_mse` of this instance (at step ``lr``, default its own)."""
        return ls_online_expected_mse(self.teacher.Sigma, self.lr if lr is None else lr, batch,
                                      self.e0, self.steps, trace_term=trace_term)


def _ls_problem(inst: dict) -> _LSOnline:
    d = int(inst["d"])
    rng = np.random.default_rng(np.random.SeedSequence([int(inst["seed"]), 11]))
    Q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    lam = np.geomspace(1.0, 1.0 / float(inst["cond"]), d)
    Sigma = (Q * lam) @ Q.T
    Sigma = 0.5 * (Sigma + Sigma.T)
    t = _ls_teacher(rng, Sigma, np.linalg.cholesky(Sigma))
    lr = float(inst["f"]) * 2.0 / (lam.max() + lam.sum())
    b1 = int(inst["b_small"])
    return _LSOnline(t, lr, b1, b1 * int(inst["b_ratio"]), int(inst["steps"]))


def _ls_monte_carlo(pb: _LSOnline, inst: dict, ctx: Context) -> ArmResult:
    """Batch-``b_small`` online SGD with 2000 (dev, ci) / 8000 (thorough) replicas."""
    S = ctx.pick(dev=2000, ci=2000, thorough=8000)
    return train_online(pb.teacher, [Arm(pb.b_small, replicas=S)], lr=pb.lr, n_steps=pb.steps,
                        n_replicas=S, seed=int(inst["seed"]), model="linear")[0]


def _z_test_mean(x: np.ndarray, predicted: float) -> tuple[float, float]:
    """Two-sided z-test of ``mean(x) = predicted`` (normal approximation): ``(z, p)``."""
    z = (x.mean() - predicted) / (x.std(ddof=1) / math.sqrt(x.size))
    return z, float(2 * stats.norm.sf(abs(z)))


# ===================================================================================== claims: LS
@claim(
    id="online_noise.ls_online_per_step_monotone",
    paper=PAPER,
    status="derived",
    kind="monotone",
    statement=r"Online least squares, $x\sim\mathcal N(0,\Sigma)$: the expected population MSE "
              r"$\mathrm{tr}(\Sigma P_t)$ of SGD is non-increasing in the batch size $B$ at every "
              r"step $t$, for any fixed $\eta$ (less noise is never worse per step, C1); and the "
              r"recursion $P_{t+1}=(I-\eta\Sigma)P_t(I-\eta\Sigma)+\frac{\eta^2}{B}(\Sigma P_t\Sigma+"
              r"\mathrm{tr}(\Sigma P_t)\Sigma)$ is the law of the simulated SGD.",
    strategy=ls_online_instances(),
    tolerance="Monotonicity: exact float64 recursion, slack 1e-12 relative (rounding of ~100 "
              "products of d x d matrices). Monte-Carlo: 2000 (dev, ci) / 8000 (thorough) replicas of "
              "batch-b_small SGD; the mean MSE at the last step is compared with the recursion "
              "by a two-sided z-test at the instance level ctx.level (family error 0.01).",
    assumptions="Gaussian inputs, noiseless linear teacher, Sigma > 0 with condition number <= 20, "
                "eta = f * 2 / (lambda_max + tr Sigma). The exact order is checked at f in "
                "[0.05, 0.25] and at f = 0.9; the Monte-Carlo test only at f <= 0.25, where the "
                "replicas' loss is concentrated (nearer the edge the expected loss is carried by rare "
                "replicas and a sample mean of thousands of replicas is biased low).",
    closed_form=r"$\mathbb E\,m_{t+1} = \mathrm{tr}\big(\Sigma[(I-\eta\Sigma)P_t(I-\eta\Sigma)"
                r"+\tfrac{\eta^2}{B}(\Sigma P_t\Sigma+\mathrm{tr}(\Sigma P_t)\Sigma)]\big)$",
    examples={"dev": 2, "ci": 4, "thorough": 60},
)
def ls_online_per_step_monotone(inst: dict, ctx: Context) -> Check:
    """Compute the exact recursion for GD, B = b_small and B = b_large and check the per-step order
    GD <= large <= small; then simulate 4000 replicas (fresh Gaussian batches) and test the final
    mean MSE against the recursion."""
    pb = _ls_problem(inst)
    b1, b2 = pb.b_small, pb.b_large
    m_small, m_large, m_gd = (pb.expected_mse(b) for b in (b1, b2, None))
    tol = 1e-12 * float(np.max(m_small))
    gap = float(min(np.min(m_small - m_large), np.min(m_large - m_gd)))
    # "for any fixed eta": the exact order also at 0.9 of the stability scale (no Monte Carlo there)
    lr_edge = pb.lr * 0.9 / float(inst["f"])
    edge = [pb.expected_mse(b, lr=lr_edge) for b in (b1, b2, None)]
    tol = max(tol, 1e-12 * float(np.max(edge[0])))
    gap = min(gap, float(np.min(edge[0] - edge[1])), float(np.min(edge[1] - edge[2])))
    if gap < -tol:
        return Check.lower(gap, 0.0, tol=tol, reason="expected loss increased with the batch size")
    run = _ls_monte_carlo(pb, inst, ctx)
    if run.diverged.any():
        return Check.inconclusive("a replica diverged", measured=int(run.diverged.sum()))
    m_T = run.mse[-1]
    z, p = _z_test_mean(m_T, m_small[-1])
    return _test_at_level(p, ctx, measured=float(m_T.mean()), predicted=float(m_small[-1]),
                          margin=gap + tol, z=float(z), min_order_gap=gap, lr=pb.lr,
                          batches=[b1, b2])


@ls_online_per_step_monotone.false_variant(
    "small_batch_lower_expected_loss",
    "Online least squares: batch b_small has a lower expected loss per step than b_large.")
def _(inst: dict, ctx: Context) -> Check:
    pb = _ls_problem(inst)
    diff = pb.expected_mse(pb.b_small) - pb.expected_mse(pb.b_large)
    return Check.upper(float(np.max(diff[1:])), 0.0, tol=1e-12 * float(diff.max() + 1e-300))


@ls_online_per_step_monotone.false_variant(
    "no_trace_term",
    "The recursion without the tr(Sigma P) Sigma term describes online SGD (Monte Carlo rejects).",
    strategy=ls_online_instances(f_min=0.15, d_min=4, steps_min=40),
)
def _(inst: dict, ctx: Context) -> Check:
    pb = _ls_problem(inst)
    pred = pb.expected_mse(pb.b_small, trace_term=False)
    m_T = _ls_monte_carlo(pb, inst, ctx).mse[-1]
    z, p = _z_test_mean(m_T, pred[-1])
    return _test_at_level(p, ctx, measured=float(m_T.mean()), predicted=float(pred[-1]),
                          z=float(z))


def _ls_offline(inst: dict) -> tuple[Teacher, np.ndarray, float, float, int, int]:
    n, d = int(inst["n"]), int(inst["n"]) + int(inst["extra"])
    rng = np.random.default_rng(np.random.SeedSequence([int(inst["seed"]), 12]))
    X = rng.standard_normal((n, d))
    t = _ls_teacher(rng, np.eye(d), np.eye(d))
    G = X @ X.T
    lam = np.linalg.eigvalsh(G)
    # SGD: step 1 / max_i ||x_i||^2 (randomised-Kaczmarz regime, every per-sample step contracts);
    # GD: step n / lambda_max(X X').
    lr_sgd = 1.0 / float(np.max(np.diag(G)))
    lr_gd = n / float(lam[-1])
    # Horizon from the Kaczmarz rate 1 - lambda_min(XX') / tr(XX') (per step, B = 1): e^-60.
    steps = int(min(20000, math.ceil(60.0 * np.trace(G) / lam[0])))
    return t, X, lr_sgd, lr_gd, int(inst["batch"]), steps


def _ls_offline_runs(inst: dict, ctx: Context) -> tuple[Teacher, np.ndarray, list[ArmResult],
                                                        np.ndarray]:
    t, X, lr_sgd, lr_gd, b, steps = _ls_offline(inst)
    res = train_offline(t, X, [Arm(None, lr=lr_gd), Arm(b, replicas=8)], lr=lr_sgd, n_steps=steps,
                        n_replicas=8, seed=int(inst["seed"]), model="linear")
    target = ls_min_norm_interpolant(X, X @ t.beta_star, t.beta0)
    return t, X, res, target


@claim(
    id="online_noise.ls_offline_no_fork",
    paper=PAPER,
    status="derived",
    kind="equality",
    statement=r"Offline least squares with $n<d$: every iterate of GD and of SGD (any batch) stays in "
              r"$\beta_0+\mathrm{rowspan}(X)$, so both converge to the same interpolant "
              r"$\beta_0+X^+(y-X\beta_0)$: least-squares SGD noise has no fork.",
    strategy=ls_offline_instances(),
    tolerance="relative error 1e-6 of the final iterates to the interpolant. The horizon is "
              "60 tr(XX')/lambda_min(XX') steps (the randomised-Kaczmarz rate gives e^-60), capped "
              "at 20000; if the train MSE is not below 1e-20 x its start, inconclusive.",
    assumptions="Gaussian design, n <= d/2 (well-conditioned X X'), noiseless labels; SGD step "
                "1 / max_i ||x_i||^2, GD step n / lambda_max(X X').",
    closed_form=r"$\beta_\infty=\beta_0+X^+(y-X\beta_0)$",
    examples={"dev": 2, "ci": 4, "thorough": 40},
)
def ls_offline_no_fork(inst: dict, ctx: Context) -> Check:
    """Run GD and SGD (8 replicas) and compare their endpoints with the projected interpolant."""
    t, X, res, target = _ls_offline_runs(inst, ctx)
    if any(r.mse[-1].max() > 1e-20 * r.mse[0].max() for r in res):
        return Check.inconclusive("not converged within the step budget",
                                  measured=float(max(r.mse[-1].max() for r in res)))
    ends = np.concatenate([r.beta for r in res])
    err = float(np.max(np.linalg.norm(ends - target, axis=1)) / np.linalg.norm(target))
    return Check.upper(err, 1e-6, relative_error=err)


@ls_offline_no_fork.false_variant(
    "noise_changes_interpolant",
    "Offline SGD noise changes the least-squares interpolant (SGD and GD endpoints differ by more "
    "than 1e-3 relative).")
def _(inst: dict, ctx: Context) -> Check:
    t, X, res, target = _ls_offline_runs(inst, ctx)
    gap = float(np.max(np.linalg.norm(res[1].beta - res[0].beta[0], axis=1))
                / np.linalg.norm(res[0].beta[0]))
    return Check.lower(gap, 1e-3)


# ===================================================================================== claims: DLN
_DLN_COMMON = dict(
    strategy=dln_instances(),
    examples={"dev": 1, "ci": 2, "thorough": 6},
    assumptions="x ~ N(0, Sigma), Sigma_ij = 0.5^|i-j|; k-sparse teacher with +-1 entries; shared "
                "init w+-(0) = 0.1 (1 + 0.3 xi); eta = 0.04 (P-convention); dev/ci: d, k, n = "
                "40, 3, 16, 16 replicas; thorough: 100, 5, 40, 32 replicas. One instance = one "
                "problem draw (seed); replicas are the statistical unit.",
)


def _precondition_offline(sw: Sweep) -> str | None:
    """The positive control must exist: GD's test MSE clearly above 0, and B=1 beating it."""
    diverged = _divergence_reason(sw)
    if diverged:
        return diverged
    m0 = float(sw.teacher.mse(sw.teacher.beta0))
    gd_test = float(sw.runs["gd"].test_mse[0])
    if gd_test < 1e-2 * m0:
        return f"GD nearly recovers beta* (test MSE {gd_test:.3g}); no offline effect to detect"
    return None


@claim(
    id="online_noise.dln_offline_noise_changes_solution",
    paper=PESME,
    status="empirical",
    kind="comparison",
    statement=r"Offline (multi-epoch on $n<d$ fixed samples), diagonal network: batch-1 SGD ends at a "
              r"different interpolant than GD, with a lower test MSE and a smaller $\|\beta\|_1$, and "
              r"the deviation is systematic: across replicas $\mathrm{bias}^2 > \mathrm{var}$ at the "
              r"endpoint (C5; consistent with Pesme et al.'s effective-init shrinkage).",
    tolerance="Three one-sided tests at ctx.level/3 each (Bonferroni; family error 0.01): t-tests of "
              "the replicas' test MSE and ||beta||_1 against GD's (deterministic) values, and a "
              "replica bootstrap of bias^2 - var. Holds only if all three are significant; a "
              "significant opposite sign falsifies; otherwise inconclusive. Precondition: GD's "
              "test MSE >= 1% of the initial MSE, else inconclusive.",
    **_DLN_COMMON,
)
@_on_sweep("offline")
def dln_offline_noise_changes_solution(sw: Sweep, inst: dict, ctx: Context) -> Check:
    """Offline sweep; compare the B = 1 endpoints with GD's (test MSE, l1 norm, bias/variance)."""
    gd, sgd = sw.runs["gd"], sw.runs["b1"]
    a = ctx.level / 3
    p_test = _t_less(sgd.test_mse, gd.test_mse[0])
    p_test_opp = _t_less(-sgd.test_mse, -gd.test_mse[0])
    l1, l1_gd = np.abs(sgd.beta).sum(axis=1), float(np.abs(gd.beta[0]).sum())
    p_l1 = _t_less(l1, l1_gd)
    p_l1_opp = _t_less(-l1, -l1_gd)
    bias2, var = bias_variance(sgd.beta, gd.beta[0], sw.teacher.Sigma)
    S = sgd.beta.shape[0]
    _, boot = _bias_var_boot(sgd.beta[:, None, :], gd.beta[0][None], sw.teacher.Sigma,
                             config(ctx).n_boot, _rng(inst, 1))
    p_bv = float((np.sum(boot <= 1) + 1) / (boot.size + 1))  # bootstrap p for bias^2 > var
    p_bv_opp = float((np.sum(boot >= 1) + 1) / (boot.size + 1))
    reject = min(p_test_opp, p_l1_opp, p_bv_opp) < a
    supports = max(p_test, p_l1, p_bv) < a
    return Check.test(
        reject=reject, p_value=min(p_test_opp, p_l1_opp, p_bv_opp), level=ctx.level,
        supports=supports, p_support=max(p_test, p_l1, p_bv),
        measured=float(sgd.test_mse.mean()), predicted=float(gd.test_mse[0]),
        margin=float(gd.test_mse[0] - sgd.test_mse.mean()),
        test_mse_gd=float(gd.test_mse[0]), test_mse_b1_mean=float(sgd.test_mse.mean()),
        test_mse_b1_sd=float(sgd.test_mse.std(ddof=1)),
        l1_gd=l1_gd, l1_b1_mean=float(l1.mean()), bias2=bias2, var=var,
        p_values={"test_mse": p_test, "l1": p_l1, "bias_gt_var": p_bv},
        test_mse_by_batch={k: float(r.test_mse.mean()) for k, r in sw.runs.items()},
        replicas=S)


@dln_offline_noise_changes_solution.false_variant(
    "offline_noise_harmless",
    "Offline SGD noise leaves the solution unchanged: test MSE(B=1) equals GD's (two-sided t-test).")
def _(inst: dict, ctx: Context) -> Check:
    sw = _sweeps(inst, ctx, "offline")
    gd, sgd = sw.runs["gd"], sw.runs["b1"]
    p = float(stats.ttest_1samp(sgd.test_mse, gd.test_mse[0]).pvalue)
    return _test_at_level(p, ctx, measured=float(sgd.test_mse.mean()),
                          predicted=float(gd.test_mse[0]))


def _slope_band_check(fits: dict[int, dict[str, Any]], lo: float, hi: float, level: float,
                      what: str) -> Check:
    """All batch sizes' slope CIs (Bonferroni over B) inside (lo, hi): holds; one outside: reject."""
    a = level / len(fits)
    cis, reject, supports, pv, margin = {}, False, True, [], math.inf
    for b, f in fits.items():
        if f["boot"] is None:
            return Check.inconclusive(f"B={b}: {f['reason']}", dropped=f["dropped"])
        clo, chi = _ci(f["boot"], a)
        cis[b] = (clo, chi)
        inside = float(np.mean((f["boot"] > lo) & (f["boot"] < hi)))
        pv.append(inside)
        reject |= chi < lo or clo > hi
        supports &= clo > lo and chi < hi
        margin = min(margin, clo - lo, hi - chi)
    # p: the smallest bootstrap mass consistent with the claim (a bootstrap p-value for rejecting)
    return Check.test(reject=reject, p_value=min(pv), level=level,
                      supports=supports, measured={b: f["slope"] for b, f in fits.items()},
                      predicted=[lo, hi], margin=margin, cis=cis, what=what,
                      dropped={b: f["dropped"] for b, f in fits.items()},
                      windows={b: f["window"] for b, f in fits.items()})


@claim(
    id="online_noise.dln_offline_fork",
    paper=PAPER,
    status="empirical",
    kind="rate",
    statement=r"Offline, diagonal network: the normalised distance at equal train loss between "
              r"small-batch SGD and GD, $\rho(\ell)=D/\ell$, grows without bound as the loss falls: "
              r"over the last two decades of train MSE reached by every run the log-log slope of "
              r"$\bar\rho$ against "
              r"$\ell$ is below $-\tfrac12$ for every batch size (asymptotically $-1$: the "
              r"function-space gap $D$ settles at a positive value while $\ell\to0$).",
    tolerance="Replica-bootstrap percentile CI (4000 resamples) of the slope at level ctx.level/|B| "
              "per batch size (Bonferroni); holds if every CI lies below -1/2, falsified if one lies "
              "above, else inconclusive. -1/2 is half-way between the fork (-1) and the golden-path "
              "value (0), not tuned.",
    **_DLN_COMMON,
)
@_on_sweep("offline")
def dln_offline_fork(sw: Sweep, inst: dict, ctx: Context) -> Check:
    """Offline sweep; bootstrap the slope of log mean rho vs log l over the last two decades."""
    fits = _offline_fits(sw, inst, ctx)
    return _slope_band_check(fits, -math.inf, FORK_THRESHOLD, ctx.level, "offline rho slope")


@dln_offline_fork.false_variant(
    "offline_rho_flat",
    "Offline rho(l) stays flat (slope CI inside (-1/2, 1/2)), as online.")
def _(inst: dict, ctx: Context) -> Check:
    fits = _offline_fits(_sweeps(inst, ctx, "offline"), inst, ctx)
    return _slope_band_check(fits, *FLAT_BAND, ctx.level, "offline rho slope")


def _switch_runs(sw: Sweep, cfg: SweepConfig) -> tuple[list[int], list[ArmResult]]:
    """The switch steps ``tau`` in increasing order (0: GD, T: batch-1 SGD throughout) and the
    run of each."""
    taus = [0] + [int(round(f * sw.steps)) for f in cfg.switch_fracs] + [sw.steps]
    runs = [sw.runs["gd"]] + [sw.runs[f"switch{i}"] for i in range(len(cfg.switch_fracs))] + \
        [sw.runs["b1"]]
    return taus, runs


def _offline_switch_finals(sw: Sweep, cfg: SweepConfig) -> tuple[list[int], list[np.ndarray]]:
    """Final test MSE against the switch step (offline)."""
    taus, runs = _switch_runs(sw, cfg)
    return taus, [r.test_mse for r in runs]


@claim(
    id="online_noise.dln_offline_switch",
    paper=PAPER,
    status="empirical",
    kind="monotone",
    statement=r"Offline, diagonal network (C4, the fork): switching batch-1 SGD to full-batch GD at "
              r"step $\tau$ locks in the solution reached so far: the final test MSE is "
              r"non-increasing in $\tau$, and $\tau=0$ (pure GD) is worst. Reducing noise early "
              r"locks in a worse result, the opposite of the online behaviour.",
    tolerance="Common random numbers across tau (paired one-sided t-tests of adjacent tau > 0, a "
              "one-sample test against GD's deterministic value), Holm at ctx.level/2 for "
              "reversals; 'GD is worst' (tau = T below tau = 0) at ctx.level/2. Precondition: the "
              "positive control (GD test MSE >= 1% of the initial MSE and B=1 significantly below "
              "it at level 0.01), else inconclusive.",
    **_DLN_COMMON,
)
@_on_sweep("offline")
def dln_offline_switch(sw: Sweep, inst: dict, ctx: Context) -> Check:
    """Offline sweep with switched runs; paired reversal tests on the final test MSE."""
    if _t_less(sw.runs["b1"].test_mse, sw.runs["gd"].test_mse[0]) >= 0.01:
        return Check.inconclusive("positive control absent: B=1 does not beat GD significantly")
    return _switch_order(*_offline_switch_finals(sw, config(ctx)), ctx.level, increasing=False)


def _switch_order(taus: list[int], finals: list[np.ndarray], level: float, *,
                  increasing: bool, log_scale: bool = False) -> Check:
    """Monotone order of final losses in tau (paired tests; tau = 0 is deterministic). With
    ``log_scale`` the finals are log-losses and the reported means are geometric means."""
    sgn = 1.0 if increasing else -1.0  # claimed sign of (later - earlier)
    pv = []
    for early, late in zip(finals[:-1], finals[1:], strict=True):
        x = sgn * (late - early) if early.size > 1 else sgn * (late - early[0])
        pv.append(_t_less(x, 0.0))  # reversal: significantly the wrong sign
    adj = holm(pv)
    p_end = _t_less(-sgn * (finals[-1] - finals[0][0]), 0.0)
    means = [float(np.exp(f.mean())) if log_scale else float(f.mean()) for f in finals]
    gain = means[0] - means[-1]
    locked = [(means[0] - m) / gain if gain else math.nan for m in means]
    return Check.test(reject=bool(adj.min() < level / 2), p_value=float(adj.min()), level=level,
                      supports=p_end < level / 2, measured=means,
                      predicted=("non-decreasing" if increasing else "non-increasing") + " in tau",
                      taus=taus, p_reversal_holm=adj.tolist(), p_end_gap=p_end,
                      fraction_of_gap_at_tau=locked)


@dln_offline_switch.false_variant(
    "early_switch_harmless_offline",
    "Switching to GD early is harmless offline: the run switched at the first tau > 0 ends no worse "
    "than batch-1 SGD kept to the end.")
def _(inst: dict, ctx: Context) -> Check:
    sw = _sweeps(inst, ctx, "offline")
    taus, finals = _offline_switch_finals(sw, config(ctx))
    p = _t_less(finals[-1] - finals[1], 0.0)  # SGD to the end significantly better (paired)
    return _test_at_level(p, ctx, measured=float(finals[1].mean()),
                          predicted=float(finals[-1].mean()), tau=taus[1])


def _online_fits(sw: Sweep, inst: dict, ctx: Context) -> dict[int, dict[str, Any]]:
    """Online rho slopes per batch size over the levels past the transient."""
    cfg = config(ctx)
    return _slopes_by_batch(sw, cfg.online_batches, _online_fit_mask(sw), cfg.n_boot, inst, 3)


def _offline_fits(sw: Sweep, inst: dict, ctx: Context,
                  batches: tuple[int, ...] | None = None) -> dict[int, dict[str, Any]]:
    """Offline rho slopes per batch size (default: every offline batch) over the last two decades."""
    cfg = config(ctx)
    return _slopes_by_batch(sw, cfg.offline_batches if batches is None else batches,
                            _offline_fit_mask, cfg.n_boot, inst, 2)


@claim(
    id="online_noise.dln_online_golden_path_flat",
    paper=PAPER,
    status="empirical",
    kind="rate",
    statement=r"Online, diagonal network (C3, the golden path): at equal population loss, the "
              r"normalised distance $\rho(\ell)=D/\ell$ between SGD and population GD stays flat as "
              r"the loss falls: past the transient from the shared init, the log-log slope of "
              r"$\bar\rho$ against $\ell$ lies in $(-\tfrac12,\tfrac12)$ for every batch size.",
    tolerance="Replica-bootstrap percentile CI (4000 resamples) of each slope at level "
              "ctx.level/|B| (Bonferroni); holds if every CI is inside (-1/2, 1/2), falsified if one "
              "is outside, else inconclusive. Fit over levels at least two decades below the initial "
              "MSE (the transient from the shared init is excluded).",
    **_DLN_COMMON,
)
@_on_sweep("online")
def dln_online_golden_path_flat(sw: Sweep, inst: dict, ctx: Context) -> Check:
    """Online sweep; bootstrap the slope of log mean rho vs log l for every batch size."""
    return _slope_band_check(_online_fits(sw, inst, ctx), *FLAT_BAND, ctx.level, "online rho slope")


@dln_online_golden_path_flat.false_variant(
    "online_rho_grows_like_offline",
    "Online rho(l) grows as l falls, like offline (slope below -1/2 for every batch size).")
def _(inst: dict, ctx: Context) -> Check:
    fits = _online_fits(_sweeps(inst, ctx, "online"), inst, ctx)
    return _slope_band_check(fits, -math.inf, FORK_THRESHOLD, ctx.level, "online rho slope")


@dln_online_golden_path_flat.false_variant(
    "offline_online_alike",
    "Offline and online behave alike: for B=1 the log-log slopes of rho(l) (offline over its last "
    "two decades, online past the transient) differ by less than 1/2.")
def _(inst: dict, ctx: Context) -> Check:
    on = _online_fits(_sweeps(inst, ctx, "online"), inst, ctx)
    off = _offline_fits(_sweeps(inst, ctx, "offline"), inst, ctx, batches=(1,))
    if on[1]["boot"] is None or off[1]["boot"] is None:
        return Check.inconclusive("too many replicas missed a level")
    diff = on[1]["boot"] - off[1]["boot"]  # independent bootstraps: the difference's bootstrap
    lo, hi = _ci(diff, ctx.level)
    reject = lo > ALIKE_GAP or hi < -ALIKE_GAP
    inside = float(np.mean(np.abs(diff) < ALIKE_GAP))
    return Check.test(reject=reject, p_value=inside, level=ctx.level,
                      supports=-ALIKE_GAP < lo and hi < ALIKE_GAP,
                      measured=on[1]["slope"] - off[1]["slope"], predicted=0.0,
                      slope_online=on[1]["slope"], slope_offline=off[1]["slope"], ci=(lo, hi))


@claim(
    id="online_noise.dln_online_distance_scaling",
    paper=PAPER,
    status="empirical",
    kind="rate",
    statement=r"Online, diagonal network (C3): models trained with less noise are closer to the "
              r"noiseless path. The plateau value $\bar\rho_B$ (replica and level average of $\rho$) "
              r"scales like $B^{-1}$: the log-log slope of $\bar\rho_B$ against $B$ over $B\ge4$ lies "
              r"in $(-\tfrac32,-\tfrac12)$.",
    tolerance="Replica bootstrap (independent per B, 4000 resamples) percentile CI of the slope at "
              "level ctx.level; holds if inside (-3/2, -1/2), falsified if outside, else "
              "inconclusive. The band is +-1/2 around the predicted -1 and excludes 0.",
    **_DLN_COMMON,
)
def dln_online_distance_scaling(inst: dict, ctx: Context) -> Check:
    """Online sweep; fit log rho_bar against log B (B >= 4), bootstrap over replicas."""
    return _batch_scaling(inst, ctx, *BATCH_BAND)


@_on_sweep("online")
def _batch_scaling(sw: Sweep, inst: dict, ctx: Context, lo: float, hi: float) -> Check:
    cfg = config(ctx)
    mask = _online_fit_mask(sw)
    rng = _rng(inst, 4)
    bs = [b for b in cfg.online_batches if b >= 4]
    means, boots = [], []
    for b in cfg.online_batches:
        rho, dropped = _complete(matched_rho(sw.runs[f"b{b}"], sw.runs["gd"],
                                             sw.teacher.Sigma)[:, mask])
        if rho.shape[0] < 4 or dropped > MAX_MISSING_FRACTION * sw.runs[f"b{b}"].mse.shape[1]:
            return Check.inconclusive(f"B={b}: too many replicas missed a level")
        per_rep = rho.mean(axis=1)
        means.append(float(per_rep.mean()))
        boots.append(_bootstrap_means(per_rep, cfg.n_boot, rng))
    means_a, boots_a = np.array(means), np.stack(boots, axis=1)
    sel = np.array([b >= 4 for b in cfg.online_batches])
    B = np.array(cfg.online_batches, dtype=float)
    est = float(loglog_slope(B[sel], means_a[sel]))
    boot = loglog_slope(B[sel], boots_a[:, sel])
    clo, chi = _ci(boot, ctx.level)
    slope_all = float(loglog_slope(B, means_a))
    return Check.test(reject=chi < lo or clo > hi,
                      p_value=float(np.mean((boot > lo) & (boot < hi))), level=ctx.level,
                      supports=lo < clo and chi < hi, measured=est, predicted=-1.0,
                      margin=min(clo - lo, hi - chi), ci=(clo, chi),
                      rho_bar={int(b): m for b, m in zip(B, means, strict=True)}, batches_fitted=bs,
                      slope_all_batches=slope_all)


@dln_online_distance_scaling.false_variant(
    "rho_independent_of_batch",
    "Online rho does not depend on the batch size (slope of log rho_bar vs log B inside (-1/2, 1/2)).")
def _(inst: dict, ctx: Context) -> Check:
    return _batch_scaling(inst, ctx, -0.5, 0.5)


def _checkpoints(T: int, num: int = 12) -> np.ndarray:
    return np.unique(np.geomspace(10, T, num).astype(int))


def _p_large_batch_ahead(sw: Sweep, bmax: str, step: int) -> float:
    """One-sided p-value that run ``bmax`` has a lower mean log MSE than batch 1 at ``step``."""
    return _t_less(_log_mse_at(sw.runs[bmax], step), _log_mse_at(sw.runs["b1"], step))


def _per_step_tests(sw: Sweep, batches: tuple[int, ...]) -> tuple[np.ndarray, list[dict[str, Any]]]:
    """One-sided reversal tests (larger batch worse than the next smaller) at every checkpoint."""
    ck = _checkpoints(sw.steps)
    names = [f"b{b}" for b in sorted(batches)] + ["gd"]
    pv, info = [], []
    for small, large in zip(names[:-1], names[1:], strict=True):
        for t in ck:
            ls, ll = _log_mse_at(sw.runs[small], t), _log_mse_at(sw.runs[large], t)
            # reversal: E log m(large) > E log m(small)
            p = _t_less(ls, ll[0]) if ll.size == 1 else _t_less(ls, ll)
            pv.append(p)
            info.append({"pair": (small, large), "step": int(t),
                         "ratio_geo": float(np.exp(ll.mean() - ls.mean()))})
    return np.array(pv), info


@claim(
    id="online_noise.dln_online_per_step_monotone",
    paper=PAPER,
    status="empirical",
    kind="monotone",
    statement=r"Online, diagonal network (C1): per step, a larger batch is never worse. At no "
              r"checkpoint does a larger batch (or population GD) have a significantly higher loss "
              r"than the next smaller batch; and at the end batch 1 is significantly behind the "
              r"largest batch.",
    tolerance="Welch one-sided t-tests on log population MSE (replicas are the unit; GD is "
              "deterministic, so one-sample tests against it) for every adjacent pair and 12 "
              "log-spaced checkpoints, Holm-corrected at ctx.level/2; the final-gap test at "
              "ctx.level/2. Early ties are allowed (not significant). Log-loss means are geometric "
              "means: by Jensen they flatter the noisier run, so the reversal test is conservative "
              "for the claim.",
    **_DLN_COMMON,
)
@_on_sweep("online")
def dln_online_per_step_monotone(sw: Sweep, inst: dict, ctx: Context) -> Check:
    """Online sweep; reversal tests at log-spaced checkpoints, then the final B=1 vs largest gap."""
    cfg = config(ctx)
    pv, info = _per_step_tests(sw, cfg.online_batches)
    adj = holm(pv)
    worst = int(np.argmin(adj))
    bmax = f"b{max(cfg.online_batches)}"
    p_final = _p_large_batch_ahead(sw, bmax, sw.steps)
    return Check.test(reject=bool(adj[worst] < ctx.level / 2), p_value=float(adj[worst]),
                      level=ctx.level, supports=p_final < ctx.level / 2,
                      measured=info[worst]["ratio_geo"], predicted=1.0,
                      worst_reversal=info[worst] | {"p_holm": float(adj[worst])},
                      p_final_gap=p_final,
                      final_mse={k: float(np.exp(np.log(r.mse[-1]).mean()))
                                 for k, r in sw.runs.items() if not k.startswith("switch")})


@dln_online_per_step_monotone.false_variant(
    "small_batch_lower_loss_per_step",
    "Online small-batch SGD reaches a lower loss per step than large batches (B=1 <= largest B at "
    "every checkpoint).")
def _(inst: dict, ctx: Context) -> Check:
    sw = _sweeps(inst, ctx, "online")
    cfg = config(ctx)
    bmax = f"b{max(cfg.online_batches)}"
    ck = _checkpoints(sw.steps)
    pv = np.array([_p_large_batch_ahead(sw, bmax, t) for t in ck])
    adj = holm(pv)
    i = int(np.argmin(adj))
    return Check.test(reject=bool(adj[i] < ctx.level), p_value=float(adj[i]), level=ctx.level,
                      measured=float(np.exp(np.mean(_log_mse_at(sw.runs["b1"], ck[i]))
                                            - np.mean(_log_mse_at(sw.runs[bmax], ck[i])))),
                      predicted=1.0, step=int(ck[i]))


def _per_sample(sw: Sweep, bmax: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """At N = T/4, T/2, T samples (multiples of ``bmax``): one-sided p-values that B=1 has the lower
    log MSE (``p_small_wins``), that the largest batch has (``p_large_wins``), and the geometric
    ratio MSE(B=1) / MSE(bmax)."""
    T = sw.steps
    Ns = np.array([T // 4, T // 2, T]) // bmax * bmax
    p_small_wins, p_large_wins, ratio = [], [], []
    for N in Ns:
        a = _log_mse_at(sw.runs["b1"], int(N))
        b = _log_mse_at(sw.runs[f"b{bmax}"], int(N) // bmax)
        p_small_wins.append(_t_less(a, b))
        p_large_wins.append(_t_less(b, a))
        ratio.append(float(np.exp(a.mean() - b.mean())))
    return Ns, np.array(p_small_wins), np.array(p_large_wins), np.array(ratio)


@claim(
    id="online_noise.dln_online_per_sample",
    paper=PAPER,
    status="empirical",
    kind="comparison",
    statement=r"Online, diagonal network (C2): per sample, small batches are more efficient: at "
              r"equal numbers of samples $N = tB$ (N = T/4, T/2, T), batch-1 SGD has a lower "
              r"population loss than the largest batch. The benefit of noise is computational.",
    tolerance="Welch one-sided t-tests on log MSE at the three sample counts, Holm-corrected at "
              "ctx.level; holds if all are significant, falsified if the opposite direction is "
              "significant at one, else inconclusive.",
    **_DLN_COMMON,
)
def dln_online_per_sample(inst: dict, ctx: Context) -> Check:
    """Online sweep; compare B=1 at step N with the largest batch at step N/B."""
    sw = _sweeps(inst, ctx, "online")
    bmax = max(config(ctx).online_batches)
    Ns, p_small, p_large, ratio = _per_sample(sw, bmax)
    adj_s, adj_l = holm(p_small), holm(p_large)
    return Check.test(reject=bool(adj_l.min() < ctx.level), p_value=float(adj_l.min()),
                      level=ctx.level, supports=bool(adj_s.max() < ctx.level),
                      p_support_holm=adj_s.tolist(),
                      measured=float(ratio.max()), predicted=1.0,
                      margin=float(-np.log(ratio.max())), samples=Ns.tolist(),
                      geo_ratio_b1_over_bmax=ratio.tolist())


@dln_online_per_sample.false_variant(
    "large_batch_more_sample_efficient",
    "Online, large batches are more sample-efficient: at equal samples the largest batch is at a "
    "loss no higher than batch 1.")
def _(inst: dict, ctx: Context) -> Check:
    sw = _sweeps(inst, ctx, "online")
    bmax = max(config(ctx).online_batches)
    Ns, p_small, _, ratio = _per_sample(sw, bmax)
    adj = holm(p_small)
    return Check.test(reject=bool(adj.min() < ctx.level), p_value=float(adj.min()), level=ctx.level,
                      measured=float(ratio.min()), predicted=1.0, samples=Ns.tolist())


def _switch_finals(sw: Sweep, cfg: SweepConfig) -> tuple[list[int], list[np.ndarray]]:
    """Final log population MSE against the switch step (online)."""
    taus, runs = _switch_runs(sw, cfg)
    return taus, [np.log(r.mse[-1]) for r in runs]


@claim(
    id="online_noise.dln_online_switch_earlier_never_hurts",
    paper=PAPER,
    status="empirical",
    kind="monotone",
    statement=r"Online, diagonal network (C4): switching from batch-1 SGD to noiseless (population "
              r"GD) updates at step $\tau$ never ends worse than continuing with noise: the final loss "
              r"$m(T;\tau)$ is non-decreasing in $\tau$ ($\tau = 0$ is GD, $\tau = T$ is SGD "
              r"throughout), and the pure-SGD run ends significantly behind GD.",
    tolerance="Common random numbers (the switched runs share the SGD run's samples up to tau), so "
              "adjacent tau > 0 are compared by paired one-sided t-tests on log m(T), and tau = 0 "
              "(deterministic) by a one-sample test; Holm at ctx.level/2 for reversals, the "
              "SGD-vs-GD gap at ctx.level/2.",
    **_DLN_COMMON,
)
@_on_sweep("online")
def dln_online_switch_earlier_never_hurts(sw: Sweep, inst: dict, ctx: Context) -> Check:
    """Online sweep with switched runs; paired reversal tests on the final log-loss."""
    return _switch_order(*_switch_finals(sw, config(ctx)), ctx.level, increasing=True,
                         log_scale=True)


@dln_online_switch_earlier_never_hurts.false_variant(
    "noise_pays_off_later",
    "Online noise pays off later: batch-1 SGD kept to the end (tau = T) ends no worse than switching "
    "to GD at once (tau = 0).")
def _(inst: dict, ctx: Context) -> Check:
    sw = _sweeps(inst, ctx, "online")
    _, finals = _switch_finals(sw, config(ctx))
    p = _t_less(-finals[-1], -finals[0][0])
    return _test_at_level(p, ctx, measured=float(np.exp(finals[-1].mean())),
                          predicted=float(np.exp(finals[0][0])))


def _sparsity(sw: Sweep) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Off-support l1 of B=1 (per replica, complete replicas only), of GD and of the replica-mean
    iterate, at the matched levels past the transient."""
    b1, gd = sw.runs["b1"], sw.runs["gd"]
    mask = _online_fit_mask(sw)
    l1 = off_support_l1(b1.matched[:, mask], sw.teacher)
    l1 = l1[np.all(np.isfinite(l1), axis=1)]
    mean_beta = np.nanmean(b1.matched[:, mask], axis=0)
    return (l1, off_support_l1(gd.matched[0, mask], sw.teacher),
            off_support_l1(mean_beta, sw.teacher), sw.levels[mask])


@claim(
    id="online_noise.dln_online_not_sparser",
    paper=PAPER,
    status="empirical",
    kind="comparison",
    statement=r"Online, diagonal network: small-batch noise does not end at a sparser solution. After "
              r"the same number of steps, each batch-1 SGD model carries more off-support mass "
              r"$\|\beta_{S^c}\|_1$ than the population-GD model: it is behind on the same path, not "
              r"at a sparser solution (online there is one minimiser, $\beta^\star$).",
    tolerance="One-sample t-test of log(l1_B1 / l1_GD) at the last step over replicas (GD is "
              "deterministic): holds if significantly above 0 at ctx.level/2, falsified if "
              "significantly below at ctx.level/2, else inconclusive. The matched-loss ratios are "
              "reported in the evidence, not asserted: they are draw- and level-dependent (B=1 "
              "denser by 5-20% at the first levels past the transient, fading to ~1 at the lowest "
              "levels, and significantly sparser by ~6% on 1 of 34 scanned draws); the replica-mean "
              "iterate is 15-27% sparser than GD at matched loss (an O(eta/B) drift).",
    **_DLN_COMMON,
)
@_on_sweep("online")
def dln_online_not_sparser(sw: Sweep, inst: dict, ctx: Context) -> Check:
    """Online sweep; compare off-support l1 of the final B=1 models with GD's final model."""
    lr_end = _end_sparsity_log_ratio(sw)
    p_denser = _t_less(-lr_end, 0.0)
    p_sparser = _t_less(lr_end, 0.0)
    l1, l1_gd, l1_mean, lv = _sparsity(sw)
    return Check.test(reject=p_sparser < ctx.level / 2, p_value=p_sparser, level=ctx.level,
                      supports=p_denser < ctx.level / 2,
                      measured=float(np.exp(lr_end.mean())), predicted="> 1",
                      margin=float(lr_end.mean()), p_denser=p_denser,
                      matched_levels=lv.tolist(),
                      matched_ratio_per_replica=np.exp(np.log(l1 / l1_gd).mean(axis=0)).tolist(),
                      matched_ratio_mean_iterate=(l1_mean / l1_gd).tolist(),
                      replicas=int(lr_end.size))


def _end_sparsity_log_ratio(sw: Sweep) -> np.ndarray:
    """Per replica, log of the final off-support l1 of B=1 over GD's final one."""
    return np.log(off_support_l1(sw.runs["b1"].beta, sw.teacher)
                  / off_support_l1(sw.runs["gd"].beta[0], sw.teacher))


@dln_online_not_sparser.false_variant(
    "small_batch_sparser",
    "Online small-batch SGD ends at a systematically sparser solution: after the same number of "
    "steps its off-support l1 is no larger than GD's.")
def _(inst: dict, ctx: Context) -> Check:
    sw = _sweeps(inst, ctx, "online")
    lr_end = _end_sparsity_log_ratio(sw)
    p = _t_less(-lr_end, 0.0)
    return _test_at_level(p, ctx, measured=float(np.exp(lr_end.mean())), predicted="<= 1")


@dln_online_not_sparser.false_variant(
    "small_batch_sparser_at_matched_loss",
    "As offline (effective-init shrinkage), online batch-1 models are sparser than GD's at matched "
    "loss: off-support l1 no larger than GD's at every matched level past the transient.")
def _(inst: dict, ctx: Context) -> Check:
    sw = _sweeps(inst, ctx, "online")
    l1, l1_gd, _, lv = _sparsity(sw)
    lr = np.log(l1 / l1_gd)
    p = holm([_t_less(-lr[:, j], 0.0) for j in range(lv.size)])
    return Check.test(reject=bool(p.min() < ctx.level), p_value=float(p.min()), level=ctx.level,
                      measured=np.exp(lr.mean(axis=0)).tolist(), predicted="<= 1",
                      levels=lv.tolist())


def _bias_var_boot(betas: np.ndarray, ref: np.ndarray, Sigma: np.ndarray, n_boot: int,
                   rng: np.random.Generator) -> tuple[float, np.ndarray]:
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


@claim(
    id="online_noise.dln_online_fluctuation_dominated",
    paper=PAPER,
    status="empirical",
    kind="comparison",
    statement=r"Online, diagonal network: the deviation of SGD from the noiseless path at equal loss "
              r"is fluctuation-dominated. Across replicas, $\mathrm{bias}^2<\mathrm{var}$ for every "
              r"batch size (averaged over the matched levels past the transient): noise along one "
              r"path plus a small drift (offline, by contrast, $\mathrm{bias}^2\gg\mathrm{var}$).",
    tolerance="Replica bootstrap (4000 resamples) of the level-averaged bias^2/var (finite-replica "
              "corrected, not clipped): per batch size the upper percentile bound at level "
              "ctx.level/|B| (Bonferroni) must lie below 1; a lower bound above 1 falsifies; "
              "otherwise inconclusive. (The spec's second part, bias^2/var smaller at the largest B "
              "than at B=1, holds in the point estimates but is not resolved with 16 replicas: at "
              "B=16 bias^2 is below the finite-replica correction's noise. It is reported, not "
              "asserted.)",
    **_DLN_COMMON,
)
def dln_online_fluctuation_dominated(inst: dict, ctx: Context) -> Check:
    """Online sweep; bias/variance split of the matched iterates around GD's, bootstrapped."""
    return _fluctuation(inst, ctx, claim_systematic=False)


@_on_sweep("online")
def _fluctuation(sw: Sweep, inst: dict, ctx: Context, claim_systematic: bool) -> Check:
    cfg = config(ctx)
    mask = _online_fit_mask(sw)
    ref = sw.runs["gd"].matched[0, mask]
    est, boots = {}, {}
    for j, b in enumerate(cfg.online_batches):
        m = sw.runs[f"b{b}"].matched[:, mask]
        m = m[np.all(np.isfinite(m), axis=(1, 2))]
        if m.shape[0] < 4:
            return Check.inconclusive(f"B={b}: too many replicas missed a level")
        e, bt = _bias_var_boot(m, ref, sw.teacher.Sigma, cfg.n_boot, _rng(inst, 5, j))
        est[b], boots[b] = float(e), bt
    nb = len(cfg.online_batches)
    if claim_systematic:  # false variant: bias^2 >= var for some batch size
        lo = {b: float(np.quantile(boots[b], 1 - ctx.level / nb)) for b in boots}
        reject = all(v < 1.0 for v in lo.values())
        return Check.test(reject=reject, p_value=max(float(np.mean(boots[b] >= 1)) for b in boots),
                          level=ctx.level, measured=est, predicted=">= 1", upper_bounds=lo)
    a = ctx.level / nb
    ub = {b: float(np.quantile(boots[b], 1 - a)) for b in boots}
    lb = {b: float(np.quantile(boots[b], a)) for b in boots}
    bmax = max(cfg.online_batches)
    diff = boots[1] - boots[bmax]
    d_lo, d_hi = np.quantile(diff, [ctx.level / 2, 1 - ctx.level / 2])
    reject = any(v > 1.0 for v in lb.values())
    supports = all(v < 1.0 for v in ub.values())
    return Check.test(reject=reject, p_value=float(max(np.mean(boots[b] >= 1) for b in boots)),
                      level=ctx.level, supports=supports, measured=est, predicted="< 1",
                      margin=float(1 - max(ub.values())), upper_bounds=ub,
                      diff_b1_minus_bmax_ci=(float(d_lo), float(d_hi)))


@dln_online_fluctuation_dominated.false_variant(
    "online_deviation_systematic",
    "The online deviation from the noiseless path is systematic, as offline: bias^2 >= var for some "
    "batch size.")
def _(inst: dict, ctx: Context) -> Check:
    return _fluctuation(inst, ctx, claim_systematic=True)


@functools.lru_cache(maxsize=8)
def _fine_gd(seed: int, cfg: SweepConfig) -> ArmResult:
    """Population GD at eta/4, run until it has passed every online level (cached)."""
    sw = online_sweep(seed, cfg)
    last = np.nanmax(sw.runs["gd"].matched_step)
    steps = int(4 * math.ceil(last if math.isfinite(last) else sw.steps) * 1.1) + 10
    return train_online(sw.teacher, [Arm(None, lr=cfg.eta / 4)], lr=cfg.eta, n_steps=steps,
                        n_replicas=1, seed=seed, levels=cfg.online_levels)[0]


def _flow_proxy_ratio(inst: dict, ctx: Context) -> tuple[float, dict[str, Any]] | Check:
    sw = _sweeps(inst, ctx, "online")
    cfg = config(ctx)
    fine = _fine_gd(int(inst["seed"]), cfg)
    if not np.all(fine.reached()):
        return Check.inconclusive("GD at eta/4 did not reach every level")
    rho_disc = normalised_distance(fine.matched[0], sw.runs["gd"].matched[0], sw.teacher.Sigma,
                                   sw.levels)
    bmax = max(cfg.online_batches)
    rho, dropped = _complete(matched_rho(sw.runs[f"b{bmax}"], sw.runs["gd"], sw.teacher.Sigma))
    if rho.shape[0] < 4:
        return Check.inconclusive(f"B={bmax}: too many replicas missed a level")
    boot = _bootstrap_means(rho, cfg.n_boot, _rng(inst, 6))  # (n_boot, L)
    lcb = np.quantile(boot, ctx.level, axis=0)
    ratio = float(np.max(rho_disc / lcb))
    return ratio, {"rho_gd_eta_vs_eta4": rho_disc.tolist(), "rho_sgd_bmax_lcb": lcb.tolist(),
                   "bmax": bmax, "levels": sw.levels.tolist()}


@claim(
    id="online_noise.gd_flow_proxy",
    paper=PAPER,
    status="empirical",
    kind="upper_bound",
    statement=r"Control: population GD at $\eta$ is a valid proxy for the noiseless flow. At every "
              r"matched level, the normalised distance between GD at $\eta$ and at $\eta/4$ is below "
              r"a tenth of the (lower confidence bound of the) SGD distance at the largest batch.",
    tolerance="Factor 10 ('far below'); the SGD side uses the replica-bootstrap lower percentile "
              "bound at level ctx.level per level (conservative for the claim). Measured ratios are "
              "~1e-3, so the factor is not tuned. If this failed, the online claims would compare "
              "SGD with a discretised path rather than with the flow.",
    **_DLN_COMMON,
)
def gd_flow_proxy(inst: dict, ctx: Context) -> Check:
    """Run population GD at eta/4 and compare its matched iterates with GD at eta."""
    return _flow_proxy_check(inst, ctx, Check.upper)


def _flow_proxy_check(inst: dict, ctx: Context, compare: Callable[..., Check]) -> Check:
    """``compare(ratio, 0.1, **evidence)`` (``Check.upper`` or ``Check.lower``) on the flow-proxy
    ratio, or the inconclusive check of :func:`_flow_proxy_ratio`."""
    out = _flow_proxy_ratio(inst, ctx)
    if isinstance(out, Check):
        return out
    ratio, details = out
    return compare(ratio, 0.1, **details)


@gd_flow_proxy.false_variant(
    "discretisation_comparable_to_noise",
    "GD's discretisation gap is comparable to the largest batch's noise (ratio >= 1/10).")
def _(inst: dict, ctx: Context) -> Check:
    return _flow_proxy_check(inst, ctx, Check.lower)


# ===================================================================================== figures
@dln_online_golden_path_flat.add_figures
def _figures(ctx: Context, directory: str) -> list[str]:
    """rho(l) against l (log-log), online and offline, one curve per batch size; m(t) per step and
    per sample; final loss against the switch step."""
    from pathlib import Path

    from theorems.core.io import pyplot, save_figure

    plt = pyplot()
    cfg = config(ctx)
    seed = 0
    on, off = online_sweep(seed, cfg), offline_sweep(seed, cfg)
    out: list[str] = []
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    data: dict[str, Any] = {"seed": seed, "convention": "P: loss (x.beta-y)^2/4, eta=0.04; "
                            "levels in MSE"}
    for ax, sw, name, batches in ((axes[0], on, "online", cfg.online_batches),
                                  (axes[1], off, "offline", cfg.offline_batches)):
        data[name] = {"levels": sw.levels.tolist()}
        for b in batches:
            rho = matched_rho(sw.runs[f"b{b}"], sw.runs["gd"], sw.teacher.Sigma)
            mean = np.nanmean(rho, axis=0)
            se = np.nanstd(rho, axis=0, ddof=1) / np.sqrt(np.sum(np.isfinite(rho), axis=0))
            ax.errorbar(sw.levels, mean, yerr=se, marker="o", ms=3, label=f"B = {b}")
            data[name][f"b{b}"] = mean.tolist()
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.invert_xaxis()
        ax.set_xlabel("matched loss level (population MSE)" if name == "online"
                      else "matched loss level (train MSE)")
        ax.set_title(f"{name}: distance to GD at equal loss")
        ax.legend()
    axes[0].set_ylabel(r"$\rho = D/\ell$")
    fig.tight_layout()
    out += save_figure(fig, Path(directory) / "online_noise_rho_vs_loss", data)

    fig, axes = plt.subplots(1, 4, figsize=(19, 4))
    curves: dict[str, Any] = {}
    steps = np.arange(on.steps + 1)
    for key in ["gd"] + [f"b{b}" for b in cfg.online_batches]:
        r = on.runs[key]
        geo = np.exp(np.log(r.mse).mean(axis=1))
        B = 1 if key == "gd" else int(key[1:])
        axes[0].loglog(steps[1:], geo[1:], label=key)
        if key != "gd":
            axes[1].loglog(steps[1:] * B, geo[1:], label=key)
        curves[key] = geo[:: max(1, on.steps // 200)].tolist()
    axes[0].set_xlabel("step")
    axes[1].set_xlabel("samples N = tB")
    for ax, title in ((axes[0], "online, per step"), (axes[1], "online, per sample")):
        ax.set_ylabel("population MSE (geometric mean)")
        ax.set_title(title)
        ax.legend()
    taus, finals = _switch_finals(on, cfg)
    geo = [float(np.exp(f.mean())) for f in finals]
    axes[2].plot(np.array(taus) / on.steps, geo, marker="o")
    axes[2].set_yscale("log")
    axes[2].set_xlabel(r"switch to population GD at $\tau/T$")
    axes[2].set_ylabel("final population MSE (geometric mean)")
    axes[2].set_title("online: switching earlier never hurts")
    taus_off, finals_off = _offline_switch_finals(off, cfg)
    off_means = [float(f.mean()) for f in finals_off]
    axes[3].plot(np.array(taus_off) / off.steps, off_means, marker="o", color="C3")
    axes[3].set_xlabel(r"switch to full-batch GD at $\tau/T$")
    axes[3].set_ylabel("final test MSE (mean)")
    axes[3].set_title("offline: noise kept longer ends better")
    fig.tight_layout()
    out += save_figure(fig, Path(directory) / "online_noise_loss_curves",
                       {"curves_every": max(1, on.steps // 200), "curves": curves,
                        "switch_tau": taus, "switch_final": geo,
                        "offline_switch_tau": taus_off, "offline_switch_final": off_means})
    return out
