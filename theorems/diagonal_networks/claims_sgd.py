r"""SGD claims of Pesme, Pillaud-Vivien, Flammarion (2021) and their consequences, in the paper's order.

Discrete SGD: its exact limit with the discrete shrink (``pesme2021.sgd.limit_exact``, Even et al.
2023), the mean shrink against the SGF formula (``sgd.shrink_mean_matches_sgf``), mini-batches
(``sgd.batch_scaling``); then the consequences: slower convergence gives a stronger bias
(``bias.slower_is_stronger``), SGF generalises better than GF on sparse problems
(``generalisation.sgf_beats_gf``), the conjectured monotonicity of $\|\hat\beta_\alpha\|_1$ in
$\alpha$ (``conj.l1_monotone*``) and convergence below a step threshold (``convergence``). Each claim is
followed by its false variants. Registered when :mod:`theorems.diagonal_networks.claims` is imported.
"""

from __future__ import annotations

import math

import numpy as np

from sim.diagonal_kernels import Run
from theorems import Check, claim
from theorems.diagonal_networks import EVEN, PAPER
from theorems.diagonal_networks import instances as strat
from theorems.diagonal_networks.formulas import kernel_projector, potential
from theorems.diagonal_networks.instances import _P_CONV, setup
from theorems.diagonal_networks.simulations import (
    _refined_sgf_runs,
    _sgf_limit,
    implicit_for,
    sgd_runs,
    sgf_runs,
)
from theorems.diagonal_networks.solvers import min_l1_interpolant

# ------------------------------------------------------------------------------ SGD: exact limit
_SGD_STRATEGY = strat.sparse_instance(n=(5, 10), a=(0.3, 1.0), f=(0.5, 2.5), spread=(0.0, 0.4))


def _sgd_limit_check(inst: dict, ctx, mode: str = "exact") -> Check:
    data, alpha, _ = setup(inst)
    R = ctx.pick(dev=3, ci=4, thorough=8)
    run = sgd_runs(inst, R, tol=1e-20, t_max=3000.0)
    if run.diverged.any():
        return Check.inconclusive("an SGD replica diverged (step above the edge)")
    if run.loss.max() > 1e-20:
        return Check.inconclusive("SGD did not reach L <= 1e-20", measured=float(run.loss.max()))
    P = kernel_projector(data.X)
    preds = []
    for r in range(R):
        if mode == "exact":
            preds.append(implicit_for(inst, alpha * np.exp(run.log_shrink[r]), c=P @ run.c[r] / 4))
        elif mode == "no_offset":
            preds.append(implicit_for(inst, alpha * np.exp(run.log_shrink[r])))
        else:  # the SGF formula, treated as pathwise exact
            preds.append(_sgf_limit(inst, float(run.loss_integral[r]))[1])
    return Check.close(run.beta, np.asarray(preds), atol=1e-6, L_T=float(run.loss.max()), R=R)


@claim(
    id="pesme2021.sgd.limit_exact",
    paper=EVEN,
    status="derived",
    kind="equality",
    statement=r"Discrete SGD $w_\pm\leftarrow w_\pm\odot(1\mp\gamma g_k)$ converges to "
    r"$\arg\min_{X\beta=y}[\phi_{\alpha^{ex}_\infty}(\beta)"
    r"-\frac14\langle c_\perp,\beta\rangle]$ with the "
    r"exact shrink $\alpha^{ex}_\infty=\alpha\odot\exp(\frac12\sum_k\ln|1-(\gamma g_k)^2|)$ and "
    r"$c_\perp=\Pi_{\ker X}\sum_k[\ln|1-\gamma g_k|-\ln|1+\gamma g_k|+2\gamma g_k]$.",
    strategy=_SGD_STRATEGY,
    tolerance="max-norm 1e-6 once L <= 1e-20 (the residual level); shrink and offset accumulated "
    "step by step in float64 (error ~1e-12 sqrt(steps)).",
    assumptions=_P_CONV + " batch 1 with replacement, gamma = f gamma_0, f in [0.5, 2.5] "
    "(sign flips |gamma g| > 1 allowed: |.| in the formula).",
    closed_form=r"$(1-x)(1+x)=1-x^2$ (sympy); $\ln\frac{w_+}{w_-}=-2\gamma\sum_kg_k+c$ with "
    r"$-2\gamma\sum g_k\in\mathrm{range}(X^\top)$.",
    examples={"dev": 3, "ci": 6, "thorough": 60},
)
def sgd_limit_exact(inst: dict, ctx) -> Check:
    """SGD limit against ``implicit_solution`` at the exact shrink with the kernel offset."""
    return _sgd_limit_check(inst, ctx)


@sgd_limit_exact.false_variant(
    "sgf_formula_pathwise",
    "The SGD limit is argmin phi at the SGF alpha_inf (formula with gamma sum L), to 1e-6.",
    examples={"dev": 1, "ci": 2},
)
def _(inst, ctx):
    return _sgd_limit_check(inst, ctx, "sgf")


