r"""Claims of Zou, Cao, Zhou, Gu (``deep_relu_width.*``), spec ``related_claims.md`` section 6.

The theorem's widths (high-degree polynomials in n) cannot be instantiated, so the claims are
``empirical`` checks **in the spirit** of the theorem ([design]); only the duplicate control is
``derived``. Statistical decisions: Student-t intervals over initialisations (the statistical unit) at
the per-instance level ``ctx.level``, Bonferroni over the comparisons inside an instance.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from theorems import Check, Citation, Context, claim
from theorems.deep_relu_width import formulas as F
from theorems.deep_relu_width.figures import movement_against_width
from theorems.deep_relu_width.instances import seeds

ZOU = Citation(
    authors="D. Zou, Y. Cao, D. Zhou, Q. Gu",
    year=2018,
    title="Stochastic Gradient Descent Optimizes Over-parameterized Deep ReLU Networks",
    venue="arXiv; Machine Learning (2020), DOI 10.1007/s10994-019-05839-6",
    arxiv="1811.08888",
    where="abstract; setting reconstructed, width/step exponents not recovered (spec section 6)",
)
HEAVY = {"dev": 3, "ci": 3, "thorough": 10}


def _sweep(inst: dict, ctx: Context) -> dict[int, F.WidthRun]:
    c = F.config(ctx.profile)
    return F.gd_sweep(inst["seed"], c["widths"], c["replicas"])


def _fit_check(runs: list[F.WidthRun], bounds: list[F.NTKBound], scale: float = 1.0) -> Check:
    """Every replica at 100% accuracy, loss decreasing, final loss <= ``scale`` x the linearised-GD bound."""
    if any(float(b.eta_beta.max()) > 1 for b in bounds):
        return Check.inconclusive(
            "eta > 4n/lambda_max(K_0): the linearised GD guarantee does not apply",
            eta_beta={b.width: float(b.eta_beta.max()) for b in bounds},
        )
    below = [r.loss[-1] <= scale * b.bound for r, b in zip(runs, bounds, strict=True)]
    ok = [r.fits & lo for r, lo in zip(runs, below, strict=True)]
    ratio = max(float((r.loss[-1] / b.bound).max()) for r, b in zip(runs, bounds, strict=True))
    acc = min(float(r.accuracy.min()) for r in runs)
    return Check(
        all(o.all() for o in ok),
        measured=int(sum(o.sum() for o in ok)),
        predicted=sum(len(o) for o in ok),
        margin=float(acc - 1.0 if acc < 1 else scale - ratio),  # accuracy first, then the bound
        details={
            "fitting_replicas_by_width": {r.width: int(o.sum()) for r, o in zip(runs, ok, strict=True)},
            "max_loss_over_bound": ratio,
            "final_loss_max": {r.width: float(r.loss[-1].max()) for r in runs},
            "bound_min": {b.width: float(b.bound.min()) for b in bounds},
            "lambda_0_over_n_min": {b.width: float(b.lam_min.min() / F.N_SAMPLES) for b in bounds},
            "eta_beta_max": {b.width: float(b.eta_beta.max()) for b in bounds},
            "min_accuracy": {r.width: float(r.accuracy.min()) for r in runs},
            "diverged": sum(r.diverged for r in runs),
        },
    )


def _fits(inst: dict, ctx: Context, widths: tuple[int, ...] | None = None, scale: float = 1.0) -> Check:
    c = F.config(ctx.profile)
    widths = widths or c["fit_widths"]
    R = c["fit_replicas"]
    runs = [F.gd_width(inst["seed"], m, R) for m in widths]
    return _fit_check(runs, [F.ntk_bound(inst["seed"], m, R) for m in widths], scale)


@claim(
    id="deep_relu_width.gd_fits",
    paper=ZOU,
    status="empirical",
    kind="lower_bound",
    statement=r"**In spirit** ([design]; the theorem's widths are far larger): GD with $\eta = 1/m$ "
    r"on a 3-hidden-layer ReLU net with fixed output layer and $N(0, 2/m)$ init fits $n = 20$ separable "
    r"unit-norm points ($d = 10$, bias coordinate $\mu = 1/\sqrt2$, random labels) at least as fast as "
    r"its linearisation at init is guaranteed to: after $T = 400$ steps every initialisation has 100% "
    r"training accuracy, a still-decreasing loss, and $L_T \le \min_{q \ge 0}[\log(1 + e^{-q}) + "
    r"(qy - f_0)^\top K_0^{-1}(qy - f_0)/(2\eta T)]$ ($K_0$ the NTK Gram at init, the convex GD rate, "
    r"valid as $\eta\lambda_{\max}(K_0)/(4n) \le 1$), at $m \in \{64, 128, 256\}$ ($m = 64$ at dev). "
    r"Restated (issue 16): the spec's fixed bar $L_{400} < 0.15$ had no derivation and failed at ci on "
    r"3 of 20 seeds (losses 0.152-0.174, all at 100% accuracy).",
    strategy=seeds,
    tolerance="exact: accuracy 1.0 and the derived bound, no slack (largest L_400/bound per instance "
    "0.28 at dev, 0.46-0.50 on the three former ci counterexamples; bounds 0.24-0.30; "
    "eta lambda_max/(4n) 0.14-0.30 <= 1).",
    examples=HEAVY,
)
def gd_fits(inst: dict, ctx: Context) -> Check:
    """``formulas.gd_width`` runs against ``formulas.ntk_bound`` (3 initialisations per width at dev, 8 at
    ci, 10 at thorough)."""
    return _fits(inst, ctx)


@gd_fits.false_variant(
    "narrow_width_fits",
    "Over-parameterisation is not needed: the same GD fits at width m = 8 too "
    "(every one of the initialisations, same criterion).",
)
def _(inst: dict, ctx: Context) -> Check:
    return _fits(inst, ctx, widths=(8,))


@gd_fits.false_variant(
    "linear_rate",
    "The squared-loss NTK rate carries over: the loss falls linearly, L_T <= L_0 exp(-eta lambda_0 T/n) "
    "(steps ~ log(1/eps)/(eta lambda_0)). False for the logistic loss, whose curvature vanishes as it fits.",
)
def _(inst: dict, ctx: Context) -> Check:
    c = F.config(ctx.profile)
    m, R = c["fit_widths"][0], c["fit_replicas"]
    r, b = F.gd_width(inst["seed"], m, R), F.ntk_bound(inst["seed"], m, R)
    pred = r.loss[0] * np.exp(-b.lam_min / (m * F.N_SAMPLES) * F.GD_STEPS)
    return Check.upper(float((r.loss[-1] / pred).max()), 1.0, loss=r.loss[-1].tolist(), pred=pred.tolist())


@claim(
    id="deep_relu_width.sgd_fits",
    paper=ZOU,
    status="empirical",
    kind="lower_bound",
    statement=r"**In spirit** ([design]): batch-1 SGD with $\eta = 0.5/m$ reaches 100% training accuracy "
    r"within 4000 steps on the data of ``gd_fits``, at $m \in \{64, 256\}$ ($m = 64$ at dev).",
    strategy=seeds,
    tolerance="exact: every replica (2 per width) at 100% accuracy at a check (every 250 steps).",
    examples=HEAVY,
)
def sgd_fits(inst: dict, ctx: Context) -> Check:
    """``formulas.sgd_run``: stops at the first check where every replica fits."""
    res = {m: F.sgd_run(inst["seed"], m) for m in F.config(ctx.profile)["sgd_widths"]}
    ok = all(r["steps"] is not None for r in res.values())
    return Check(
        ok,
        measured={m: r["steps"] for m, r in res.items()},
        predicted=F.SGD_MAX_STEPS,
        details={
            "accuracy": {m: r["accuracy"].tolist() for m, r in res.items()},
            "loss": {m: r["loss"].tolist() for m, r in res.items()},
        },
    )


@sgd_fits.false_variant(
    "narrow_width_fits", "The same SGD fits at width m = 4 too (both replicas within 4000 steps)."
)
def _(inst: dict, ctx: Context) -> Check:
    r = F.sgd_run(inst["seed"], 4)
    return Check.lower(float(r["accuracy"].min()), 1.0, steps=r["steps"], accuracy=r["accuracy"].tolist())


# ============================================================================ movement
def _t_interval(x: np.ndarray, level: float) -> tuple[float, float, float, float]:
    x = np.asarray(x, float)
    m, se = float(x.mean()), float(x.std(ddof=1) / math.sqrt(x.size))
    h = float(stats.t.ppf(1 - level / 2, x.size - 1)) * se
    return m, se, m - h, m + h


def _movement_test(inst: dict, ctx: Context, lo: float, hi: float) -> Check:
    """Mean over initialisations of the per-initialisation log-log slope lies in ``[lo, hi]``."""
    sw = _sweep(inst, ctx)
    widths = F.config(ctx.profile)["widths"]
    mov = np.array([sw[m].movement for m in widths])  # (n_widths, R)
    slopes = F.loglog_slopes(widths, mov)
    m, se, a, b = _t_interval(slopes, ctx.level)
    dist = max(lo - m, m - hi, 0.0)
    p = float(2 * stats.t.sf(dist / se, slopes.size - 1))
    means = mov.mean(axis=1)
    return Check.test(
        reject=b < lo or a > hi,
        p_value=p,
        level=ctx.level,
        supports=lo <= a and b <= hi,
        measured=m,
        predicted=[lo, hi],
        margin=min(a - lo, hi - b),
        slope_ci=(a, b),
        slopes=slopes.round(4).tolist(),
        mean_movement={w: float(v) for w, v in zip(widths, means, strict=True)},
        mean_decreasing=bool(np.all(np.diff(means) < 0)),
    )


@claim(
    id="deep_relu_width.movement_shrinks_with_width",
    statistical=True,
    paper=ZOU,
    status="empirical",
    kind="rate",
    statement=r"**In spirit** ([design]; the theorem bounds $\|W_l - W_l^0\|_2 \lesssim "
    r"{\rm poly}(n, L)\,m^{-1/2}$): after the 400 GD steps of ``gd_fits`` the relative movement "
    r"$\max_l\|W_l - W_l^0\|_F/\|W_l^0\|_F$ falls with the width: its log-log slope against $m$ "
    r"(least squares per initialisation, averaged) lies in $[-0.8, -0.35]$ (heuristic $-1/2$; "
    r"measured $\approx -0.5$) over "
    r"$m \in \{32, 64, 128, 256\}$ ($\{8, 32\}$ at dev).",
    strategy=seeds,
    closed_form=r"slope $\approx -1/2$",
    tolerance="the slope band [-0.8, -0.35] is the spec's; a t-interval over initialisations (16 at "
    "dev, 8 at ci, 10 at thorough) at ctx.level must lie inside it.",
    examples=HEAVY,
)
def movement_shrinks_with_width(inst: dict, ctx: Context) -> Check:
    """Per-initialisation least-squares slopes (``formulas.loglog_slopes``) from ``gd_sweep``."""
    return _movement_test(inst, ctx, -0.8, -0.35)


@movement_shrinks_with_width.false_variant(
    "order_one", "The relative movement is O(1) regardless of width (slope within [-0.1, 0.1])."
)
def _(inst: dict, ctx: Context) -> Check:
    return _movement_test(inst, ctx, -0.1, 0.1)


@movement_shrinks_with_width.false_variant(
    "grows_with_width", "The relative movement grows with width (slope >= 0)."
)
def _(inst: dict, ctx: Context) -> Check:
    return _movement_test(inst, ctx, 0.0, math.inf)


@movement_shrinks_with_width.false_variant(
    "inverse_width",
    "Lazy training at rate 1/m: the relative movement scales like m^-1 (slope in [-1.15, -0.85]).",
)
def _(inst: dict, ctx: Context) -> Check:
    return _movement_test(inst, ctx, -1.15, -0.85)


# ============================================================================ control
def _pair_bound() -> float:
    D = F.derive_pair_bound()
    if not (D["g_prime_at_0"] == 0 and D["g_second_positive"]):
        raise AssertionError(f"sympy derivation of the pair bound failed: {D}")
    return float(D["minimum"]) / F.N_SAMPLES


@claim(
    id="deep_relu_width.duplicate_control",
    paper=ZOU,
    status="derived",
    kind="lower_bound",
    statement=r"Control for the separation assumption ([design], model-agnostic): if $x_2 = x_1$ with "
    r"$y_2 = -y_1$, then for every network and at every step the mean logistic loss is "
    r"$\ge 2\log 2/n$ (since $\ell(z) + \ell(-z) \ge 2\log 2$, sympy) and the accuracy is "
    r"$\le 1 - 1/n$. GD at $m = 32$ cannot fit it.",
    strategy=seeds,
    closed_form=r"$\min_z \ell(z) + \ell(-z) = 2\log 2$ at $z = 0$",
    tolerance="exact bound (float round-off only; checked at all 400 steps of 2 initialisations at dev, "
    "4 at ci/thorough).",
    examples={"dev": 3, "ci": 5, "thorough": 20},
)
def duplicate_control(inst: dict, ctx: Context) -> Check:
    """``formulas.duplicate_control``: minimum over the path of the recorded loss, and the accuracy."""
    r = F.duplicate_control(inst["seed"], replicas=F.config(ctx.profile)["dup_replicas"])
    bound = _pair_bound()
    acc_ok = bool(np.all(r["accuracy"] <= 1 - 1 / F.N_SAMPLES))
    chk = Check.lower(float(r["min_loss"].min()), bound, tol=1e-12, max_accuracy=float(r["accuracy"].max()))
    chk.ok = chk.ok and acc_ok
    return chk


@duplicate_control.false_variant(
    "fits_without_separation",
    "GD reaches zero training error even without separation (on the data "
    "with the opposite-label duplicate), as on separable data.",
)
def _(inst: dict, ctx: Context) -> Check:
    r = F.duplicate_control(inst["seed"], replicas=F.config(ctx.profile)["dup_replicas"])
    return Check.lower(float(r["accuracy"].min()), 1.0, final_loss=r["final_loss"].tolist())


movement_shrinks_with_width.add_figures(movement_against_width)
