r"""Claims of Gunasekar, Lee, Soudry, Srebro (2018), in the paper's order (spec ``related_claims.md`` §1).

Regression: $L(w) = \frac1{2n}\|Xw - y\|^2$ (``sim.LeastSquares``; the spec's sum loss with $\eta$ scaled by
$n$), underdetermined, $y = Xw_{\rm true}$. Classification: label-absorbed separable data, exponential loss.
All runs are the discrete methods of the theorems (mirror descent and steepest descent are discrete there).
"""

from __future__ import annotations

import numpy as np

import sim
from sim.optimizers import gd, mirror_descent, steepest_descent
from theorems import Check, Citation, Context, claim
from theorems.optimization_geometry import figures
from theorems.optimization_geometry import instances as I
from theorems.optimization_geometry.formulas import bregman_limit, max_margin, min_norm_interpolant

PAPER = Citation(
    authors="S. Gunasekar, J. D. Lee, D. Soudry, N. Srebro",
    year=2018,
    title="Characterizing Implicit Bias in Terms of Optimization Geometry",
    venue="ICML, PMLR 80:1832-1841",
    arxiv="1802.08246",
    where="Sections 2-4 (reconstructed from the abstract and restatements)",
)
REG = (
    "X ~ U[-3,3]^{n x d}, n in [1,4], d in [n+1,8], sigma_min(X) >= 0.5, y = X w_true with "
    "w_true ~ U[0.5,1.5]^d, w0 ~ U[0.5,1.5]^d, Q = diag(U[0.2,5])."
)


def _converged(res: float, y: np.ndarray) -> bool:
    return res <= 1e-10 * (1 + np.abs(y).max())


def _gd_limit(inst: dict) -> tuple[np.ndarray, np.ndarray, I.Regression, float]:
    D = I.regression_data(inst)
    P = sim.LeastSquares(D.X, D.y)
    eta = inst["n"] / np.linalg.norm(D.X, 2) ** 2
    w, _, res = I.converge(P, gd(np.array([eta, eta / 2])), np.tile(D.w0, (2, 1)))
    return w, D.w0 + np.linalg.pinv(D.X) @ (D.y - D.X @ D.w0), D, res


@claim(
    id="optimization_geometry.gd_projection",
    paper=PAPER,
    status="theorem",
    kind="equality",
    statement=r"GD with $\eta < 2/\lambda_{\max}(\nabla^2L)$ on underdetermined least squares converges to "
    r"$w_0 + X^+(y - Xw_0) = \arg\min_{Xw = y}\|w - w_0\|_2$ (the iterates stay in $w_0 + $ row$(X)$).",
    strategy=I.regression(("quadratic",)),
    assumptions=REG,
    examples={"dev": 3, "ci": 10, "thorough": 100},
    closed_form="w_inf = w0 + X^+ (y - X w0)",
    tolerance="1e-10 (1 + ||w||_inf) (the spec's T1; runs stop at ||Xw - y||_inf <= 1e-12 (1 + ||y||_inf)).",
)
def gd_projection(inst: dict, ctx: Context) -> Check:
    """GD at eta = n/sigma_max^2 and eta/2 (two replicas) until interpolation; compare with the projection."""
    w, pred, D, res = _gd_limit(inst)
    if not _converged(res, D.y):
        return Check.inconclusive("GD did not interpolate within 2e4 steps", residual=res)
    return Check.close(w, np.tile(pred, (2, 1)), atol=float(1e-10 * (1 + np.abs(pred).max())), residual=res)


@gd_projection.false_variant(
    "min_norm_from_any_start", "GD from w0 != 0 reaches X^+ y, the min-norm interpolant."
)
def _(inst: dict, ctx: Context) -> Check:
    w, _, D, _ = _gd_limit(inst)
    pred = np.linalg.pinv(D.X) @ D.y
    return Check.close(w, np.tile(pred, (2, 1)), atol=float(1e-10 * (1 + np.abs(pred).max())))