@sgd_limit_exact.false_variant(
    "no_offset",
    "The offset c_perp can be dropped (to 1e-6) at steps near half the edge.",
    strategy=strat.sparse_instance(n=(5, 10), a=(0.3, 1.0), f=(1.5, 2.5)),
    examples={"dev": 2, "ci": 3},
)
def _(inst, ctx):
    return _sgd_limit_check(inst, ctx, "no_offset")


# ------------------------------------------------------------------------------ SGD vs SGF shrink
_SHRINK_STRATEGY = strat.sparse_instance(n=(6, 12), a=(0.3, 1.0), f=(0.5, 1.0), spread=(0.0, 0.3))


def _shrink_stats(inst: dict, ctx) -> tuple[np.ndarray, np.ndarray, np.ndarray, Run]:
    data, alpha, gamma = setup(inst)
    R = ctx.pick(dev=48, ci=64, thorough=256)
    # Runs stop at L <= 1e-8: the shrink and int L still to come are ~1e-8 / lambda_min, far below
    # the shrinks compared (>= 1e-3); both sides are measured on the same stopped path.
    run = sgd_runs(inst, R, tol=1e-8, t_max=3000.0)
    live = ~run.diverged
    ex = -run.log_shrink.mean(axis=1)[live]
    sgf = (2 * gamma * data.diag.mean() * run.loss_integral)[live]
    corr = np.array(
        [
            np.corrcoef(-run.log_shrink[r], data.diag)[0, 1] if data.diag.std() > 0 else 1.0
            for r in np.flatnonzero(live)
        ]
    )
    return ex, sgf, corr, run


@claim(
    id="pesme2021.sgd.shrink_mean_matches_sgf",
    statistical=True,
    paper=PAPER,
    status="empirical",
    kind="equality",
    statement=r"For batch-1 SGD with $\gamma\le\gamma_0$ (about a fifth of the measured edge), the "
    r"SGF formula predicts the exact shrink only on average over coordinates and seeds, and "
    r"only roughly: $\mathbb E\,\mathrm{mean}_i\ln(\alpha_i/\alpha^{ex}_{\infty,i})=\rho\,"
    r"\mathbb E\,2\gamma\,\mathrm{mean}_i\mathrm{diag}_i\int L$ with $\rho\in[0.75,1.5]$. "
    r"Coordinatewise the realised shrink is only loosely aligned with "
    r"$\mathrm{diag}(X^\top X)$ (correlation 0.5-0.95).",
    strategy=_SHRINK_STRATEGY,
    tolerance="the (1 - level) t-interval of rho - 1 = mean(exact - formula) / mean(formula) over R "
    "seeds (48 at dev) must lie inside [-0.25, 0.5]; outside -> falsified; straddling -> "
    "inconclusive. The band is measured, not derived: rho was 0.86-1.33 (CI ends) for "
    "f <= 1 on this family and reached 1.5 at f ~ 2 (the SGF formula then underestimates "
    "the SGD shrink); the spec's 15% does not hold on every instance.",
    assumptions=_P_CONV + " f in [0.5, 1].",
    examples={"dev": 3, "ci": 4, "thorough": 40},
)
def sgd_shrink_mean_matches_sgf(inst: dict, ctx) -> Check:
    """Seed-averaged exact SGD shrink against the SGF formula evaluated on each SGD path."""
    from scipy import stats

    ex, sgf, corr, run = _shrink_stats(inst, ctx)
    if ex.size < 4:
        return Check.inconclusive("too many diverged replicas")
    diff = (ex - sgf) / sgf.mean()
    m, se = float(diff.mean()), float(diff.std(ddof=1) / math.sqrt(diff.size))
    q = float(stats.t.ppf(1 - ctx.level / 2, diff.size - 1))
    lo, hi = m - q * se, m + q * se
    inside = -0.25 <= lo and hi <= 0.5
    outside = hi < -0.25 or lo > 0.5
    t_stat = max(-0.25 - m, m - 0.5) / max(se, 1e-300)
    p = float(stats.t.sf(t_stat, diff.size - 1))
    return Check.test(
        reject=outside,
        p_value=p,
        level=ctx.level,
        supports=inside,
        measured=1 + m,
        predicted="[0.75, 1.5]",
        margin=min(lo + 0.25, 0.5 - hi),
        ci=[1 + lo, 1 + hi],
        R=int(ex.size),
        coordinatewise_corr=float(corr.mean()),
    )


@sgd_shrink_mean_matches_sgf.false_variant(
    "coordinatewise",
    "The exact shrink is proportional to diag(X^T X) coordinatewise (correlation >= 0.95 on every path).",
    examples={"dev": 1, "ci": 2},
)
def _(inst, ctx):
    _, _, corr, _ = _shrink_stats(inst, ctx)
    return Check.lower(float(corr.min()), 0.95)


