r"""Stochastic-gradient-flow claims of Pesme, Pillaud-Vivien, Flammarion (2021), in the paper's order.

The SGF $dw_\pm = \mp\nabla L\,w_\pm dt \pm 2\sqrt{\gamma L/n}\,w_\pm\odot X^\top dB$ (Itô): the identity
$w_+w_- = \alpha_t^2$ with $\alpha_t = \alpha\exp(-2\gamma\,\mathrm{diag}(X^\top X/n)\int_0^tL)$
(``pesme2021.sgf.ito_product``), its absence under Stratonovich calculus (``sgf.stratonovich_is_gf``),
the main theorem -- SGF converges to $\arg\min_{X\beta=y}\phi_{\alpha_\infty}$ (``sgf.implicit_bias``) --
the benefit of the shrink (``sgf.benefit``) and the weak approximation of SGD (``sgf.matches_sgd``).
Each claim is followed by its false variants. Registered when
:mod:`theorems.diagonal_networks.claims` is imported.
"""

from __future__ import annotations

import numpy as np

from sim.diagonal_kernels import _noise_dimension, run_sgf
from theorems import Check, claim
from theorems.diagonal_networks import PAPER
from theorems.diagonal_networks import instances as strat
from theorems.diagonal_networks.formulas import potential
from theorems.diagonal_networks.instances import _P_CONV, _key, setup
from theorems.diagonal_networks.simulations import (
    _noise_seed,
    _sgf_ladder_cached,
    _sgf_limit,
    implicit_for,
)


def _fit_slope(hs: list[float], errs: list[float]) -> float:
    lh, le = np.log(np.asarray(hs)), np.log(np.maximum(np.asarray(errs), 1e-300))
    return float(np.polyfit(lh, le, 1)[0])


# ------------------------------------------------------------------------------ SGF: Itô product
_ITO_STRATEGY = strat.sparse_instance(
    n=(4, 10), a=(0.3, 1.0), f=(0.5, 2.0), spread=(0.0, 0.4), col_scale=(0.0, 1.0)
)


_ITO_LEVELS = (2, 8, 32, 128)  # h = gamma/2 ... gamma/128 on one Brownian path
_ITO_HORIZON = 30  # SDE time in units of gamma (the shrink accrues early: L decays)
# The band of the fitted slope, derived (see _ito_check): the leading error of EM in ln(w+ w-) is
# the martingale sum_k s_k^2 (dB_k^2 - h), of size h^(1/2) on each path; the next terms (the drift
# cross term, sum g^2 h^2, the u^4 terms) are O(h). Per path the error is h^(1/2) Z_h with Z_h
# converging in law, so the median over paths of the per-path (max over coordinates) error is
# ~ c1 h^(1/2) + c2 h and its fitted slope lies in [1/2, 1] in the asymptotic regime. The median,
# not the RMS: near the stability edge (f = 2) rare paths explode (loss integral 40x the mean) and
# dominate the RMS over R paths; on thorough's counterexample (ITO_CE in the tests) the RMS over 32
# paths plateaued at ~3e-5 (slope 0.17), while over 256 paths and levels to gamma/2048 the median
# halved at every level (ratios 2.1, 2.2, 2.1, 1.9: no floor). A level is in the asymptotic regime
# when its error is below half the effect (an error comparable to the effect is not a small-h
# expansion: at f = 2 the level h = gamma/8 was 3.5x the effect on one instance, and fitting it gave
# 1.81); the slope is fitted over those levels (at least 2, else inconclusive). The band adds 0.25
# on each side for the sampling error of the median over R paths: over 80 random instances of the
# strategy the median slopes were 0.35-0.96 (s.d. 0.11) at R = 8, 0.42-0.77 (s.d. 0.064) at R = 16,
# 0.41-0.78 (0.061) at R = 24, 0.46-0.70 (0.053) at R = 32 (the RMS: 0.29-0.80 at R = 8), so 0.25
# is >= 4.8 s.d. below the mean from R = 16 on. Wrong identities plateau at their bias: slope ~0.
_ITO_BAND = (0.25, 1.25)


def _ito_ladder(inst: dict, scheme: str, noise: str, R: int, K: int, levels=_ITO_LEVELS):
    """One Brownian path per replica, integrated at each h = gamma / level (coarsened increments)."""
    from sim.noise import BrownianPath, coarsen

    data, alpha, gamma = setup(inst)
    m = _noise_dimension(noise, data.n, data.d)
    hmin = gamma / max(levels)
    fine = BrownianPath(_noise_seed(inst, 3), R, m, hmin).fine(K * max(levels))
    runs = {}
    for lv in levels:
        stride = max(levels) // lv
        runs[lv] = run_sgf(
            data.X,
            data.y,
            alpha,
            gamma,
            hmin * stride,
            K * lv,
            n_replicas=R,
            increments=coarsen(fine, stride),
            scheme=scheme,
            noise=noise,
        )
    return data, alpha, gamma, runs