def _md_limits(inst: dict) -> tuple[np.ndarray, np.ndarray, I.Regression, float]:
    """MD at eta and eta/2 (replicas) and single-row stochastic MD at eta/n; and the Bregman projection."""
    D = I.regression_data(inst)
    P = sim.LeastSquares(D.X, D.y)
    pot = I.potential_of(inst["potential"], D)
    target = bregman_limit(D.X, D.y, D.w0, inst["potential"], Q=D.Q)
    scale = {
        "quadratic": D.Q.min(),
        "entropy": 1 / max(np.abs(target).max(), D.w0.max()),
        "l3": 0.3 / max(np.abs(target).max(), D.w0.max()),
    }[inst["potential"]]
    eta = 0.5 * inst["n"] * scale / np.linalg.norm(D.X, 2) ** 2
    w, _, r1 = I.converge(P, mirror_descent(np.array([eta, eta / 2]), pot), np.tile(D.w0, (2, 1)))
    ws, _, r2 = I.converge(
        P, mirror_descent(eta / inst["n"], pot), D.w0, batch_size=1, seed=inst["seed"], max_steps=30_000
    )
    return np.vstack([w, ws]), target, D, max(r1, r2)


@claim(
    id="optimization_geometry.mirror_projection",
    paper=PAPER,
    status="theorem",
    kind="equality",
    statement=r"Mirror descent $\nabla\psi(w_{t+1}) = \nabla\psi(w_t) - \eta_t\nabla L(w_t)$ that "
    r"converges to an "
    r"interpolant reaches $\arg\min_{Xw = y}D_\psi(w, w_0)$ whatever the step sizes, and so does "
    r"stochastic (single-row) MD: $\nabla\psi(w_t) - \nabla\psi(w_0) \in$ row$(X)$ is the projection's "
    r"KKT condition. Potentials: quadratic, entropy (exponentiated gradient), $\frac13\sum|w|^3$.",
    strategy=I.regression(),
    assumptions=REG,
    examples={"dev": 3, "ci": 10, "thorough": 100},
    closed_form="grad psi(w) = grad psi(w0) + X^T lambda, Xw = y "
    "(theorems.optimization_geometry.bregman_limit)",
    tolerance="1e-8 (1 + ||w_B||_inf) (the spec's T2/T3; the dual Newton solve and the runs reach ~1e-13).",
)
def mirror_projection(inst: dict, ctx: Context) -> Check:
    """Two deterministic step sizes and a stochastic run until interpolation, against the Bregman
    projection computed independently (dual Newton on psi*, not the integrator); conditional on
    convergence (an unconverged run is inconclusive)."""
    w, target, D, res = _md_limits(inst)
    if not _converged(res, D.y):
        return Check.inconclusive("MD did not interpolate within the step budget", residual=res)
    return Check.close(
        w, np.tile(target, (3, 1)), atol=float(1e-8 * (1 + np.abs(target).max())), residual=res
    )


@mirror_projection.false_variant(
    "l2_projection",
    "Mirror descent with any potential reaches the l2 projection w0 + X^+(y - X w0).",
    strategy=I.regression(("entropy", "l3")),
)
def _(inst: dict, ctx: Context) -> Check:
    w, target, D, _ = _md_limits(inst)
    pred = D.w0 + np.linalg.pinv(D.X) @ (D.y - D.X @ D.w0)
    return Check.close(w, np.tile(pred, (3, 1)), atol=float(1e-8 * (1 + np.abs(pred).max())))