# ------------------------------------------------------------------------------ SGD: batch scaling
_BATCH_STRATEGY = strat.with_batch(
    strat.sparse_instance(
        n=(40, 50), d_over_n=(1.5, 2.0), s_max_frac=0.1, a=(0.3, 1.0), f=(1.0, 2.0), spread=(0.0, 0.3)
    ),
    max_frac=0.1,
    b_min=4,
)
# The decision is between the exponents 0 (no batch factor), 1 (the SGF model) and 2 (b^2): the
# fitted exponent p = 1 - ln(rho_b) / ln(b) must be closer to 1 than to either, i.e. its CI inside
# (0.5, 1.5). The GD part of the discrete shrink does not scale with b and biases rho_b upward
# (measured up to 1.40, i.e. p down to 1 - ln 1.4 / ln b); at b = 2 that bias alone reaches the
# midpoint 2^0.5 = 1.41, so b >= 4 is drawn: there the midpoints are rho = 0.5 and 2.
_BATCH_EXPONENT_BAND = (0.5, 1.5)


def _batch_check(inst: dict, ctx, power: float = 1.0) -> Check:
    """Fitted batch exponent of the seed-mean exact SGD log-shrink: p = power - ln(rho) / ln(b) with
    rho = shrink / (2 (gamma / b^power) mean(diag) int L) on each path's own int L; its (1 - level)
    t-interval must lie inside (0.5, 1.5) (``power`` = 0 or 2: the variants' claimed exponents)."""
    from scipy import stats

    data, _, gamma = setup(inst)
    b = int(inst["b"])
    R = ctx.pick(dev=16, ci=32, thorough=64)
    run = sgd_runs(inst, R, tol=1e-6, t_max=200.0, batch_size=b)
    live = ~run.diverged
    if live.sum() < R // 2:
        return Check.inconclusive("too many diverged replicas")
    ex = -run.log_shrink.mean(axis=1)[live]
    pred = 2.0 * gamma / b**power * data.diag.mean() * run.loss_integral[live]
    ratio = ex / pred.mean()
    m, se = float(ratio.mean()), float(ratio.std(ddof=1) / math.sqrt(ratio.size))
    q = float(stats.t.ppf(1 - ctx.level / 2, ratio.size - 1))
    lo, hi = m - q * se, m + q * se
    if lo <= 0:
        return Check.inconclusive(f"rho_b interval [{lo:.3g}, {hi:.3g}] reaches 0")
    lb = math.log(b)
    p_hat, p_lo, p_hi = power - math.log(m) / lb, power - math.log(hi) / lb, power - math.log(lo) / lb
    e_lo, e_hi = _BATCH_EXPONENT_BAND
    # the claimed exponent is `power`: the CI must lie within 0.5 of it
    c_lo, c_hi = power + e_lo - 1.0, power + e_hi - 1.0
    inside, outside = c_lo < p_lo and p_hi < c_hi, p_hi <= c_lo or p_lo >= c_hi
    # p-value of the one-sided t-test of the nearer band edge (on the rho scale)
    r_edge_lo, r_edge_hi = b ** (power - c_hi), b ** (power - c_lo)
    t_stat = max(r_edge_lo - m, m - r_edge_hi) / max(se, 1e-300)
    reason = {} if inside or outside else {"reason": f"exponent CI [{p_lo:.3g}, {p_hi:.3g}] straddles"}
    return Check.test(
        reject=outside,
        p_value=float(stats.t.sf(t_stat, ratio.size - 1)),
        level=ctx.level,
        supports=inside,
        measured=p_hat,
        predicted=f"({c_lo:g}, {c_hi:g})",
        margin=min(p_lo - c_lo, c_hi - p_hi),
        exponent_ci=[p_lo, p_hi],
        rho=m,
        rho_ci=[lo, hi],
        R=int(ratio.size),
        b=b,
        unfinished=int(np.sum(run.loss[live] > 1e-6)),
        **reason,
    )


