"""Online diagonal-network claims (Vyas et al., ICML 2024): the golden path (rho flat in the loss level),
rho ~ 1/B, per-step and per-sample monotonicity in B, switching to GD earlier never hurts, online SGD is
not sparser, the deviation is fluctuation-dominated, and GD at eta is on the flow's path.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from sim.online_training import (
    normalised_distance,
)
from theorems import Check, Context, claim
from theorems.online_sgd_noise import PAPER
from theorems.online_sgd_noise.formulas import (
    _bias_var_boot,
    _bootstrap_means,
    _ci,
    _complete,
    _t_less,
    holm,
    loglog_slope,
    matched_rho,
    off_support_l1,
)
from theorems.online_sgd_noise.instances import dln_problem_seed
from theorems.online_sgd_noise.simulations import (
    _DLN_COMMON,
    ALIKE_GAP,
    BATCH_BAND,
    FLAT_BAND,
    FORK_THRESHOLD,
    MAX_MISSING_FRACTION,
    Sweep,
    _fine_gd,
    _log_mse_at,
    _offline_fits,
    _on_sweep,
    _online_fit_mask,
    _online_fits,
    _rng,
    _slope_band_check,
    _sweeps,
    _switch_finals,
    _switch_order,
    _test_at_level,
    config,
)


@claim(
    id="online_noise.dln_online_golden_path_flat",
    statistical=True,
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
    "Online rho(l) grows as l falls, like offline (slope below -1/2 for every batch size).",
)
def _(inst: dict, ctx: Context) -> Check:
    fits = _online_fits(_sweeps(inst, ctx, "online"), inst, ctx)
    return _slope_band_check(fits, -math.inf, FORK_THRESHOLD, ctx.level, "online rho slope")


@dln_online_golden_path_flat.false_variant(
    "offline_online_alike",
    "Offline and online behave alike: for B=1 the log-log slopes of rho(l) (offline over its last "
    "two decades, online past the transient) differ by less than 1/2.",
)
def _(inst: dict, ctx: Context) -> Check:
    on = _online_fits(_sweeps(inst, ctx, "online"), inst, ctx)
    off = _offline_fits(_sweeps(inst, ctx, "offline"), inst, ctx, batches=(1,))
    if on[1]["boot"] is None or off[1]["boot"] is None:
        return Check.inconclusive("too many replicas missed a level")
    diff = on[1]["boot"] - off[1]["boot"]  # independent bootstraps: the difference's bootstrap
    lo, hi = _ci(diff, ctx.level)
    reject = lo > ALIKE_GAP or hi < -ALIKE_GAP
    inside = float(np.mean(np.abs(diff) < ALIKE_GAP))
    return Check.test(
        reject=reject,
        p_value=inside,
        level=ctx.level,
        supports=-ALIKE_GAP < lo and hi < ALIKE_GAP,
        measured=on[1]["slope"] - off[1]["slope"],
        predicted=0.0,
        slope_online=on[1]["slope"],
        slope_offline=off[1]["slope"],
        ci=(lo, hi),
    )


@claim(
    id="online_noise.dln_online_distance_scaling",
    statistical=True,
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
    rng = _rng(inst, ctx, 4)
    bs = [b for b in cfg.online_batches if b >= 4]
    means, boots = [], []
    for b in cfg.online_batches:
        rho, dropped = _complete(matched_rho(sw.runs[f"b{b}"], sw.runs["gd"], sw.teacher.Sigma)[:, mask])
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
    return Check.test(
        reject=chi < lo or clo > hi,
        p_value=float(np.mean((boot > lo) & (boot < hi))),
        level=ctx.level,
        supports=lo < clo and chi < hi,
        measured=est,
        predicted=-1.0,
        margin=min(clo - lo, hi - chi),
        ci=(clo, chi),
        rho_bar={int(b): m for b, m in zip(B, means, strict=True)},
        batches_fitted=bs,
        slope_all_batches=slope_all,
    )


@dln_online_distance_scaling.false_variant(
    "rho_independent_of_batch",
    "Online rho does not depend on the batch size (slope of log rho_bar vs log B inside (-1/2, 1/2)).",
)
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
            info.append(
                {"pair": (small, large), "step": int(t), "ratio_geo": float(np.exp(ll.mean() - ls.mean()))}
            )
    return np.array(pv), info


@claim(
    id="online_noise.dln_online_per_step_monotone",
    statistical=True,
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
    return Check.test(
        reject=bool(adj[worst] < ctx.level / 2),
        p_value=float(adj[worst]),
        level=ctx.level,
        supports=p_final < ctx.level / 2,
        measured=info[worst]["ratio_geo"],
        predicted=1.0,
        worst_reversal=info[worst] | {"p_holm": float(adj[worst])},
        p_final_gap=p_final,
        final_mse={
            k: float(np.exp(np.log(r.mse[-1]).mean()))
            for k, r in sw.runs.items()
            if not k.startswith("switch")
        },
    )


@dln_online_per_step_monotone.false_variant(
    "small_batch_lower_loss_per_step",
    "Online small-batch SGD reaches a lower loss per step than large batches (B=1 <= largest B at "
    "every checkpoint).",
)
def _(inst: dict, ctx: Context) -> Check:
    sw = _sweeps(inst, ctx, "online")
    cfg = config(ctx)
    bmax = f"b{max(cfg.online_batches)}"
    ck = _checkpoints(sw.steps)
    pv = np.array([_p_large_batch_ahead(sw, bmax, t) for t in ck])
    adj = holm(pv)
    i = int(np.argmin(adj))
    return Check.test(
        reject=bool(adj[i] < ctx.level),
        p_value=float(adj[i]),
        level=ctx.level,
        measured=float(
            np.exp(np.mean(_log_mse_at(sw.runs["b1"], ck[i])) - np.mean(_log_mse_at(sw.runs[bmax], ck[i])))
        ),
        predicted=1.0,
        step=int(ck[i]),
    )


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
    statistical=True,
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
    return Check.test(
        reject=bool(adj_l.min() < ctx.level),
        p_value=float(adj_l.min()),
        level=ctx.level,
        supports=bool(adj_s.max() < ctx.level),
        p_support_holm=adj_s.tolist(),
        measured=float(ratio.max()),
        predicted=1.0,
        margin=float(-np.log(ratio.max())),
        samples=Ns.tolist(),
        geo_ratio_b1_over_bmax=ratio.tolist(),
    )


@dln_online_per_sample.false_variant(
    "large_batch_more_sample_efficient",
    "Online, large batches are more sample-efficient: at equal samples the largest batch is at a "
    "loss no higher than batch 1.",
)
def _(inst: dict, ctx: Context) -> Check:
    sw = _sweeps(inst, ctx, "online")
    bmax = max(config(ctx).online_batches)
    Ns, p_small, _, ratio = _per_sample(sw, bmax)
    adj = holm(p_small)
    return Check.test(
        reject=bool(adj.min() < ctx.level),
        p_value=float(adj.min()),
        level=ctx.level,
        measured=float(ratio.min()),
        predicted=1.0,
        samples=Ns.tolist(),
    )


@claim(
    id="online_noise.dln_online_switch_earlier_never_hurts",
    statistical=True,
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
    return _switch_order(*_switch_finals(sw, config(ctx)), ctx.level, increasing=True, log_scale=True)


@dln_online_switch_earlier_never_hurts.false_variant(
    "noise_pays_off_later",
    "Online noise pays off later: batch-1 SGD kept to the end (tau = T) ends no worse than switching "
    "to GD at once (tau = 0).",
)
def _(inst: dict, ctx: Context) -> Check:
    sw = _sweeps(inst, ctx, "online")
    _, finals = _switch_finals(sw, config(ctx))
    p = _t_less(-finals[-1], -finals[0][0])
    return _test_at_level(
        p, ctx, measured=float(np.exp(finals[-1].mean())), predicted=float(np.exp(finals[0][0]))
    )


def _sparsity(sw: Sweep) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Off-support l1 of B=1 (per replica, complete replicas only), of GD and of the replica-mean
    iterate, at the matched levels past the transient."""
    b1, gd = sw.runs["b1"], sw.runs["gd"]
    mask = _online_fit_mask(sw)
    l1 = off_support_l1(b1.matched[:, mask], sw.teacher)
    l1 = l1[np.all(np.isfinite(l1), axis=1)]
    mean_beta = np.nanmean(b1.matched[:, mask], axis=0)
    return (
        l1,
        off_support_l1(gd.matched[0, mask], sw.teacher),
        off_support_l1(mean_beta, sw.teacher),
        sw.levels[mask],
    )