def _ito_check(inst: dict, ctx, *, scheme="euler_maruyama", noise="paper", sign=-2.0, gram=False) -> Check:
    R = ctx.pick(dev=16, ci=24, thorough=32)
    data, alpha, gamma, runs = _ito_ladder(inst, scheme, noise, R, _ITO_HORIZON)
    if any(run.diverged.any() for run in runs.values()):
        return Check.inconclusive("an EM path diverged (scheme instability at the coarse level)")
    shape = (data.X.T @ data.X).sum(axis=1) / data.n if gram else data.diag
    hs, med, rms, effect = [], [], [], 0.0
    for lv, run in sorted(runs.items()):
        pred = sign * gamma * np.outer(run.loss_integral, shape)
        # per path: the max over coordinates; then the median over the paths (a strong error that
        # rare explosive paths cannot dominate; the RMS is kept as evidence)
        per_path = np.max(np.abs(run.log_shrink - pred), axis=1)
        med.append(float(np.median(per_path)))
        rms.append(float(np.sqrt(np.mean(per_path**2))))
        hs.append(gamma / lv)
        eff = np.max(np.abs(2.0 * gamma * np.outer(run.loss_integral, data.diag)), axis=1)
        effect = max(effect, float(np.median(eff)))
    fine_err = med[int(np.argmin(hs))]
    lo, hi = _ITO_BAND
    m_size = (0.5 * effect - fine_err) / max(effect, 1e-300)
    asymptotic = [k for k in range(len(hs)) if med[k] < 0.5 * effect]
    if m_size >= 0 and len(asymptotic) < 2:
        return Check.inconclusive("fewer than 2 levels with an error below half the effect")
    # A finest error above half the effect is a violation whatever the slope (the identity says the
    # error vanishes); its slope is then fitted over all levels, for the record.
    fit = asymptotic if len(asymptotic) >= 2 else list(range(len(hs)))
    slope = _fit_slope([hs[k] for k in fit], [med[k] for k in fit])
    margin = min(slope - lo, hi - slope, m_size)
    return Check(
        bool(margin >= 0),
        measured={"median_slope": slope, "median_err_finest": fine_err},
        predicted={"median_slope": f"[{lo}, {hi}]", "median_err_finest": f"<= {0.5 * effect:.3g}"},
        margin=margin,
        tolerance=0.25,
        details={
            "h": hs,
            "median_errors": med,
            "rms_errors": rms,
            "effect": effect,
            "R": R,
            "fitted_levels": fit,
        },
    )


@claim(
    id="pesme2021.sgf.ito_product",
    paper=PAPER,
    status="derived",
    kind="equality",
    statement=r"Along the Itô SGF $dw_\pm=\mp\frac1n(X^\top r)\odot w_\pm dt\pm2\sqrt{\gamma L/n}\,"
    r"w_\pm\odot X^\top dB_t$ (one $n$-dimensional Brownian motion), pathwise "
    r"$w_+\odot w_-=\alpha_t^2$ with $\alpha_t=\alpha\odot\exp(-2\gamma\,\mathrm{diag}"
    r"(X^\top X/n)\int_0^tL\,ds)$.",
    strategy=_ITO_STRATEGY,
    tolerance="Euler-Maruyama on w over the ladder h = gamma/2, gamma/8, gamma/32, gamma/128 on ONE "
    "Brownian path per replica (30 gamma of SDE time), R = 16 paths (24 ci, 32 thorough): the MEDIAN "
    "over the paths of the max error of ln(w+ w- / alpha^2)/2 against the formula must decay with "
    "slope in [0.25, 1.25], fitted over the levels in the asymptotic regime (error below half the "
    "effect; at least 2), and be below half the effect at the finest h. Band derived: EM's "
    "error in ln(w+ w-) is -sum_k s_k^2 (dB_k^2 - h) (a martingale, h^(1/2) per path) plus O(h) "
    "terms (ln(1+u) + ln(1-u) = -u^2 - u^4/2 - ..., u = -g h + s dB), so the slope lies in "
    "[1/2, 1] in the asymptotic regime; +-0.25 for the sampling error of the median over paths "
    "(slopes 0.42-0.77, s.d. 0.064, over 80 instances at R = 16). The median, not the RMS: near f = 2 "
    "rare explosive paths dominate the RMS, which plateaued at 3e-5 (slope 0.17) on thorough's "
    "counterexample though the median halves at each level down to gamma/2048. A wrong identity "
    "plateaus at its bias (slope ~0). Pre-asymptotic levels are left out of the fit: near the "
    "stability edge (f = 2) h = gamma/8 was 3.5x the effect on one instance (fitting it: slope 1.81). "
    "Deterministic given the seed.",
    assumptions=_P_CONV + " gamma = f gamma_0, f in [0.5, 2]; column scales e^{U[-1,1] k}, k <= 1.",
    closed_form=r"Itô (sympy): $d\ln w_\pm=\mp\frac1n X^\top r\,dt-2\gamma\frac Ln\mathrm{diag}(X^\top X)"
    r"dt\pm2\sqrt{\gamma L/n}X^\top dB$; summed: $d\ln(w_+w_-)=-4\gamma L\,"
    r"\mathrm{diag}(X^\top X)/n\,dt$.",
    examples={"dev": 3, "ci": 4, "thorough": 40},
)
def sgf_ito_product(inst: dict, ctx) -> Check:
    """Order test of the product identity under Euler-Maruyama (not built into the scheme).

    The log-coordinate Itô scheme satisfies the identity to round-off by construction; that
    structural check is in the tests, not here.
    """
    return _ito_check(inst, ctx)


_ITO_VARIANT = strat.fixed_family(n=6, d=12, s=2, a=0.6, f=1.5, spread=0.2, seeds=8)


@sgf_ito_product.false_variant(
    "stratonovich_heun",
    "The Stratonovich SGF (Heun) shows the same shrink.",
    strategy=_ITO_VARIANT,
    examples={"dev": 1, "ci": 2},
)
def _(inst, ctx):
    return _ito_check(inst, ctx, scheme="heun")