@claim(
    id="pesme2021.sgd.batch_scaling",
    statistical=True,
    paper=PAPER,
    status="empirical",
    kind="rate",
    statement=r"For SGD with mini-batches of size $4\le b\le n/10$ (with replacement), the seed-mean "
    r"exact log-shrink $\mathrm{mean}_i\ln(\alpha_i/\alpha^{ex}_{\infty,i})$ scales like the SGF "
    r"formula with $\gamma/b$, $2\frac\gamma b\,\mathrm{mean}_i\mathrm{diag}_i(X^\top X/n)\int L$: "
    r"the fitted batch exponent $p=1-\ln\rho_b/\ln b$ ($\rho_b$ the ratio of the two) is "
    r"closer to 1 than to 0 (no batch factor) or 2 ($b^2$). Not exactly 1: $\rho_b$ reached "
    r"1.3-1.4 on some 1-sparse instances, because the GD part of the discrete gain, "
    r"$\gamma^2(\nabla_\beta L)^2$ per step, does not scale as $1/b$ and the SGF model drops it.",
    strategy=_BATCH_STRATEGY,
    tolerance="R = 16 (dev; 32 ci, 64 thorough) seeds at the drawn b; the (1 - level) t-interval "
    "of rho_b (exact shrink over the mean formula value, the formula on each path's own int L "
    "= gamma sum L_k) is mapped to the exponent p = 1 - ln(rho_b)/ln(b), whose interval must "
    "lie inside (0.5, 1.5): the decision boundaries between the hypotheses p = 0, 1, 2, not a "
    "tuned band. Inside -> holds, outside -> falsified, straddling -> inconclusive. b >= 4: "
    "at b = 2 the midpoint rho = 2^0.5 = 1.41 equals the GD-part bias already measured "
    "(rho_b up to 1.40), so the old band [0.75, 1.5] equalled the gap between the hypotheses; "
    "at b >= 4 the boundaries are rho = 0.5 and 2, beyond the measured 0.93-1.40. Runs stop "
    "at L <= 1e-6 (the shrink accrues early).",
    assumptions=_P_CONV + " n in [40, 50], d in [1.5n, 2n], s <= n/10, a in [0.3, 1], f in [1, 2], "
    "b in [4, n/10].",
    closed_form=r"$\mathbb E\,\frac12\ln|1-(\gamma g_k)^2|\approx-\frac{\gamma^2}2(\nabla_jL_{full}^2"
    r"+\frac1b\mathrm{Var}_i(r_ix_{ij}))$ and the SGF's $\frac1b\cdot4L\,\mathrm{diag}_j$ "
    r"(effective_init with batch_size = b): the $1/b$ part matches, the GD part does not "
    r"scale.",
    examples={"dev": 3, "ci": 4, "thorough": 20},
)
def sgd_batch_scaling(inst: dict, ctx) -> Check:
    """Fitted batch exponent of the seed-mean SGD shrink against 1 (SGF formula at gamma / b)."""
    return _batch_check(inst, ctx)


_BATCH_VARIANT = strat.fixed_family(n=40, d=70, s=2, a=0.5, f=1.5, spread=0.2, seeds=8, b=4)


@sgd_batch_scaling.false_variant(
    "no_batch_factor",
    "The shrink does not depend on b: batch exponent 0 (the SGF formula at gamma, no 1/b).",
    strategy=_BATCH_VARIANT,
    examples={"dev": 1, "ci": 2},
)
def _(inst, ctx):
    return _batch_check(inst, ctx, power=0.0)


@sgd_batch_scaling.false_variant(
    "batch_squared",
    "The noise covariance scales as 1/b^2: batch exponent 2 (the SGF formula at gamma / b^2).",
    strategy=_BATCH_VARIANT,
    examples={"dev": 1, "ci": 2},
)
def _(inst, ctx):
    return _batch_check(inst, ctx, power=2.0)


# ------------------------------------------------------------------------------ slower is stronger
_SLOW_STRATEGY = strat.sparse_instance(
    n=(6, 10), a=(0.3, 1.0), spread=(0.0, 0.0), f=(1.0, 1.0), s_max_frac=0.3
).map(lambda d: {**d, "standardize": 1})
_SLOW_LEVELS = (0.5, 0.75, 1.0)
_SLOW_H_DIV = 4.0


def _slow_runs(
    inst: dict,
    ctx,
    levels: tuple[float, ...] = _SLOW_LEVELS,
    h_div: float = _SLOW_H_DIV,
    R: int | None = None,
) -> list[tuple[float, float, float]]:
    """(kappa = 2 gamma int L, realised mean shrink, gamma) per path over step levels."""
    data, _, gamma0 = setup(inst)
    R = R or ctx.pick(dev=2, ci=3, thorough=6)
    out = []
    for fm in levels:
        # L <= 1e-8: the kappa still to come (~2 gamma 1e-8 / lambda_min) is negligible
        run = sgf_runs(inst, R, h_div=h_div, scheme="milstein", tol=1e-8, t_max=2000.0, f_mult=fm)
        for r in np.flatnonzero(~run.diverged):
            kappa = 2 * gamma0 * fm * float(run.loss_integral[r])  # diag(X^T X/n) = 1
            out.append((kappa, float(-run.log_shrink[r].mean()), gamma0 * fm))
    return out


def _worst_order_gap(
    key: np.ndarray, val: np.ndarray, *, factor: float = 1.0, relative: bool = False
) -> float:
    """``min (val_i - val_j)`` (divided by ``val_j`` if ``relative``) over the pairs with
    ``key_i > factor key_j``: >= 0 iff ``val`` is ordered like ``key`` there (inf: no such pair)."""
    m = math.inf
    for i in range(len(key)):
        for j in range(len(key)):
            if key[i] > factor * key[j]:
                gap = val[i] - val[j]
                m = min(m, float(gap / val[j] if relative else gap))
    return m