@claim(
    id="online_noise.dln_online_not_sparser",
    # a bootstrap p-value from 4000 resamples is at least 1/4001: it cannot resolve 0.001 / 3 / 2
    error_rate=0.01,
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
    return Check.test(
        reject=p_sparser < ctx.level / 2,
        p_value=p_sparser,
        level=ctx.level,
        supports=p_denser < ctx.level / 2,
        measured=float(np.exp(lr_end.mean())),
        predicted="> 1",
        margin=float(lr_end.mean()),
        p_denser=p_denser,
        matched_levels=lv.tolist(),
        matched_ratio_per_replica=np.exp(np.log(l1 / l1_gd).mean(axis=0)).tolist(),
        matched_ratio_mean_iterate=(l1_mean / l1_gd).tolist(),
        replicas=int(lr_end.size),
    )


def _end_sparsity_log_ratio(sw: Sweep) -> np.ndarray:
    """Per replica, log of the final off-support l1 of B=1 over GD's final one."""
    return np.log(
        off_support_l1(sw.runs["b1"].beta, sw.teacher) / off_support_l1(sw.runs["gd"].beta[0], sw.teacher)
    )


@dln_online_not_sparser.false_variant(
    "small_batch_sparser",
    "Online small-batch SGD ends at a systematically sparser solution: after the same number of "
    "steps its off-support l1 is no larger than GD's.",
)
def _(inst: dict, ctx: Context) -> Check:
    sw = _sweeps(inst, ctx, "online")
    lr_end = _end_sparsity_log_ratio(sw)
    p = _t_less(-lr_end, 0.0)
    return _test_at_level(p, ctx, measured=float(np.exp(lr_end.mean())), predicted="<= 1")


@dln_online_not_sparser.false_variant(
    "small_batch_sparser_at_matched_loss",
    "As offline (effective-init shrinkage), online batch-1 models are sparser than GD's at matched "
    "loss: off-support l1 no larger than GD's at every matched level past the transient.",
)
def _(inst: dict, ctx: Context) -> Check:
    sw = _sweeps(inst, ctx, "online")
    l1, l1_gd, _, lv = _sparsity(sw)
    lr = np.log(l1 / l1_gd)
    p = holm([_t_less(-lr[:, j], 0.0) for j in range(lv.size)])
    return Check.test(
        reject=bool(p.min() < ctx.level),
        p_value=float(p.min()),
        level=ctx.level,
        measured=np.exp(lr.mean(axis=0)).tolist(),
        predicted="<= 1",
        levels=lv.tolist(),
    )


@claim(
    id="online_noise.dln_online_fluctuation_dominated",
    statistical=True,
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
        e, bt = _bias_var_boot(m, ref, sw.teacher.Sigma, cfg.n_boot, _rng(inst, ctx, 5, j))
        est[b], boots[b] = float(e), bt
    nb = len(cfg.online_batches)
    if claim_systematic:  # false variant: bias^2 >= var for some batch size
        lo = {b: float(np.quantile(boots[b], 1 - ctx.level / nb)) for b in boots}
        reject = all(v < 1.0 for v in lo.values())
        return Check.test(
            reject=reject,
            p_value=max(float(np.mean(boots[b] >= 1)) for b in boots),
            level=ctx.level,
            measured=est,
            predicted=">= 1",
            upper_bounds=lo,
        )
    a = ctx.level / nb
    ub = {b: float(np.quantile(boots[b], 1 - a)) for b in boots}
    lb = {b: float(np.quantile(boots[b], a)) for b in boots}
    bmax = max(cfg.online_batches)
    diff = boots[1] - boots[bmax]
    d_lo, d_hi = np.quantile(diff, [ctx.level / 2, 1 - ctx.level / 2])
    reject = any(v > 1.0 for v in lb.values())
    supports = all(v < 1.0 for v in ub.values())
    return Check.test(
        reject=reject,
        p_value=float(max(np.mean(boots[b] >= 1) for b in boots)),
        level=ctx.level,
        supports=supports,
        measured=est,
        predicted="< 1",
        margin=float(1 - max(ub.values())),
        upper_bounds=ub,
        diff_b1_minus_bmax_ci=(float(d_lo), float(d_hi)),
    )


@dln_online_fluctuation_dominated.false_variant(
    "online_deviation_systematic",
    "The online deviation from the noiseless path is systematic, as offline: bias^2 >= var for some "
    "batch size.",
)
def _(inst: dict, ctx: Context) -> Check:
    return _fluctuation(inst, ctx, claim_systematic=True)


def _flow_proxy_ratio(inst: dict, ctx: Context) -> tuple[float, dict[str, Any]] | Check:
    sw = _sweeps(inst, ctx, "online")
    cfg = config(ctx)
    fine = _fine_gd(dln_problem_seed(inst, ctx.seed), cfg)
    if not np.all(fine.reached()):
        return Check.inconclusive("GD at eta/4 did not reach every level")
    rho_disc = normalised_distance(fine.matched[0], sw.runs["gd"].matched[0], sw.teacher.Sigma, sw.levels)
    bmax = max(cfg.online_batches)
    rho, dropped = _complete(matched_rho(sw.runs[f"b{bmax}"], sw.runs["gd"], sw.teacher.Sigma))
    if rho.shape[0] < 4:
        return Check.inconclusive(f"B={bmax}: too many replicas missed a level")
    boot = _bootstrap_means(rho, cfg.n_boot, _rng(inst, ctx, 6))  # (n_boot, L)
    lcb = np.quantile(boot, ctx.level, axis=0)
    ratio = float(np.max(rho_disc / lcb))
    return ratio, {
        "rho_gd_eta_vs_eta4": rho_disc.tolist(),
        "rho_sgd_bmax_lcb": lcb.tolist(),
        "bmax": bmax,
        "levels": sw.levels.tolist(),
    }


@claim(
    id="online_noise.gd_flow_proxy",
    statistical=True,
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
    "GD's discretisation gap is comparable to the largest batch's noise (ratio >= 1/10).",
)
def _(inst: dict, ctx: Context) -> Check:
    return _flow_proxy_check(inst, ctx, Check.lower)