@sgf_ito_product.false_variant(
    "opposite_sign",
    "alpha_t = alpha exp(+2 gamma diag int L) (the product grows).",
    strategy=_ITO_VARIANT,
    examples={"dev": 1, "ci": 2},
)
def _(inst, ctx):
    return _ito_check(inst, ctx, sign=+2.0)


@sgf_ito_product.false_variant(
    "gram_matrix",
    "The shrink uses X^T X 1 / n in place of diag(X^T X) / n.",
    strategy=_ITO_VARIANT,
    examples={"dev": 1, "ci": 2},
)
def _(inst, ctx):
    return _ito_check(inst, ctx, gram=True)


@sgf_ito_product.false_variant(
    "independent_noise",
    "The identity also holds with independent Brownian motions for w+ and w-.",
    strategy=_ITO_VARIANT,
    examples={"dev": 1, "ci": 2},
)
def _(inst, ctx):
    return _ito_check(inst, ctx, noise="independent")


# ------------------------------------------------------------------------------ SGF: Stratonovich
_STRAT_FAMILY = strat.fixed_family(n=6, d=12, s=2, a=1.0, f=1.5, spread=0.2, seeds=1 << 20)


def _strat_ladder(inst: dict, ctx, scheme: str = "heun") -> tuple[tuple[int, ...], dict, np.ndarray, int]:
    levels = ctx.pick(dev=(2, 8), ci=(2, 8), thorough=(2, 8, 32))
    R = ctx.pick(dev=3, ci=4, thorough=8)
    return (
        levels,
        _sgf_ladder_cached(_key(inst), scheme, "paper", R, levels, 1e-10, 2000.0),
        implicit_for(inst, setup(inst)[1]),
        R,
    )


def _rms(a: np.ndarray) -> np.ndarray:
    return np.sqrt(np.mean(np.asarray(a) ** 2, axis=0))


def _strat_measure(inst: dict, ctx, scheme: str) -> tuple | None:
    """The ``scheme`` ladder's measurements for :func:`_strat_check` (None if a run did not converge):
    h/gamma, paths, fitted slopes (limit, product), and the finest errors over the Itô effect."""
    levels, ladder, beta_gf, R = _strat_ladder(inst, ctx, scheme)
    if any(run.diverged.any() or run.loss.max() > 1e-10 for run, _ in ladder.values()):
        return None
    hs = [1.0 / lv for lv in levels]
    # Strong convergence is a mean-square statement: every order is fitted on the RMS over the
    # paths (single-path fits over two levels scattered from -0.14 to 2.35 over 27 seeds).
    lim = np.array([[np.linalg.norm(ladder[lv][1][r] - beta_gf) for lv in levels] for r in range(R)])
    prod = np.array([[np.max(np.abs(2.0 * ladder[lv][0].log_shrink[r])) for lv in levels] for r in range(R)])
    # Scale: how far the Itô SGF limit of a path with this loss integral would be from GF.
    run_f = ladder[max(levels)][0]
    effect = np.array(
        [np.linalg.norm(_sgf_limit(inst, float(run_f.loss_integral[r]))[1] - beta_gf) for r in range(R)]
    )
    s_lim, s_prod = _fit_slope(hs, list(_rms(lim))), _fit_slope(hs, list(_rms(prod)))
    ratio = float(_rms(lim[:, -1]) / max(float(_rms(effect)), 1e-300))
    # The Itô reading's product shift on the same paths: ln(w+ w- / alpha^2) -> 2 ln(alpha_inf/alpha).
    alpha = setup(inst)[1]
    ito_prod = np.array(
        [
            np.max(np.abs(2.0 * np.log(_sgf_limit(inst, float(run_f.loss_integral[r]))[0] / alpha)))
            for r in range(R)
        ]
    )
    prod_ratio = float(_rms(prod[:, -1]) / max(float(_rms(ito_prod)), 1e-300))
    return hs, R, s_lim, s_prod, ratio, prod_ratio


def _strat_check(inst: dict, ctx, *, scheme: str = "heun", only: str | None = None) -> Check:
    """Both sub-checks (``only=None``) or one of them (``only`` = a key of ``margins``) on the
    ``scheme`` ladder: Heun for the claim; Milstein (the Itô reading) for the product variant."""
    m = _strat_measure(inst, ctx, scheme)
    if m is None:
        return Check.inconclusive(f"{scheme} SGF did not converge within its budget")
    hs, R, s_lim, s_prod, ratio, prod_ratio = m
    margins = {
        # the product w+ w- is conserved up to discretisation error: at the finest h its RMS drift
        # is below 0.25x the shift the Itô reading gives on the same paths (Itô would give 1x).
        # Its decay order is reported, not asserted: a 20-seed sweep found RMS slopes over
        # h = gamma/2, gamma/8 from 0.36 to 1 with 3 paths (single paths' maximum errors are not
        # monotone in h), so a slope bound at these sizes fails by noise, not by the mathematics.
        "product_over_ito_shift": 0.25 - prod_ratio,
        # the limit: within 0.25 of the Itô effect at the finest h (observed <= 0.10 over 32
        # seeds). Its decay order is reported, not asserted: over h = gamma/2, gamma/8 the RMS
        # slope scattered from 0.02 to 1.45 (pre-asymptotic), so no band would be honest.
        "err_finest_over_ito_effect": 0.25 - ratio,
    }
    margin = float(margins[only] if only else min(margins.values()))
    return Check(
        margin >= 0,
        measured={
            "product_slope": s_prod,
            "product_over_ito_shift": prod_ratio,
            "limit_slope": s_lim,
            "err_finest_over_ito_effect": ratio,
        },
        predicted={
            "product_over_ito_shift": "<= 0.25",
            "err_finest_over_ito_effect": "<= 0.25",
            "product_slope": "reported",
            "limit_slope": "reported",
        },
        margin=margin,
        tolerance=0.25,  # both sub-checks are fractions of the Itô effect with bound 0.25
        details={
            "h_over_gamma": hs,
            "R": R,
            "scheme": scheme,
            "margins": margins,
            "decided_by": only or "all",
        },
    )