def _slow_check(inst: dict, ctx, variant: str = "") -> Check:
    data, alpha, _ = setup(inst)
    if variant == "coarse_2gamma0":  # the form the thorough run falsified
        pts = sorted(_slow_runs(inst, ctx, levels=(0.5, 1.0, 2.0), h_div=1.0, R=6))
    else:
        pts = sorted(_slow_runs(inst, ctx))
    if len(pts) < 4:
        return Check.inconclusive("too many diverged paths")
    kap = np.array([p[0] for p in pts])
    real = np.array([p[1] for p in pts])
    ratio = real / kap  # realised / predicted shrink: 1 up to the scheme's discretisation error
    if variant == "independent":
        spread = float(real.max() / real.min())
        return Check.upper(spread, 1.1, kappas=kap, realised=real)
    # (1) ordering: a clearly larger kappa (by 25%) gives a larger realised shrink.
    m1 = _worst_order_gap(kap, real, factor=1.25, relative=True)
    # (2) uniform shrink (standardised columns, uniform alpha): closer to the min-l1 interpolant.
    b1 = min_l1_interpolant(data.X, data.y)
    dist = []
    for k in kap:
        b = implicit_for(inst, alpha * math.exp(-k))
        dist.append(float(np.abs(b - b1).sum()))
    dist = np.array(dist)
    m2 = float(np.min(np.diff(-dist))) / (1.0 + float(np.abs(b1).sum()))  # >= 0 if non-increasing
    margin = min(m1, m2 + 1e-9)
    return Check(
        margin >= 0,
        measured={"min_order_gap": m1, "min_l1_distance_decrease": m2},
        predicted=">= 0",
        margin=margin,
        details={
            "kappa": kap,
            "realised_shrink": real,
            "l1_distance": dist,
            "realised_over_kappa": [float(ratio.min()), float(ratio.max())],
        },
    )


@claim(
    id="pesme2021.bias.slower_is_stronger",
    paper=PAPER,
    status="empirical",
    kind="monotone",
    statement=r"Slower convergence, stronger bias: across SGF runs (several steps and paths), a larger "
    r"$\kappa=2\gamma\int L$ gives a smaller "
    r"$\alpha_\infty=\alpha e^{-\kappa\,\mathrm{diag}(X^\top X/n)}$, "
    r"monotonically (realised on the paths, for $\gamma\le\gamma_0$), and for a uniform "
    r"shrink (standardised columns, "
    r"uniform $\alpha$) a limit closer in $\ell_1$ to the minimum-$\ell_1$ interpolant. The "
    r"mechanism ($\ln(\alpha/\alpha_\infty)$ linear in $\gamma\int L$) is derived "
    r"(pesme2021.sgf.ito_product); the monotone approach to min-l1 is observed.",
    strategy=_SLOW_STRATEGY,
    tolerance="Milstein paths (h = gamma/4) at gamma = (0.5, 0.75, 1) gamma_0, run to L <= 1e-8: "
    "any two paths whose kappa differ by > 25% must be ordered. 25% must exceed the "
    "scatter of the realised shrink / kappa (the scheme's pathwise discretisation error): "
    "measured max/min 1.02-1.18 over 6 instances at h = gamma/4, gamma <= gamma_0. The "
    "earlier form (h = gamma, gamma up to 2 gamma_0) was falsified by thorough (gap "
    "-0.0066 on seed 1): there realised/kappa spans 0.94-1.82 (1.6x even at h = gamma/4 "
    "and 2.2x at h = gamma/8 on single 2 gamma_0 paths with large excursions), so the "
    "pathwise ordering is not resolvable at 2 gamma_0 (false variant coarse_2gamma0). "
    "The l1 distance to the LP solution must be "
    "non-increasing in kappa up to 1e-9 (1 + |b_l1|_1) (solver accuracy).",
    assumptions=_P_CONV + " columns scaled to |x_j|^2 = n, uniform alpha, s <= 0.3 n.",
    examples={"dev": 3, "ci": 4, "thorough": 30},
)
def bias_slower_is_stronger(inst: dict, ctx) -> Check:
    """Ordering of realised shrinks by kappa, and l1 distance of the implied limits to min-l1."""
    return _slow_check(inst, ctx)


@bias_slower_is_stronger.false_variant(
    "coarse_2gamma0",
    "The same pathwise ordering with gamma up to 2 gamma_0 and Milstein at h = gamma "
    "(the form falsified by the thorough run).",
    strategy=strat.instances(
        {"n": 6, "d": 9, "s": 1, "a": 1.0, "spread": 0.0, "f": 1.0, "seed": 1, "standardize": 1}
    ),
    examples={"dev": 1, "ci": 1},
)
def _(inst, ctx):
    return _slow_check(inst, ctx, "coarse_2gamma0")


@bias_slower_is_stronger.false_variant(
    "independent",
    "The shrink does not depend on the loss integral (equal within 10% across runs).",
    examples={"dev": 1, "ci": 2},
)
def _(inst, ctx):
    return _slow_check(inst, ctx, "independent")


@bias_slower_is_stronger.false_variant(
    "sgd_seedwise",
    "For discrete SGD at a fixed step, a larger int L gives a larger exact shrink on "
    "every pair of seeds (monotone across seeds).",
    examples={"dev": 1, "ci": 2},
)
def _(inst, ctx):
    run = sgd_runs(inst, 16, tol=1e-10, t_max=3000.0)
    J, ex = run.loss_integral, -run.log_shrink.mean(axis=1)
    m = _worst_order_gap(J, ex)
    return Check.lower(m, 0.0, corr=float(np.corrcoef(J, ex)[0, 1]))