def _sd_limits(inst: dict, ctx: Context) -> tuple[np.ndarray, np.ndarray, float, I.Regression, float]:
    """Both step sizes run in two halves of the budget (a restart equals continuing: the steps are
    memoryless); returns (w, min-norm interpolant, residual, data, residual after the first half)."""
    rng = np.random.default_rng(inst["seed"])
    n = 1 + inst["seed"] % 3
    d = n + 2 + (inst["seed"] // 3) % 3
    X = rng.normal(size=(n, d))
    D = I.Regression(X, X @ rng.uniform(0.5, 1.5, d), np.zeros(d), np.ones(d))
    P = sim.LeastSquares(D.X, D.y)
    if inst["norm"] == 1:
        etas = np.array([0.5, 1.0]) * n / (X**2).sum(axis=0).max()
    else:
        etas = np.array([0.1, 0.2]) * n / (d * np.linalg.norm(X, 2) ** 2)
    half = ctx.pick(dev=10_000, ci=20_000, thorough=50_000)
    opt = steepest_descent(etas, inst["norm"])
    w, _, res_half = I.converge(P, opt, np.zeros((2, d)), max_steps=half)
    res = res_half
    if not _converged(res_half, D.y):
        w, _, res = I.converge(P, opt, w, max_steps=half)
    return w, min_norm_interpolant(D.X, D.y, inst["norm"]), res, D, res_half


@claim(
    id="optimization_geometry.steepest_interpolates",
    paper=PAPER,
    status="theorem",
    kind="equality",
    statement=r"Steepest descent w.r.t. the $\ell_1$ norm (greedy coordinate steps) or the $\ell_\infty$ "
    r"norm "
    r"(sign steps $-\eta\|g\|_1\mathrm{sign}(g)$) with a small fixed step converges to an interpolant "
    r"$Xw = y$; its limit is in general *not* $\arg\min_{Xw=y}\|w\|$ in its own norm and moves with "
    r"$\eta$ (the false variants).",
    strategy=I.steepest(),
    examples={"dev": 3, "ci": 10, "thorough": 100},
    assumptions="X ~ N(0,1)^{n x d}, n = 1 + seed % 3, d = n + 2 + (seed // 3) % 3, y = X w_true, w_true "
    "~ U[0.5,1.5]^d, w0 = 0; "
    "eta in {0.5, 1} n/max_j ||X_j||^2 (l1) or {0.1, 0.2} n/(d sigma_max^2) (linf).",
    closed_form="X w_inf = y",
    tolerance="||Xw - y||_inf <= 1e-10 (1 + ||y||_inf) after the run (it stops at 1e-12, or after 2e4 steps "
    "(dev), 4e4 (ci), 1e5 (thorough)). The convergence is linear at a rate set by kappa(X): of 512 draws, "
    "4 need more than 2e4 steps (kappa >= 7.8; seed 230, kappa 24.7, needs 4e4 (l1) and > 1e5 (linf)). "
    "A run still above the tolerance at the end of the budget is inconclusive if the residual still shrank "
    "to <= 0.6x over the second half (linear convergence, budget too small), and falsified if it stalled.",
)
def steepest_interpolates(inst: dict, ctx: Context) -> Check:
    """Run both step sizes until interpolation; the residual is the measurement."""
    _, _, res, D, res_half = _sd_limits(inst, ctx)
    tol = float(1e-10 * (1 + np.abs(D.y).max()))
    # A stall (the failure the claim excludes) leaves the residual flat over the second half (ratio -> 1);
    # a run that converges linearly but slowly (ill-conditioned X) shrinks it by a fixed factor per half.
    # The strategy's 512 instances were all run: the slowest (seed 230, linf, kappa 24.7) shrinks its
    # residual by 0.40 over the second dev half (1e4 -> 2e4 steps) and 0.16 over the ci half; 0.6 is near
    # the geometric mean of 0.4 and 1.
    if res > tol and res <= 0.6 * res_half:
        return Check.inconclusive(
            "not converged within the step budget, still contracting linearly (ill-conditioned X)",
            residual=res,
            residual_half_budget=res_half,
            kappa=float(np.linalg.cond(D.X)),
        )
    return Check.upper(res, tol, residual_half_budget=res_half)


@steepest_interpolates.false_variant(
    "own_norm_minimal",
    "Steepest descent reaches argmin ||w|| s.t. Xw = y in its own norm (within 1e-2 relative).",
    examples={"dev": 10, "ci": 20, "thorough": 100},
)
def _(inst: dict, ctx: Context) -> Check:
    w, wmin, res, D, _ = _sd_limits(inst, ctx)
    o = 1 if inst["norm"] == 1 else np.inf
    if not _converged(res, D.y):
        return Check.inconclusive("did not interpolate", residual=res)
    gap = float(np.max(np.linalg.norm(w, ord=o, axis=1)) / np.linalg.norm(wmin, ord=o) - 1)
    return Check.upper(gap, 1e-2)


@steepest_interpolates.false_variant(
    "step_independent",
    "The steepest-descent limit does not depend on the step size (limits at eta and 2 eta within 1e-2).",
    # about 1 draw in 6 moves the limit by more than 1e-2: 20 draws find one on ~97% of seeds (a 20-seed
    # sweep found it on only 8 of 20 seeds with the claim's 3)
    examples={"dev": 20, "ci": 40, "thorough": 100},
)
def _(inst: dict, ctx: Context) -> Check:
    w, _, res, D, _ = _sd_limits(inst, ctx)
    if not _converged(res, D.y):
        return Check.inconclusive("did not interpolate", residual=res)
    return Check.upper(float(np.abs(w[0] - w[1]).max()), 1e-2)


def _margin_gaps(inst: dict, ctx: Context, run_norm, measure_norm) -> tuple[list[float], float, dict]:
    seed = I.data_seed(inst, ctx.profile)
    # thorough: 3e4, since data seed 34 (thorough pool only, gamma_inf = 0.34) closes like 1/t but is still
    # at 3.7e-3 > 2e-3 at t = 1e4 (1.1e-3 at 3.2e4)
    T = ctx.pick(dev=3000, ci=10_000, thorough=30_000)
    runs = I.steepest_classification(seed, T)
    Z = I.classification_data(seed)
    mm = max_margin(Z, measure_norm)
    o = I.NORMS[measure_norm][0]
    gaps = [mm.gamma - I.normalized_margin(Z, w, o) for w in runs[run_norm]["w"]]
    return gaps, mm.gamma, {"seed": seed, "T": T, "times": runs[run_norm]["times"].tolist()}


def _closing(gaps: list[float], tol: float) -> tuple[bool, float]:
    """The finite-budget form of "the own-norm gap -> 0": gap_T <= tol and still closing, gap_T <= 0.6
    gap_{T/3} (a 1/t rate gives 1/3; over data seeds 0-39 at T = 1e4 the l2 ratio is 0.27-0.45 and the
    linf one 0-0.50, the gap zigzags; at T = 3000 up to 0.52 (dev pool seed 6, linf); the l1 plateau of
    data seed 2 gives 0.77) unless gap_T <= tol/10. Returns the verdict and the binding margin (in gap
    units, negative when it fails: the old check reported only tol - gap_T, positive while the trend
    sub-check failed)."""
    g3, gT = gaps[-2], gaps[-1]
    margin = min(tol - gT, max(0.6 * g3, tol / 10) - gT)
    return margin >= 0, margin


def _own_norm_check(inst: dict, ctx: Context, norms: tuple) -> Check:
    tol = ctx.pick(dev=5e-3, ci=2e-3)
    det: dict = {}
    margins = []
    info: dict = {}
    for norm in norms:
        gaps, gamma, info = _margin_gaps(inst, ctx, norm, norm)
        ok, m = _closing(gaps, tol)
        det[f"l{norm}"] = {"gap_T/10": gaps[0], "gap_T/3": gaps[1], "gap_T": gaps[2], "gamma": gamma}
        det[f"l{norm}"]["ok"] = ok
        margins.append(m)
    worst = min(margins)
    gap_T = max(d["gap_T"] for d in det.values())
    return Check(bool(worst >= 0), gap_T, 0.0, float(worst), tol, {**det, **info})


_MM_ASSUMPTIONS = (
    "d = 3, 10 points with |x^T w*| > 0.3 ||w*||, labels sign(x^T w*); seed 0 is the spec's toy "
    "(w* = (1, -0.5, 0.3)); w0 = 0; eta_t = 1/(B^2 L(w_t)) with no cap eta_+."
)
_MM_TOL = (
    "gap <= 5e-3 at T = 3000 (dev) or <= 2e-3 at T = 1e4 (ci, the spec's T4; 3e4 at thorough, whose pool has "
    "slower data), and still closing: gap_T <= "
    "0.6 gap_{T/3} (1/t gives 1/3) unless gap_T <= tol/10 (the gap zigzags). Scaled gradients keep eta_t "
    "exact after L underflows (margins reach ~1e3)."
)


@claim(
    id="optimization_geometry.steepest_max_margin",
    paper=PAPER,
    status="empirical",
    kind="equality",
    statement=r"On separable data with the exponential loss, $\ell_2$ and $\ell_\infty$ steepest descent "
    r"with the normalized step $\eta_t = 1/(B^2L(w_t))$, $B = \max_n\|z_n\|_*$, maximise the margin in their "
    r"own norm: $\min_n z_n^\top w_t/\|w_t\| \to \gamma = \max_{\|w\|\le1}\min_n z_n^\top w$, the gap "
    r"closing like $1/t$. The paper's theorem (every norm) assumes $\eta_t \le \min(\eta_+, 1/(B^2L))$ with "
    r"a finite $\eta_+$, so that the steps vanish; then the gap closes like $1/\log t$, beyond a finite "
    r"budget. Without the cap the $\ell_1$ case fails (optimization_geometry.l1_uncapped_max_margin), "
    r"so the uncapped $\ell_2$/$\ell_\infty$ statement checked here is empirical.",
    strategy=I.classification(),
    examples={"dev": 3, "ci": 8, "thorough": 40},
    assumptions=_MM_ASSUMPTIONS + " Seeds folded onto a pool (dev 3: seeds 0, 3, 6; ci 8; thorough 40).",
    closed_form="gamma by LP (linf) or the SVM QP (l2): theorems.optimization_geometry.max_margin",
    tolerance=_MM_TOL + " Measured at ci: gap_T 2e-5 to 1.5e-3.",
)
def steepest_max_margin(inst: dict, ctx: Context) -> Check:
    """For l2 and linf: the own-norm normalized margin at T/3 and T against the LP/QP optimum."""
    return _own_norm_check(inst, ctx, (2, "inf"))


def _cross_margin(inst: dict, ctx: Context, run_norm, measure_norm) -> Check:
    """The run's margin in another norm. Vacuous unless the unique l2 maximiser is at least 3 tol short
    of the max margin in the other norm (else the run may converge to it: l1/linf maximisers need not be
    unique, so the LP's vertex is no proxy for the run's limit)."""
    tol = ctx.pick(dev=5e-3, ci=2e-3)
    seed = I.data_seed(inst, ctx.profile)
    Z = I.classification_data(seed)
    other = run_norm if measure_norm == 2 else measure_norm
    o = I.NORMS[other][0]
    if max_margin(Z, other).gamma - I.normalized_margin(Z, max_margin(Z, 2).w, o) < 3 * tol:
        return Check.inconclusive(
            "vacuous: the l2 max-margin direction is (nearly) optimal in the other norm on this data"
        )
    gaps, _, info = _margin_gaps(inst, ctx, run_norm, measure_norm)
    return Check.upper(gaps[-1], tol, **info)


@steepest_max_margin.false_variant(
    "every_sd_l2_margin", "Every steepest descent (here l_inf) maximises the l2 margin."
)
def _(inst: dict, ctx: Context) -> Check:
    return _cross_margin(inst, ctx, "inf", 2)


@steepest_max_margin.false_variant("gd_l1_margin", "GD (l2 steepest descent) maximises the l1 margin.")
def _(inst: dict, ctx: Context) -> Check:
    return _cross_margin(inst, ctx, 2, 1)


steepest_max_margin.add_figures(figures.margin_gaps)


@claim(
    id="optimization_geometry.l1_uncapped_max_margin",
    paper=PAPER,
    status="refuted",
    kind="equality",
    statement=r"Refuted: $\ell_1$ steepest descent (greedy coordinate descent) with the uncapped step "
    r"$\eta_t = 1/(B^2L(w_t))$ maximises the $\ell_1$ margin (the check of "
    r"optimization_geometry.steepest_max_margin). Pinned counterexample: data seed 2, where the run "
    r"settles on the direction $(-0.517, 0, -0.483)$, not the LP maximiser $(-0.408, 0.185, -0.407)$: the "
    r"gap is 1.46e-3 at $t = 10^4$, 1.42e-3 at $10^5$, 1.41e-3 at $10^6$ (constant multipliers 1/2 and 1/4 "
    r"of the step plateau too at $10^5$; with 1/10 the gap still closes, 2.4e-4 at $10^5$). The paper's "
    r"theorem needs the cap $\eta_+$: its proof uses steps that vanish, and these keep a length "
    r"$\ge\gamma/B^2$ (cf. AdaBoost, coordinate descent with large steps, which need not maximise the "
    r"margin: Rudin, Daubechies, Schapire 2004).",
    strategy=I.classification_data_seeds(),
    pinned=[{"data": 2}],
    examples={"dev": 3, "ci": 8, "thorough": 40},
    assumptions=_MM_ASSUMPTIONS + " Instances name the data seed directly (0-39).",
    closed_form="gamma by LP: theorems.optimization_geometry.max_margin",
    tolerance=_MM_TOL,
)
def l1_uncapped_max_margin(inst: dict, ctx: Context) -> Check:
    """The l1 own-norm normalized margin at T/3 and T against the LP optimum."""
    return _own_norm_check(inst, ctx, (1,))