@claim(
    id="pesme2021.sgf.stratonovich_is_gf",
    paper=PAPER,
    status="derived",
    kind="equality",
    statement=r"Metamorphic: the Stratonovich reading of the SGF (same coefficients) obeys the "
    r"ordinary chain rule, so it conserves $w_+\odot w_-=\alpha^2$ and keeps "
    r"$\ln(w_+/w_-)\in\mathrm{range}(X^\top)$: its limit is the GF solution "
    r"$\hat\beta_\alpha=\arg\min_{X\beta=y}\phi_\alpha$ on every path. Under the Heun scheme "
    r"(step $h$), $w_+w_-/\alpha^2-1=O(h)$ and the limit converges to $\hat\beta_\alpha$ "
    r"as $h\to0$.",
    strategy=_STRAT_FAMILY,
    tolerance="Heun on R = 3 Brownian paths (4 ci, 8 thorough) at h = gamma/2 and gamma/8 (plus "
    "gamma/32 at thorough), run to L <= 1e-10 and finished by the exact GF limit from the final "
    "state (bregman_limit). Every order is fitted on the RMS over the paths (strong convergence "
    "is a mean-square statement; single-path two-level fits scattered from -0.14 to 2.35 over "
    "27 seeds). Asserted: the RMS of max |ln(w+ w- / alpha^2)| at the finest h is below 0.25x the "
    "product shift 2 ln(alpha_inf/alpha) the Itô reading gives on the same paths (its decay order is "
    "reported: a slope bound >= 0.5 over two levels with 3 paths failed on 2 seeds of 20 by noise); "
    "the RMS distance "
    "of the finest limit to argmin phi_alpha is below 0.25x the RMS Itô effect "
    "|argmin phi_{alpha_inf} - argmin phi_alpha| of the same paths' int L (Itô would give 1x; "
    "observed <= 0.10x over 32 seeds). The decay order of that distance is reported, not "
    "asserted: its RMS slope over gamma/2, gamma/8 scattered from 0.02 to 1.45 (pre-asymptotic). "
    "No upper bound on the slopes: faster decay is not a violation. Deterministic given the "
    "seed.",
    assumptions=_P_CONV + " n=6, d=12, s=2, a=1, spread 0.2, gamma = 1.5 gamma_0 (the "
    "pesme2021.sgf.implicit_bias family).",
    closed_form=r"Stratonovich chain rule (sympy, stratonovich_drift_log_product): "
    r"$d\ln(w_+w_-)=0$; with $\ln(w_+/w_-)\in\mathrm{range}(X^\top)$ the limit satisfies "
    r"the KKT conditions of $\min\phi_\alpha$.",
    examples={"dev": 3, "ci": 4, "thorough": 8},
)
def sgf_stratonovich_is_gf(inst: dict, ctx) -> Check:
    """Heun ladder: product conservation and convergence of the limit to the GF solution."""
    return _strat_check(inst, ctx)


@sgf_stratonovich_is_gf.false_variant(
    "sparser_than_gf",
    "The Stratonovich SGF is sparser than GF: the l1 norm of its limit at the "
    "finest h is below that of argmin phi_alpha by more than the discretisation error (estimated "
    "by the l1 distance between the two finest levels).",
    examples={"dev": 1, "ci": 2},
)
def _(inst, ctx):
    levels, ladder, beta_gf, R = _strat_ladder(inst, ctx)
    fine, coarse = ladder[levels[-1]][1], ladder[levels[-2]][1]
    l1_gf = float(np.abs(beta_gf).sum())
    gaps = [l1_gf - float(np.abs(fine[r]).sum()) - float(np.abs(fine[r] - coarse[r]).sum()) for r in range(R)]
    return Check.lower(min(gaps), 0.0, l1_gf=l1_gf, gaps=gaps)


@sgf_stratonovich_is_gf.false_variant(
    "ito_conserves_product",
    "The Itô reading of the same SDE conserves the product as well: w+ w- = alpha^2 up to "
    "discretisation error (the gradient-flow invariant carried over to SGF). Decided by the "
    "claim's product sub-check alone (drift at the finest h below 0.25x the Itô shift), on "
    "Milstein paths (Itô, strong order 1) of the same ladder: the product then drifts by the full "
    "shift, ~1x, a miss by ~3 tolerances; no other check of the suite exercises that sub-check.",
    examples={"dev": 1, "ci": 2},
)
def _(inst, ctx):
    return _strat_check(inst, ctx, scheme="milstein", only="product_over_ito_shift")


# ------------------------------------------------------------------------------ SGF: implicit bias
_SGF_FAMILY = strat.fixed_family(n=6, d=12, s=2, a=1.0, f=1.5, spread=0.2, seeds=1 << 20)