# ------------------------------------------------------------------------------ generalisation
_GEN_STRATEGY = strat.sparse_instance(
    n=(10, 16), d_over_n=(2.0, 2.5), s_max_frac=0.2, a=(0.3, 1.0), f=(1.0, 2.0), spread=(0.0, 0.0)
).map(lambda d: {**d, "standardize": 1})
_GEN_DENSE = strat.sparse_instance(
    n=(3, 6), d_over_n=(1.3, 2.0), s_max_frac=1.0, s_min=2, a=(0.3, 1.5), f=(0.5, 2.0), spread=(0.0, 0.0)
).map(lambda d: {**d, "standardize": 1})


def _gen_sgf_check(inst: dict, ctx, R: int, tol: float) -> Check:
    data, alpha, gamma = setup(inst)
    te_gf = float(data.test_error(implicit_for(inst, alpha)))
    run, h_div = _refined_sgf_runs(inst, R, tol, 2000.0)
    if run.diverged.any() or run.loss.max() > tol:
        return Check.inconclusive("SGF did not converge within its budget")
    te = np.array([data.test_error(_sgf_limit(inst, J)[1]) for J in run.loss_integral])
    # 1e-9 te_gf is the precision of a test error from a 1e-10-certified solve. A difference below
    # it (kappa ~ 1e-6: the two limits agree to ~1e-10) is a tie, not a violation; a resolvable
    # reversal (te_sgf > te_gf (1 + 1e-9)) falsifies. Strictness is reported per path.
    prec = 1e-9 * te_gf
    return Check.upper(
        float(te.max()),
        te_gf,
        tol=prec,
        test_errors_sgf=te,
        kappa=2 * gamma * run.loss_integral,
        h_div=h_div,
        paths_strictly_below=int(np.sum(te < te_gf - prec)),
        paths_tied=int(np.sum(np.abs(te - te_gf) <= prec)),
    )


@claim(
    id="pesme2021.generalisation.sgf_beats_gf",
    paper=PAPER,
    status="empirical",
    kind="comparison",
    statement=r"On sparse regression ($s\le n/5$) with standardised columns (so the SGF shrink "
    r"$\alpha_\infty=\alpha e^{-2\gamma\int L}$ is uniform), every SGF path's limit "
    r"$\hat\beta_{\alpha_\infty}$ has a smaller test error $\|\beta-\beta^\star\|^2$ than the GF "
    r"limit $\hat\beta_\alpha$: never larger beyond the solver's precision, and strictly "
    r"smaller unless the shrink is so small that both limits agree to that precision "
    r"($\kappa=2\gamma\int L\approx3\cdot10^{-6}$ gave a tie at $10^{-10}$ relative). "
    r"This is the scope in which the paper's 'generalises better' "
    r"was observed here; it is not a theorem and fails on dense instances, for non-uniform "
    r"shrinks and for discrete SGD (refuted claims "
    r"pesme2021.generalisation.sgf_beats_gf_every_instance and .sgd_beats_gf).",
    strategy=_GEN_STRATEGY,
    tolerance="per path te_SGF <= te_GF (1 + 1e-9): 1e-9 relative is the precision of a test "
    "error from two 1e-10-certified solves, so a difference below it is a tie (thorough "
    "seed-0 run: 0.0005459008918 vs 0.0005459008919 at kappa 2.6e-6), not a violation; "
    "the count of strictly-below paths is reported. Before the thorough run the check "
    "demanded te_SGF < te_GF (1 - 1e-9), which flagged that tie. int L from Milstein paths "
    "(h = gamma, halved up to twice while a path diverges: the explicit scheme blows up on "
    "some paths at h = gamma for f near 2, and converges at h = gamma/2) run to L <= 1e-10; "
    "deterministic given the seed.",
    assumptions=_P_CONV + " columns scaled to |x_j|^2 = n; n in [10, 16], d in [2n, 2.5n], "
    "s <= n/5, uniform alpha = a in [0.3, 1], f in [1, 2].",
    examples={"dev": 3, "ci": 4, "thorough": 40},
)
def generalisation_sgf_beats_gf(inst: dict, ctx) -> Check:
    """Test error of argmin phi_{alpha_inf} (per SGF path) against that of argmin phi_alpha."""
    return _gen_sgf_check(inst, ctx, ctx.pick(dev=2, ci=3, thorough=6), 1e-10)


@generalisation_sgf_beats_gf.false_variant(
    "improves_by_0_1pct",
    "Every SGF path improves the test error by at least 0.1% over GF (te_SGF <= 0.999 te_GF, to "
    "1e-4 te_GF). Near the boundary: the improvement is real but small at these steps (measured "
    "0.01-0.2% over 6 instances).",
    examples={"dev": 3, "ci": 4},
)
def _(inst, ctx):
    data, alpha, _ = setup(inst)
    te_gf = float(data.test_error(implicit_for(inst, alpha)))
    run, h_div = _refined_sgf_runs(inst, 2, 1e-10, 2000.0)
    if run.diverged.any() or run.loss.max() > 1e-10:
        return Check.inconclusive("SGF did not converge within its budget")
    te = np.array([data.test_error(_sgf_limit(inst, J)[1]) for J in run.loss_integral])
    return Check.upper(float(te.max()), 0.999 * te_gf, tol=1e-4 * te_gf, ratio=te / te_gf)


