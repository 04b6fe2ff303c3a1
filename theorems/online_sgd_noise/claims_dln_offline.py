"""Offline diagonal-network claims (the positive control, Pesme et al. 2021): offline SGD noise changes
the solution, the matched-loss distance forks (rho ~ 1/l), and keeping the noise longer ends better.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from sim.online_training import (
    bias_variance,
)
from theorems import Check, Context, claim
from theorems.online_sgd_noise import PAPER, PESME
from theorems.online_sgd_noise.formulas import _bias_var_boot, _t_less
from theorems.online_sgd_noise.simulations import (
    _DLN_OFFLINE,
    FLAT_BAND,
    FORK_THRESHOLD,
    SWITCH_SLACK,
    Sweep,
    _offline_fits,
    _offline_switch_finals,
    _on_sweep,
    _rng,
    _slope_band_check,
    _sweeps,
    _switch_order,
    _test_at_level,
    config,
)


@claim(
    id="online_noise.dln_offline_noise_changes_solution",
    # a bootstrap p-value from 4000 resamples is at least 1/4001: it cannot resolve 0.001 / 3 / 2
    error_rate=0.01,
    paper=PESME,
    status="empirical",
    kind="comparison",
    statement=r"Offline (multi-epoch on $n<d$ fixed samples), diagonal network: batch-1 SGD ends at a "
    r"different interpolant than GD, with a smaller $\|\beta\|_1$, and the deviation is "
    r"systematic: across replicas $\mathrm{bias}^2 > \mathrm{var}$ at the endpoint (C5; "
    r"consistent with Pesme et al.'s effective-init shrinkage). The test MSE is usually lower than "
    r"GD's but not always: on draw 2 of --seed 1 (dev) it is 4% higher (1.017 vs 0.976, p = 1e-7) "
    r"while the l1 norm is smaller, so a lower test MSE is reported, not asserted.",
    tolerance="Two one-sided tests at ctx.level/2 each (Bonferroni; family error 0.01): a t-test of "
    "the replicas' ||beta||_1 against GD's (deterministic) value, and a replica bootstrap of "
    "bias^2 - var. Holds only if both are significant; a significant opposite sign falsifies; "
    "otherwise inconclusive. The test-MSE comparison (one-sided t-tests both ways) is in the "
    "details. Precondition: GD's test MSE >= 1% of the initial MSE, else inconclusive.",
    **_DLN_OFFLINE,
)
@_on_sweep("offline")
def dln_offline_noise_changes_solution(sw: Sweep, inst: dict, ctx: Context) -> Check:
    """Offline sweep; compare the B = 1 endpoints with GD's (l1 norm, bias/variance; test MSE
    reported)."""
    gd, sgd = sw.runs["gd"], sw.runs["b1"]
    p_test = _t_less(sgd.test_mse, gd.test_mse[0])
    p_test_opp = _t_less(-sgd.test_mse, -gd.test_mse[0])
    l1, l1_gd = np.abs(sgd.beta).sum(axis=1), float(np.abs(gd.beta[0]).sum())
    p_l1 = _t_less(l1, l1_gd)
    p_l1_opp = _t_less(-l1, -l1_gd)
    bias2, var = bias_variance(sgd.beta, gd.beta[0], sw.teacher.Sigma)
    S = sgd.beta.shape[0]
    _, boot = _bias_var_boot(
        sgd.beta[:, None, :], gd.beta[0][None], sw.teacher.Sigma, config(ctx).n_boot, _rng(inst, ctx, 1)
    )
    p_bv = float((np.sum(boot <= 1) + 1) / (boot.size + 1))  # bootstrap p for bias^2 > var
    p_bv_opp = float((np.sum(boot >= 1) + 1) / (boot.size + 1))
    a = ctx.level / 2
    reject = min(p_l1_opp, p_bv_opp) < a
    supports = max(p_l1, p_bv) < a
    return Check.test(
        reject=reject,
        p_value=min(p_l1_opp, p_bv_opp),
        level=ctx.level,
        supports=supports,
        p_support=max(p_l1, p_bv),
        p_test_mse_higher=p_test_opp,
        measured=float(sgd.test_mse.mean()),
        predicted=float(gd.test_mse[0]),
        margin=float(gd.test_mse[0] - sgd.test_mse.mean()),
        test_mse_gd=float(gd.test_mse[0]),
        test_mse_b1_mean=float(sgd.test_mse.mean()),
        test_mse_b1_sd=float(sgd.test_mse.std(ddof=1)),
        l1_gd=l1_gd,
        l1_b1_mean=float(l1.mean()),
        bias2=bias2,
        var=var,
        p_values={"test_mse_lower": p_test, "l1": p_l1, "bias_gt_var": p_bv},
        test_mse_by_batch={k: float(r.test_mse.mean()) for k, r in sw.runs.items()},
        replicas=S,
    )


@dln_offline_noise_changes_solution.false_variant(
    "offline_noise_harmless",
    "Offline SGD noise leaves the solution unchanged: test MSE(B=1) equals GD's (two-sided t-test).",
)
def _(inst: dict, ctx: Context) -> Check:
    sw = _sweeps(inst, ctx, "offline")
    gd, sgd = sw.runs["gd"], sw.runs["b1"]
    p = float(stats.ttest_1samp(sgd.test_mse, gd.test_mse[0]).pvalue)
    return _test_at_level(p, ctx, measured=float(sgd.test_mse.mean()), predicted=float(gd.test_mse[0]))


@claim(
    id="online_noise.dln_offline_fork",
    statistical=True,
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
    **_DLN_OFFLINE,
)
@_on_sweep("offline")
def dln_offline_fork(sw: Sweep, inst: dict, ctx: Context) -> Check:
    """Offline sweep; bootstrap the slope of log mean rho vs log l over the last two decades."""
    fits = _offline_fits(sw, inst, ctx)
    return _slope_band_check(fits, -math.inf, FORK_THRESHOLD, ctx.level, "offline rho slope")


@dln_offline_fork.false_variant(
    "offline_rho_flat", "Offline rho(l) stays flat (slope CI inside (-1/2, 1/2)), as online."
)
def _(inst: dict, ctx: Context) -> Check:
    fits = _offline_fits(_sweeps(inst, ctx, "offline"), inst, ctx)
    return _slope_band_check(fits, *FLAT_BAND, ctx.level, "offline rho slope")


@claim(
    id="online_noise.dln_offline_switch",
    statistical=True,
    paper=PAPER,
    status="empirical",
    kind="monotone",
    statement=r"Offline, diagonal network (C4, the fork): switching batch-1 SGD to full-batch GD at "
    r"step $\tau$ locks in the solution reached so far: $\tau=0$ (pure GD) is worst, and the "
    r"final test MSE is non-increasing in $\tau$ up to late-noise wiggles smaller than a tenth "
    r"of the GD-to-SGD gap. Reducing noise early locks in a worse result, the opposite of the "
    r"online behaviour. Strict monotonicity is false: on draw 3 of --seed 3 the run switched at "
    r"$T/8$ ends 2.4e-5 (0.4% of the gap) below batch-1 SGD kept to the end (t = 15.5 over "
    r"256 replicas); such reversals were seen on 1 of 38 draws scanned, never above 0.4% of the gap.",
    tolerance="Common random numbers across tau (paired one-sided t-tests of adjacent tau > 0, a "
    "one-sample test against GD's deterministic value), Holm at ctx.level/2 for reversals; "
    "a pair of switched runs (tau, tau') is a reversal only if E[f(tau') - f(tau)] exceeds "
    "1/10 of the gap E[f(0) - f(T)] (per-replica statistic f(tau') - f(tau) - (f(0) - f(T))/10, "
    "paired), the pair (0, first tau) has no slack. 1/10 is a materiality bound (an order of "
    "magnitude below the effect), 25x the largest reversal measured, not fitted to a run. "
    "'GD is worst' (tau = T below tau = 0) at ctx.level/2 is the power condition. "
    "Precondition: the positive control (GD test MSE >= 1% of the initial MSE and B=1 "
    "significantly below it at level 0.01), else inconclusive.",
    **_DLN_OFFLINE,
)
@_on_sweep("offline")
def dln_offline_switch(sw: Sweep, inst: dict, ctx: Context) -> Check:
    """Offline sweep with switched runs; paired reversal tests on the final test MSE."""
    if _t_less(sw.runs["b1"].test_mse, sw.runs["gd"].test_mse[0]) >= 0.01:
        return Check.inconclusive("positive control absent: B=1 does not beat GD significantly")
    return _switch_order(
        *_offline_switch_finals(sw, config(ctx)), ctx.level, increasing=False, slack=SWITCH_SLACK
    )


@dln_offline_switch.false_variant(
    "early_switch_harmless_offline",
    "Switching to GD early is harmless offline: the run switched at the first tau > 0 ends no worse "
    "than batch-1 SGD kept to the end. Same draws and positive-control precondition as the claim; "
    "all 5 draws are searched (the effect is 2-48% of the gap, p from 4e-3 to 1e-14 by draw with "
    "16 replicas, so one run needs its strongest draws at a family rate of 3e-4).",
    examples={"dev": 5, "ci": 5, "thorough": 5},
)
@_on_sweep("offline")
def _(sw: Sweep, inst: dict, ctx: Context) -> Check:
    if _t_less(sw.runs["b1"].test_mse, sw.runs["gd"].test_mse[0]) >= 0.01:
        return Check.inconclusive("positive control absent: B=1 does not beat GD significantly")
    taus, finals = _offline_switch_finals(sw, config(ctx))
    p = _t_less(finals[-1] - finals[1], 0.0)  # SGD to the end significantly better (paired)
    return _test_at_level(
        p, ctx, measured=float(finals[1].mean()), predicted=float(finals[-1].mean()), tau=taus[1]
    )