# The size bound: the error of the prediction at h = gamma/16 must be below 0.35x the path's effect
# |argmin phi_{alpha_inf} - argmin phi_alpha|. The nearest wrong model (no_factor_two, half the log
# shrink) is biased by ~0.5x the effect (0.44-0.66x over 82 paths), uniform_shrink by 0.73-1.32x;
# the theorem's prediction is off only by the discretisation (0.007-0.28x, median 0.03x).
_SIZE = 0.35
# The ladder resolves the effect when the fine level's discretisation error, estimated from the
# coarse-fine gap as gap/3 (Milstein, strong order 1: ratio 4 between gamma/4 and gamma/16), is at
# most half the size bound: gap <= 3 * 0.35 / 2 = 0.525x the effect. Otherwise the size test would be
# decided by the discretisation, not by the prediction: inconclusive (5 of 82 paths of the family).
_RESOLVED_GAP = 3.0 * _SIZE / 2.0
# The shrink ratio e(gamma/4) / e(gamma/16) of each path is reported, not asserted. It used to be
# asserted >= 1.5 (= 4^0.29, between a plateau, 1x, and the order-1/2 ratio 2x; Milstein gives 4x
# asymptotically, observed 1.9-17x per path, median 4.5, over 82 paths), but a one-refinement ratio
# of a single path's strong error is a noisy statistic (e = h Z_h, with Z_h re-drawn by the
# refinement): the 20-seed ci sweep failed it on 2 seeds (path ratios 1.13 and 1.44 at fine errors of
# 0.04-0.09x the effect, far above any floor; the other path of each instance: 3.1x and 6.3x).
# It adds no power: every false variant plateaus at >= 0.44x the effect and fails the size test;
# a bias below 0.35x the effect is beyond what this check resolves.


def _predicted_limit(inst: dict, predict: str, a_inf, truth, beta_gf, J: float) -> np.ndarray:
    """The limit a (claimed or false) prediction gives for one path with loss integral ``J``."""
    data, alpha, gamma = setup(inst)
    if predict == "alpha_inf":
        return truth
    if predict == "no_shrink":
        return beta_gf
    if predict == "plus_sign":
        return implicit_for(inst, alpha * alpha / a_inf)
    if predict == "uniform_shrink":
        return implicit_for(inst, alpha * np.exp(-2.0 * gamma * data.diag.mean() * J))
    # "no_factor_two": the E-convention exponent applied to the P loss
    return implicit_for(inst, np.sqrt(alpha * a_inf))


def _sgf_limit_check(
    inst: dict, ctx, *, predict: str = "alpha_inf", noise: str = "paper", levels: tuple[int, int] = (4, 16)
) -> Check:
    """Per path r: the error e_r(h) of the predicted limit, in units of that path's own effect
    |argmin phi_{alpha_inf,r} - argmin phi_alpha| (the effect scales with the path's int L: over a
    family it varies by 1000x, and across the 2 paths of one instance by up to 6x)."""
    alpha = setup(inst)[1]
    R = ctx.pick(dev=1, ci=2, thorough=6)
    ladder = _sgf_ladder_cached(_key(inst), "milstein", noise, R, levels, 1e-10, 2000.0)
    beta_gf = implicit_for(inst, alpha)
    errs = np.zeros((len(levels), R))
    effect, worst_L = np.zeros(R), 0.0
    for i, lv in enumerate(levels):
        run, limit = ladder[lv]
        if run.diverged.any():
            return Check.inconclusive(f"SGF diverged at h = gamma/{lv}")
        worst_L = max(worst_L, float(run.loss.max()))
        for r in range(R):
            J = float(run.loss_integral[r])
            a_inf, truth = _sgf_limit(inst, J)
            if lv == max(levels):
                effect[r] = float(np.linalg.norm(truth - beta_gf))
            pred = _predicted_limit(inst, predict, a_inf, truth, beta_gf, J)
            errs[i, r] = float(np.linalg.norm(limit[r] - pred))
    if worst_L > 1e-10:
        return Check.inconclusive(f"SGF not converged (L_T = {worst_L:.2g})", measured=errs.tolist())
    rel = errs / np.maximum(effect, 1e-300)
    gap = np.array([np.linalg.norm(ladder[levels[-1]][1][r] - ladder[levels[-2]][1][r]) for r in range(R)])
    gap_rel = gap / np.maximum(effect, 1e-300)
    if np.any(gap_rel > _RESOLVED_GAP):
        return Check.inconclusive(
            f"effect not resolved at h = gamma/{levels[-1]}: coarse-fine gap {gap_rel.max():.2g}x the "
            f"effect > {_RESOLVED_GAP:.3g}x",
            measured=gap_rel.tolist(),
        )
    e_coarse, e_fine = rel[-2], rel[-1]
    margin = float(np.min(_SIZE - e_fine))
    return Check(
        margin >= 0,
        measured={
            "err_gamma/16_over_effect": float(e_fine.max()),
            "min_shrink_ratio": float(np.min(e_coarse / np.maximum(e_fine, 1e-300))),
            "err_gamma/4_over_effect": float(e_coarse.max()),
        },
        predicted={
            "err_gamma/16_over_effect": f"<= {_SIZE}",
            "min_shrink_ratio": "reported (Milstein: ~4 asymptotically)",
        },
        margin=margin,
        tolerance=_SIZE,  # the margin is a fraction of the path's effect; the size test allows 0.35
        details={
            "effect_vs_gf": effect.tolist(),
            "err_over_effect": rel.tolist(),
            "gap_over_effect": gap_rel.tolist(),
            "R": R,
            "scheme": "milstein",
        },
    )