@claim(
    id="pesme2021.generalisation.sgf_beats_gf_every_instance",
    paper=PAPER,
    status="refuted",
    kind="comparison",
    statement=r"Refuted: the statement of pesme2021.generalisation.sgf_beats_gf on every instance, "
    r"dense and tiny ones included ($s$ up to $n$, $n\le6$). Pinned counterexample: $n=3$, "
    r"$d=4$, $s=2$ (seed 0, standardised): the SGF limit's test error 0.00893 exceeds GF's "
    r"0.00886 (+0.76%).",
    strategy=_GEN_DENSE,
    pinned=[{"n": 3, "d": 4, "s": 2, "a": 1.0, "spread": 0.0, "f": 1.0, "seed": 0, "standardize": 1}],
    tolerance="as pesme2021.generalisation.sgf_beats_gf (1e-9 relative: the solver's precision); "
    "one SGF path per instance, run to L <= 1e-6.",
    assumptions=_P_CONV + " columns scaled to |x_j|^2 = n; n in [3, 6], s in [2, n].",
    examples={"dev": 3, "ci": 20, "thorough": 300},
)
def generalisation_sgf_beats_gf_every_instance(inst: dict, ctx) -> Check:
    """The SGF-beats-GF comparison on dense and tiny instances."""
    return _gen_sgf_check(inst, ctx, 1, 1e-6)


_SGD_GEN_COUNTEREXAMPLE = {"n": 9, "d": 18, "s": 1, "a": 1.0, "spread": 0.0, "f": 2.0, "seed": 0}


@claim(
    id="pesme2021.generalisation.sgd_beats_gf",
    statistical=True,
    paper=PAPER,
    status="refuted",
    kind="comparison",
    statement=r"Refuted: discrete SGD generalises better than GF on every sparse instance: its "
    r"seed-mean test error is below GF's. Pinned counterexample ($n=9$, $d=18$, $s=1$, "
    r"$a=1$, $\gamma=2\gamma_0$, seed 0): SGD's mean test error 0.50 against GF's 0.032; "
    r"SGD shrinks the off-support coordinates as much as the support.",
    strategy=strat.fixed_family(n=9, d=18, s=1, a=1.0, f=2.0, seeds=1 << 20),
    pinned=[_SGD_GEN_COUNTEREXAMPLE],
    tolerance="one-sided t-test over 32 SGD seeds (batch 1, run to L <= 1e-10) of mean test error "
    "<= GF's at the claim's level, on the errors capped at 10x GF's (a lower bound of the mean: "
    "the uncapped errors are heavy-tailed, p = 0.003 at the pinned instance, too close to the "
    "thorough level 3e-4); a rejection falsifies.",
    assumptions=_P_CONV + " n = 9, d = 18, s = 1, a = 1, gamma = 2 gamma_0.",
    examples={"dev": 3, "ci": 3, "thorough": 30},
)
def generalisation_sgd_beats_gf(inst: dict, ctx) -> Check:
    """Seed-mean test error of discrete SGD against GF's (one-sided t-test)."""
    from scipy import stats

    data, alpha, _ = setup(inst)
    te_gf = float(data.test_error(implicit_for(inst, alpha)))
    run = sgd_runs(inst, 32, tol=1e-10, t_max=3000.0)
    te = data.test_error(run.beta[~run.diverged])
    if te.size < 8:
        return Check.inconclusive("too many diverged replicas")
    # The test errors are heavy-tailed (a few seeds 10-100x GF's), which makes a t-test on the mean
    # weak. E[te] >= E[min(te, c)] for any cap c, so the one-sided t-test runs on the capped errors
    # (c = 10 te_GF): a rejection of E[min(te, c)] <= te_GF rejects E[te] <= te_GF (conservative).
    cap = np.minimum(te, 10.0 * te_gf)
    m, se = float(cap.mean()), float(cap.std(ddof=1) / math.sqrt(cap.size))
    p = float(stats.t.sf((m - te_gf) / max(se, 1e-300), cap.size - 1))
    q = float(stats.t.ppf(1 - ctx.level, cap.size - 1))
    sup = data.beta_star != 0
    shrink = -run.log_shrink[~run.diverged]
    return Check.test(
        reject=m - q * se > te_gf,
        p_value=p,
        level=ctx.level,
        supports=m + q * se < te_gf,
        measured=float(te.mean()),
        predicted=te_gf,
        capped_mean=m,
        R=int(te.size),
        median=float(np.median(te)),
        paths_worse=int(np.sum(te > te_gf)),
        shrink_on_support=float(shrink[:, sup].mean()),
        shrink_off_support=float(shrink[:, ~sup].mean()),
    )


