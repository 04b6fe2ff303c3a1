"""The simulations the SGD-noise claims share: the diagonal-network sweeps (memoised, one per problem
draw and profile), the least-squares Monte Carlo runs, and the slope fits, bands and preconditions
the diagonal-network claims have in common.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.online_training import (
    Arm,
    ArmResult,
    Teacher,
    ls_min_norm_interpolant,
    sparse_teacher,
    train_offline,
    train_online,
)
from theorems import Check, Context
from theorems.online_sgd_noise.formulas import _ci, _complete, _t_less, bootstrap_slopes, holm, matched_rho
from theorems.online_sgd_noise.instances import _ls_offline, _LSOnline, dln_instances, dln_problem_seed

# Slope bands sit half-way between competing theoretical values (not tuned): -1/2 separates the
# offline asymptote rho ~ 1/l (slope -1) from the golden-path value 0; the batch-scaling band is
# +-1/2 around the predicted rho ~ 1/B and excludes 0.
FLAT_BAND = (-0.5, 0.5)
FORK_THRESHOLD = -0.5
BATCH_BAND = (-1.5, -0.5)
ALIKE_GAP = 0.5
# Offline switch: reversals between switched runs allowed up to 1/10 of the GD-to-SGD gap (a
# materiality bound; the largest measured reversal is 0.4% of the gap, on 1 draw of 38).
SWITCH_SLACK = 0.1
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
    "dev": SweepConfig(
        d=40,
        k=3,
        n=16,
        eta=0.04,
        alpha=0.1,
        replicas=16,
        online_steps=2500,
        online_batches=(1, 4, 16),
        switch_fracs=(1 / 40, 1 / 8),
        online_levels=_geom(1e-2, 3e-4, 7),
        offline_steps=8000,
        offline_batches=(1, 4),
        offline_levels=_geom(1e-2, 1e-6, 13),
        n_boot=4000,
    ),
    "thorough": SweepConfig(
        d=100,
        k=5,
        n=40,
        eta=0.04,
        alpha=0.1,
        replicas=32,
        online_steps=4000,
        online_batches=(1, 4, 16, 64),
        switch_fracs=(1 / 80, 1 / 20, 1 / 4),
        online_levels=_geom(1e-2, 3e-4, 7),
        offline_steps=12000,
        offline_batches=(1, 2, 4, 10),
        offline_levels=_geom(1e-2, 1e-6, 13),
        n_boot=4000,
    ),
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


def _sweep_arms(
    batches: tuple[int, ...], switch_fracs: tuple[float, ...], n_steps: int
) -> tuple[list[str], list[Arm]]:
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
    res = train_online(
        t, arms, lr=cfg.eta, n_steps=T, n_replicas=cfg.replicas, seed=seed, levels=cfg.online_levels
    )
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
    res = train_offline(
        t,
        X,
        arms,
        lr=cfg.eta,
        n_steps=cfg.offline_steps,
        n_replicas=cfg.replicas,
        seed=seed,
        levels=cfg.offline_levels,
    )
    return Sweep(t, dict(zip(names, res, strict=True)), np.asarray(cfg.offline_levels), cfg.offline_steps, X)


def _sweeps(inst: dict, ctx: Context, which: str) -> Sweep:
    cfg = config(ctx)
    seed = dln_problem_seed(inst, ctx.seed)
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


def _test_at_level(p: float, ctx: Context, **evidence: Any) -> Check:
    """One test of the claim at the instance level: falsified if ``p < ctx.level``, else holds."""
    return Check.test(reject=p < ctx.level, p_value=p, level=ctx.level, **evidence)


def _log_mse_at(run: ArmResult, step: int) -> np.ndarray:
    return np.log(run.mse[step])


def _rng(inst: dict, ctx: Context, *keys: int) -> np.random.Generator:
    """The bootstrap generator of an instance (from its problem seed and ``keys``)."""
    seed = dln_problem_seed(inst, ctx.seed)
    return np.random.default_rng(np.random.SeedSequence([seed, 99, *keys]))


def _slopes_by_batch(
    sw: Sweep, batches: tuple[int, ...], level_mask: Any, n_boot: int, inst: dict, ctx: Context, tag: int
) -> dict[int, dict[str, Any]]:
    """Per batch size, the slope of log mean rho against log l and its bootstrap. ``level_mask`` is
    a boolean mask over the levels or a function ``(sweep, run) -> mask | None`` (``None``: no valid
    window, the fit is reported as missing)."""
    out = {}
    ref = sw.runs["gd"]
    for j, b in enumerate(batches):
        run = sw.runs[f"b{b}"]
        mask = level_mask(sw, run) if callable(level_mask) else level_mask
        if mask is None or mask.sum() < 3:
            out[b] = {
                "dropped": None,
                "slope": math.nan,
                "boot": None,
                "reason": "the runs did not get two decades below the first level",
            }
            continue
        rho, dropped = _complete(matched_rho(run, ref, sw.teacher.Sigma)[:, mask])
        if rho.shape[0] < (1 - MAX_MISSING_FRACTION) * (rho.shape[0] + dropped) or rho.shape[0] < 4:
            out[b] = {
                "dropped": dropped,
                "slope": math.nan,
                "boot": None,
                "reason": "too many replicas missed a level",
            }
            continue
        est, boot = bootstrap_slopes(rho, sw.levels[mask], n_boot, _rng(inst, ctx, tag, j))
        out[b] = {
            "dropped": dropped,
            "slope": est,
            "boot": boot,
            "rho_mean": rho.mean(axis=0),
            "window": (float(sw.levels[mask][0]), float(sw.levels[mask][-1])),
        }
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


def _ls_monte_carlo(pb: _LSOnline, inst: dict, ctx: Context) -> ArmResult:
    """Batch-``b_small`` online SGD with 2000 (dev, ci) / 8000 (thorough) replicas."""
    S = ctx.pick(dev=2000, ci=2000, thorough=8000)
    return train_online(
        pb.teacher,
        [Arm(pb.b_small, replicas=S)],
        lr=pb.lr,
        n_steps=pb.steps,
        n_replicas=S,
        seed=int(inst["seed"]),
        model="linear",
    )[0]


def _ls_offline_runs(inst: dict, ctx: Context) -> tuple[Teacher, np.ndarray, list[ArmResult], np.ndarray]:
    t, X, lr_sgd, lr_gd, b, steps = _ls_offline(inst)
    res = train_offline(
        t,
        X,
        [Arm(None, lr=lr_gd), Arm(b, replicas=8)],
        lr=lr_sgd,
        n_steps=steps,
        n_replicas=8,
        seed=int(inst["seed"]),
        model="linear",
    )
    target = ls_min_norm_interpolant(X, X @ t.beta_star, t.beta0)
    return t, X, res, target


_DLN_ASSUMPTIONS = (
    "x ~ N(0, Sigma), Sigma_ij = 0.5^|i-j|; k-sparse teacher with +-1 entries; shared "
    "init w+-(0) = 0.1 (1 + 0.3 xi); eta = 0.04 (P-convention); dev/ci: d, k, n = "
    "40, 3, 16, 16 replicas; thorough: 100, 5, 40, 32 replicas. One instance = one of the run's "
    "problem draws (the problem seed derives from --seed and the draw index; the claims of the "
    "family share the draws and their sweeps); replicas are the statistical unit."
)
# Online: 3 draws per run, each must be conclusive (online claims held on all 12 draws scanned).
_DLN_COMMON = dict(
    strategy=dln_instances(3),
    examples={"dev": 3, "ci": 3, "thorough": 3},
    assumptions=_DLN_ASSUMPTIONS,
)
# Offline: 3 conclusive of 5 draws. The offline effect is absent on ~1 draw in 6 (seeds 3 and 11 of
# 0-11 at dev: B=1 and GD end at the same test MSE), and such a draw is inconclusive, not a pass.
_DLN_OFFLINE = dict(
    strategy=dln_instances(5),
    examples={"dev": 3, "ci": 3, "thorough": 5},
    assumptions=_DLN_ASSUMPTIONS + " Offline: 5 draws per run, 3 conclusive needed.",
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


def _slope_band_check(
    fits: dict[int, dict[str, Any]], lo: float, hi: float, level: float, what: str
) -> Check:
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
    return Check.test(
        reject=reject,
        p_value=min(pv),
        level=level,
        supports=supports,
        measured={b: f["slope"] for b, f in fits.items()},
        predicted=[lo, hi],
        margin=margin,
        cis=cis,
        what=what,
        dropped={b: f["dropped"] for b, f in fits.items()},
        windows={b: f["window"] for b, f in fits.items()},
    )


def _switch_runs(sw: Sweep, cfg: SweepConfig) -> tuple[list[int], list[ArmResult]]:
    """The switch steps ``tau`` in increasing order (0: GD, T: batch-1 SGD throughout) and the
    run of each."""
    taus = [0] + [int(round(f * sw.steps)) for f in cfg.switch_fracs] + [sw.steps]
    runs = [sw.runs["gd"]] + [sw.runs[f"switch{i}"] for i in range(len(cfg.switch_fracs))] + [sw.runs["b1"]]
    return taus, runs


def _offline_switch_finals(sw: Sweep, cfg: SweepConfig) -> tuple[list[int], list[np.ndarray]]:
    """Final test MSE against the switch step (offline)."""
    taus, runs = _switch_runs(sw, cfg)
    return taus, [r.test_mse for r in runs]


def _switch_order(
    taus: list[int],
    finals: list[np.ndarray],
    level: float,
    *,
    increasing: bool,
    log_scale: bool = False,
    slack: float = 0.0,
) -> Check:
    """Monotone order of final losses in tau (paired tests; tau = 0 is deterministic). With
    ``log_scale`` the finals are log-losses and the reported means are geometric means.

    ``slack`` (a fraction of the tau = 0 to tau = T gap) is the reversal allowed between two switched
    runs (tau > 0): the pair (early, late) is a reversal only if ``sgn (late - early)`` is below
    ``-slack`` times the per-replica gap ``sgn (finals[-1] - finals[0])``; the per-replica statistic
    ``sgn (late - early) + slack * sgn (finals[-1] - finals[0])`` is t-tested against 0 (one-sided,
    paired: common random numbers). The pair (tau = 0, first tau) gets no slack."""
    sgn = 1.0 if increasing else -1.0  # claimed sign of (later - earlier)
    gap = sgn * (finals[-1] - finals[0][0])  # per replica, > 0 when the end run is on the good side
    pv = []
    for early, late in zip(finals[:-1], finals[1:], strict=True):
        if early.size > 1:
            x = sgn * (late - early) + slack * gap
        else:
            x = sgn * (late - early[0])
        pv.append(_t_less(x, 0.0))  # reversal: significantly the wrong sign (beyond the slack)
    adj = holm(pv)
    p_end = _t_less(-gap, 0.0)
    means = [float(np.exp(f.mean())) if log_scale else float(f.mean()) for f in finals]
    gain = means[0] - means[-1]
    locked = [(means[0] - m) / gain if gain else math.nan for m in means]
    word = "non-decreasing" if increasing else "non-increasing"
    return Check.test(
        reject=bool(adj.min() < level / 2),
        p_value=float(adj.min()),
        level=level,
        supports=p_end < level / 2,
        p_support=p_end,
        measured=means,
        predicted=f"{word} in tau" + (f" up to {slack:g} of the gap between tau > 0" if slack else ""),
        taus=taus,
        p_reversal_holm=adj.tolist(),
        p_end_gap=p_end,
        slack=slack,
        fraction_of_gap_at_tau=locked,
    )


def _online_fits(sw: Sweep, inst: dict, ctx: Context) -> dict[int, dict[str, Any]]:
    """Online rho slopes per batch size over the levels past the transient."""
    cfg = config(ctx)
    return _slopes_by_batch(sw, cfg.online_batches, _online_fit_mask(sw), cfg.n_boot, inst, ctx, 3)


def _offline_fits(
    sw: Sweep, inst: dict, ctx: Context, batches: tuple[int, ...] | None = None
) -> dict[int, dict[str, Any]]:
    """Offline rho slopes per batch size (default: every offline batch) over the last two decades."""
    cfg = config(ctx)
    return _slopes_by_batch(
        sw, cfg.offline_batches if batches is None else batches, _offline_fit_mask, cfg.n_boot, inst, ctx, 2
    )


def _switch_finals(sw: Sweep, cfg: SweepConfig) -> tuple[list[int], list[np.ndarray]]:
    """Final log population MSE against the switch step (online)."""
    taus, runs = _switch_runs(sw, cfg)
    return taus, [np.log(r.mse[-1]) for r in runs]


@functools.lru_cache(maxsize=8)
def _fine_gd(seed: int, cfg: SweepConfig) -> ArmResult:
    """Population GD at eta/4, run until it has passed every online level (cached)."""
    sw = online_sweep(seed, cfg)
    last = np.nanmax(sw.runs["gd"].matched_step)
    steps = int(4 * math.ceil(last if math.isfinite(last) else sw.steps) * 1.1) + 10
    return train_online(
        sw.teacher,
        [Arm(None, lr=cfg.eta / 4)],
        lr=cfg.eta,
        n_steps=steps,
        n_replicas=1,
        seed=seed,
        levels=cfg.online_levels,
    )[0]