@claim(
    id="pesme2021.sgf.implicit_bias",
    paper=PAPER,
    status="theorem",
    kind="equality",
    statement=r"Almost surely, if the SGF converges to an interpolator with $\int_0^\infty L<\infty$, then "
    r"$\beta^{SGF}_\infty=\arg\min_{X\beta=y}\phi_{\alpha_\infty}(\beta)$ with the random "
    r"effective initialisation $\alpha_\infty=\alpha\odot\exp(-2\gamma\,\mathrm{diag}"
    r"(X^\top X/n)\int_0^\infty L(\beta_s)ds)$.",
    strategy=_SGF_FAMILY,
    tolerance="Per path, Milstein on w (an Itô scheme that does not hard-code the identity) at "
    "h = gamma/4 and gamma/16 on the same Brownian path, run to L <= 1e-10 and finished by "
    "the exact GF limit from the final state (the noise ~ sqrt(L) is then negligible; "
    "remaining shrink < 1e-8). Each path's error is measured in units of that path's own effect "
    "|argmin phi_{alpha_inf} - argmin phi_alpha| (it scales with the path's int L; comparing the "
    "worst path's error with the smallest path's effect failed at ci seed 12, where the 2 paths' "
    "effects differed 5.8x). The distance to argmin phi_{alpha_inf} at gamma/16 must be below 0.35x "
    "the effect (observed 0.007-0.28x, median 0.03x, over 82 paths; the nearest wrong model, "
    "no_factor_two, sits at 0.44-0.66x). A path whose coarse-fine gap exceeds 0.525x its effect "
    "(the fine error estimated as gap/3, Milstein order 1, above half the 0.35 bound) has not "
    "resolved the effect: the instance is inconclusive (5 of 82 paths). The shrink ratio from "
    "gamma/4 to gamma/16 is reported, not asserted: Milstein gives 4x asymptotically (1.9-17x per "
    "path, median 4.5), but a single path's one-refinement ratio is noisy (strong errors are not "
    "monotone per path): asserted >= 1.5x it failed 2 of 20 ci seeds at path ratios 1.13 and "
    "1.44, with fine errors 0.04-0.09x the effect; it added no power (every false variant fails "
    "the size test). "
    "Resolution of the check: a bias below 0.35x the effect is not detected. Wrong predictions "
    "plateau at their bias "
    "(1x, 2x, 0.5x the effect) instead.",
    assumptions=_P_CONV + " n=6, d=12, s=2, a=1, spread 0.2, gamma = 1.5 gamma_0 (about 1/3 of the "
    "measured SGD edge): the regime where the effect is resolvable at h=gamma/16.",
    closed_form=r"$\ln(w_+/w_-)\in\mathrm{range}(X^\top)$ and $w_+w_-=\alpha_t^2$ give "
    r"$\beta_t=2\alpha_t^2\sinh(X^\top\nu_t)$: at interpolation, the KKT conditions of "
    r"$\min\phi_{\alpha_\infty}$.",
    examples={"dev": 3, "ci": 4, "thorough": 12},
)
def sgf_implicit_bias(inst: dict, ctx) -> Check:
    """Pathwise limit of the SGF against ``implicit_solution(X, y, effective_init(...))``."""
    return _sgf_limit_check(inst, ctx)


@sgf_implicit_bias.false_variant(
    "no_shrink", "The SGF limit is the GF limit argmin phi_alpha.", examples={"dev": 1, "ci": 2}
)
def _(inst, ctx):
    return _sgf_limit_check(inst, ctx, predict="no_shrink")


@sgf_implicit_bias.false_variant(
    "plus_sign", "alpha_inf = alpha exp(+2 gamma diag int L).", examples={"dev": 1, "ci": 2}
)
def _(inst, ctx):
    return _sgf_limit_check(inst, ctx, predict="plus_sign")


@sgf_implicit_bias.false_variant(
    "no_factor_two",
    "alpha_inf = alpha exp(-gamma diag int L) (the E-convention exponent applied to the P loss).",
    examples={"dev": 1, "ci": 2},
)
def _(inst, ctx):
    return _sgf_limit_check(inst, ctx, predict="no_factor_two")


@sgf_implicit_bias.false_variant(
    "uniform_shrink",
    "alpha_inf = alpha exp(-2 gamma mean(diag(X^T X/n)) int L): the shrink uniform across "
    "coordinates at the average column norm (right for standardised columns; here the Gaussian "
    "column norms vary by ~+-40%). Near the boundary: it differs from the theorem only through "
    "the spread of diag(X^T X/n). (Replaces isotropic_noise, which missed by 460x.)",
    examples={"dev": 2, "ci": 3},
)
def _(inst, ctx):
    return _sgf_limit_check(inst, ctx, predict="uniform_shrink")


# ------------------------------------------------------------------------------ SGF: the benefit
_BENEFIT_STRATEGY = strat.sparse_instance(
    n=(5, 10), a=(0.3, 1.0), f=(1.0, 1.5), col_scale=(0.0, 1.5), zero_columns=1
)


_BENEFIT_VARIANT = strat.fixed_family(n=5, d=9, s=1, a=1.0, f=1.25, spread=0.2, seeds=64, zero_columns=1)


_BENEFIT_LEVELS = (2, 8)  # Milstein at h = gamma/2 and gamma/8 on the same Brownian path


def _zero_column_roundoff(alpha: np.ndarray) -> np.ndarray:
    """The round-off of the recorded log-shrink on a coordinate the dynamics never moves.

    On an all-zero column the drift, the diffusion and the Milstein correction are exactly 0.0 (sums
    of products with 0.0), so the scheme keeps w+- at their initial value bit for bit. The kernel
    stores that value as fl(exp(ln alpha)) and records fl(ln w) - ln alpha, so an untouched coordinate
    reads ln(1 + d1)(1 + d2) - ln alpha with |d1|, |d2| <= eps (exp and log within 1 ulp):
    |shrink| <= eps (1 + |ln alpha|) to first order; twice that covers the second-order terms and the
    rounding of the halved sum. (seed 1 at ci: -1.1e-16 = one ulp of ln 0.52 on the zero column, read
    as "not exactly 0" by the old check.) Any movement of the state beyond rounding fails the check.
    """
    return 2.0 * np.finfo(float).eps * (1.0 + np.abs(np.log(alpha)))