# ------------------------------------------------------------------------------ convergence
_CONV_STRATEGY = strat.sparse_instance(n=(5, 12), a=(0.3, 1.0), f=(0.5, 1.0), spread=(0.0, 0.3))
_CONV_CAP = 10.0  # the falsified pathwise cap (false variant pathwise_cap_10)


def _conv_check(
    inst: dict, ctx, f_mult: float = 1.0, cap: float | None = None, R: int | None = None
) -> Check:
    data, alpha, gamma = setup(inst)
    R = R or ctx.pick(dev=3, ci=4, thorough=16)
    run = sgf_runs(inst, R, h_div=2.0, scheme="milstein", tol=1e-10, t_max=3000.0, f_mult=f_mult)
    J_gf = 0.5 * potential(implicit_for(inst, alpha), alpha)
    if run.diverged.any():
        bad = np.flatnonzero(run.diverged).tolist()
        # margin: minus the fraction of diverged paths, tolerance one path (sharpness = paths)
        return Check(
            False,
            measured={"diverged_replicas": bad},
            predicted="none",
            margin=-float(run.diverged.mean()),
            tolerance=1.0 / R,
            details={"steps": run.steps, "R": R},
        )
    if run.loss.max() > 1e-10:
        return Check.inconclusive(
            f"not converged within t = {run.time:g} (L = {float(run.loss.max()):.2g}); rate unknown",
            measured=float(run.loss.max()),
        )
    ratios = run.loss_integral / J_gf
    details = dict(
        final_loss=float(run.loss.max()),
        time=run.time,
        loss_integral=run.loss_integral,
        gf_loss_integral=J_gf,
        ratio_max=float(ratios.max()),
        ratio_median=float(np.median(ratios)),
        ratio_mean=float(ratios.mean()),
    )
    if cap is not None:
        return Check.upper(float(ratios.max()), cap, **details)
    if not np.all(np.isfinite(run.loss_integral)):
        return Check(
            False,
            measured={"loss_integral": run.loss_integral},
            predicted="finite",
            margin=-1.0,
            details=details,
        )
    # Every path reached L <= 1e-10 with a finite loss integral: the claim. The ratio to GF's
    # int L is reported (heavy-tailed across paths), not bounded.
    return Check.upper(float(run.loss.max()), 1e-10, **details)


@claim(
    id="pesme2021.convergence",
    paper=PAPER,
    status="theorem",
    kind="upper_bound",
    statement=r"Below a step-size bound, SGF converges: on every path $L(\beta_t)\to0$ and "
    r"$\int_0^\infty L\,dt<\infty$. The paper's constant is unknown (reconstructed); checked "
    r"for $\gamma\le\gamma_0$ (about a fifth of the measured SGD edge). No pathwise cap "
    r"$\int L_{SGF}\le C\int L_{GF}$ holds with a fixed $C$: the ratio is heavy-tailed "
    r"across paths (median ~1-2, single paths above 30; false variant pathwise_cap_10).",
    strategy=_CONV_STRATEGY,
    tolerance="every path must reach L <= 1e-10 (Milstein, h = gamma/2) within t = 3000 with a "
    "finite int L (else inconclusive: no rate is encoded); a diverged path falsifies. "
    "The ratio int L_SGF / int L_GF (int L_GF = phi_alpha(beta_hat)/2) is reported in the "
    "details, not bounded: the earlier empirical cap 10 was a heuristic that the thorough "
    "run falsified (ratio 31.5 on one of 16 paths of n=5, d=12, seed 5, f=1; the other 15 "
    "paths 0.6-4.2), and the paper asserts finiteness, not a constant.",
    assumptions=_P_CONV + " f in [0.5, 1].",
    examples={"dev": 3, "ci": 4, "thorough": 40},
)
def convergence(inst: dict, ctx) -> Check:
    """Every SGF path converges (L <= 1e-10) with a finite loss integral; the ratio to GF's
    integral is reported."""
    return _conv_check(inst, ctx)


@convergence.false_variant(
    "up_to_4_gamma0",
    "SGF converges on every path up to gamma = 4 gamma_0 (just below the measured SGD edge "
    "3.8-6 gamma_0; the claim is checked up to gamma_0). Near the boundary: at 4 gamma_0, 0-50% "
    "of 8 paths diverge (Milstein, h = gamma/2; 7 instances), at 10 gamma_0 88-100%. Replaces "
    "any_step_size (15 gamma_0, where every path diverged). Sharpness counts diverged paths.",
    examples={"dev": 3, "ci": 4},
)
def _(inst, ctx):
    return _conv_check(inst, ctx, f_mult=4.0 / inst["f"], R=8)


@convergence.false_variant(
    "pathwise_cap_10",
    "On every path int L_SGF <= 10 int L_GF (the claim's earlier empirical cap), 16 paths.",
    strategy=strat.instances({"n": 5, "d": 12, "s": 1, "a": 1.0, "spread": 0.0, "f": 1.0, "seed": 5}),
    examples={"dev": 1, "ci": 2},
)
def _(inst, ctx):
    return _conv_check(inst, ctx, cap=_CONV_CAP, R=16)