def _benefit_paths(inst: dict, ctx) -> dict | Check:
    """Per path: the realised shrink ln(alpha_T / alpha) = ln(w+ w- / alpha^2)/2 at h = gamma/8, its
    discretisation error (|fine - coarse|, h = gamma/2 vs gamma/8, Milstein: first order in the
    log-product, so the coarse-fine gap bounds the fine error up to a factor ~4/3), and the
    simulated limit (finished by the exact GF limit from the final state) with its error."""
    data, alpha, _ = setup(inst)
    R = ctx.pick(dev=2, ci=4, thorough=8)
    # Run to L <= 1e-7, then finish by the exact GF limit (bregman_limit, product conserved): the
    # shrink the SGF would still accrue is 2 gamma diag int_T^inf L ~ 2 gamma diag L_T / lambda_min,
    # below 1e-6 here, against realised shrinks >= 1e-4 on this family.
    ladder = _sgf_ladder_cached(_key(inst), "milstein", "paper", R, _BENEFIT_LEVELS, 1e-7, 2000.0)
    (run_c, lim_c), (run_f, lim_f) = ladder[_BENEFIT_LEVELS[0]], ladder[_BENEFIT_LEVELS[1]]
    if run_c.diverged.any() or run_f.diverged.any():
        return Check.inconclusive("a Milstein path diverged at h = gamma/2")
    if max(run_c.loss.max(), run_f.loss.max()) > 1e-7:
        return Check.inconclusive("SGF did not converge within its budget")
    beta_gf = implicit_for(inst, alpha)
    return {
        "nz": np.any(data.X != 0, axis=0),
        "zero_tol": _zero_column_roundoff(alpha),
        "shrink": run_f.log_shrink,
        "shrink_err": np.abs(run_f.log_shrink - run_c.log_shrink),
        "zero_col_coarse": run_c.log_shrink,
        "dist": np.linalg.norm(lim_f - beta_gf, axis=1),
        "dist_err": np.linalg.norm(lim_f - lim_c, axis=1),
        "limits": lim_f,
        "beta_gf": beta_gf,
        "alpha": alpha,
        "R": R,
    }


def _benefit_check(inst: dict, ctx) -> Check:
    """Realised strict shrink on non-zero columns (resolved beyond the discretisation error),
    exactly none on zero columns, and a simulated SGF limit resolvably distinct from GF's."""
    P = _benefit_paths(inst, ctx)
    if isinstance(P, Check):
        return P
    nz, sh, err = P["nz"], P["shrink"], P["shrink_err"]
    # Unresolved: the error estimate reaches the shrink on some coordinate (neither sign is shown).
    if np.any(np.abs(sh[:, nz]) <= err[:, nz]) or np.any(P["dist"] <= P["dist_err"]):
        return Check.inconclusive(
            "shrink or limit gap not resolved beyond the discretisation error at h = gamma/8",
            measured=float(np.min(np.abs(sh[:, nz]) - err[:, nz])),
        )
    m_shrink = float(np.min(-sh[:, nz] / np.abs(sh[:, nz])))  # -1 if resolved < 0, +1 if > 0
    # Zero columns: untouched up to the round-off of storing alpha (see _zero_column_roundoff), at
    # both steps; the margin is 1 - (worst |shrink| in units of that round-off), so <= 0 means moved.
    zero = np.abs(np.r_[sh[:, ~nz], P["zero_col_coarse"][:, ~nz]])
    zero_over_tol = float(np.max(zero / P["zero_tol"][~nz])) if (~nz).any() else 0.0
    m_zero = 1.0 - zero_over_tol
    m_differ = float(np.min((P["dist"] - P["dist_err"]) / P["dist"]))
    obs: dict = {"potential_gaps": [], "l1_sgf": [], "test_error_sgf": []}
    data, alpha, _ = setup(inst)
    for r in range(P["R"]):
        a_real = alpha * np.exp(sh[r])
        b = P["limits"][r]
        obs["potential_gaps"].append(
            [
                potential(P["beta_gf"], a_real) - potential(b, a_real),
                potential(b, alpha) - potential(P["beta_gf"], alpha),
            ]
        )
        obs["l1_sgf"].append(float(np.abs(b).sum()))
        obs["test_error_sgf"].append(float(data.test_error(b)))
    margin = min(m_shrink, m_differ, m_zero)
    return Check(
        bool(margin > 0),
        measured={
            "max_realised_shrink_nz": float(np.max(sh[:, nz])),
            "zero_column_shrink_over_roundoff": zero_over_tol,
            "min_dist_over_err": float(np.min(P["dist"] / P["dist_err"])),
        },
        predicted={
            "max_realised_shrink_nz": "< 0 (resolved)",
            "zero_column_shrink_over_roundoff": "< 1 (untouched: 0 up to the round-off of alpha)",
            "limits": "distinct",
        },
        margin=margin,
        details={
            "margins": {"shrink_sign": m_shrink, "limits_distinct": m_differ, "zero_columns": m_zero},
            "R": P["R"],
            "h_over_gamma": [1 / lv for lv in _BENEFIT_LEVELS],
            "shrink_err_max": float(np.max(err[:, nz])),
            "l1_gf": float(np.abs(P["beta_gf"]).sum()),
            "test_error_gf": float(data.test_error(P["beta_gf"])),
            **obs,
        },
    )


_BENEFIT_STATEMENT = (
    r"Proven part of the headline, measured on simulated paths: on every SGF path the realised "
    r"effective initialisation $\alpha_\infty=\sqrt{w_+w_-}$ is $<\alpha$ on every coordinate with a "
    r"non-zero column of $X$ and $=\alpha$ exactly on zero columns, and the SGF limit differs from the "
    r"GF limit $\hat\beta_\alpha$. (Each limit then has the lower potential of its own kind, "
    r"$\phi_{\alpha_\infty}(\hat\beta_{\alpha_\infty})<\phi_{\alpha_\infty}(\hat\beta_\alpha)$ "
    r"and $\phi_\alpha(\hat\beta_\alpha)<\phi_\alpha(\hat\beta_{\alpha_\infty})$, by uniqueness "
    r"of each argmin: reported, not asserted.) Only observed, not proven: a smaller $\ell_1$ norm and "
    r"a smaller test error (see pesme2021.generalisation.* and pesme2021.conj.*)."
)


@claim(
    id="pesme2021.sgf.benefit",
    paper=PAPER,
    status="theorem",
    kind="comparison",
    statement=_BENEFIT_STATEMENT,
    strategy=_BENEFIT_STRATEGY,
    tolerance="Milstein paths at h = gamma/2 and gamma/8 on the same Brownian path (run to L <= "
    "1e-7, finished by the exact GF limit: the shrink still to come is ~2 gamma diag L_T / "
    "lambda_min < 1e-6). The realised shrink ln(w+ w- / alpha^2)/2 at "
    "gamma/8 must be < 0 on every non-zero column with |shrink| > |shrink(gamma/8) - "
    "shrink(gamma/2)| (the coarse-fine gap bounds the fine error: Milstein is first order in "
    "ln(w+ w-), the Itô martingale term cancelling, so the fine error is ~1/3 of the gap); the "
    "zero column's shrink 0 at both steps up to the round-off of storing alpha as exp(ln alpha) "
    "(|shrink| <= 2 eps (1 + |ln alpha|): the scheme leaves the column's w bit for bit unchanged; "
    "one ulp of ln alpha, -1.1e-16, read as 'not 0' at ci seed 1); the simulated limit's distance to "
    "argmin phi_alpha larger than its own coarse-fine gap. An instance where either gap reaches "
    "the effect is inconclusive (not resolved), not a pass. At h = gamma (the old form) the "
    "realised sign was not resolvable (+7.7e-7 realised vs -2.9e-5 predicted), hence the "
    "refined step.",
    assumptions=_P_CONV + " one all-zero column, column scales e^{k U[-1,1]}, k <= 1.5, f in [1, 1.5].",
    closed_form=r"$\ln(\alpha_\infty/\alpha)=-2\gamma\,\mathrm{diag}(X^\top X/n)\int_0^\infty L<0$; "
    r"strict convexity of $\phi$ makes each argmin unique.",
    examples={"dev": 3, "ci": 4, "thorough": 40},
)
def sgf_benefit(inst: dict, ctx) -> Check:
    """Realised strict shrink, untouched zero columns and distinct limits, per simulated SGF path."""
    return _benefit_check(inst, ctx)


@sgf_benefit.false_variant(
    "alpha_inf_above",
    "The realised effective initialisation is larger than alpha on the non-zero columns "
    "(opposite sign of the Itô correction); margin in units of the discretisation error.",
    strategy=_BENEFIT_VARIANT,
    examples={"dev": 1, "ci": 2},
)
def _(inst, ctx):
    P = _benefit_paths(inst, ctx)
    if isinstance(P, Check):
        return P
    nz = P["nz"]
    k = np.unravel_index(np.argmin(np.where(nz, P["shrink"], np.inf)), P["shrink"].shape)
    return Check.lower(float(P["shrink"][k]), 0.0, tol=float(P["shrink_err"][k]))


@sgf_benefit.false_variant(
    "shrink_every_column",
    "alpha_inf < alpha on every coordinate, zero columns included (they stay exactly at alpha).",
    strategy=_BENEFIT_VARIANT,
    examples={"dev": 1, "ci": 2},
)
def _(inst, ctx):
    P = _benefit_paths(inst, ctx)
    if isinstance(P, Check):
        return P
    # "< 0" must be resolved beyond the round-off of an untouched coordinate (a zero column reads
    # -1.1e-16 on some seeds: that is rounding, not a shrink).
    tol = np.broadcast_to(P["zero_tol"], P["shrink"].shape)
    k = np.unravel_index(np.argmax(P["shrink"] + tol), P["shrink"].shape)
    worst, t = float(P["shrink"][k]), float(tol[k])
    return Check(
        worst < -t, measured=worst, predicted=f"< -{t:.2g} (resolved)", margin=-worst - t, tolerance=t
    )


@sgf_benefit.false_variant(
    "same_limit",
    "SGF and GF have the same limit, up to the discretisation error of the simulated limit "
    "(its coarse-fine gap).",
    strategy=_BENEFIT_VARIANT,
    examples={"dev": 1, "ci": 2},
)
def _(inst, ctx):
    P = _benefit_paths(inst, ctx)
    if isinstance(P, Check):
        return P
    r = int(np.argmax(P["dist"] - P["dist_err"]))
    return Check.upper(float(P["dist"][r]), 0.0, tol=float(P["dist_err"][r]))
